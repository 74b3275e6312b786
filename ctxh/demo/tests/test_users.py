"""One demo user per role, with the expected scope, and passwords that survive a second run."""

import stat

from ctxh.accounts.models import User
from ctxh.accounts.roles import Role
from ctxh.demo.services import demo_load
from ctxh.demo.users import read_credentials
from ctxh.orgs.models import Organization, OrgKind


def scope_of(user):
    return {(s.unit, s.organization) for s in user.scopes.select_related("unit", "organization")}


def test_one_user_of_each_role_with_the_expected_scope(demo):
    geo = demo.geo
    users = {u.role: u for u in User.objects.all()}
    assert set(users) == set(Role.values) and User.objects.count() == len(Role.values)
    assert scope_of(users[Role.ADMIN]) == set() and users[Role.ADMIN].requires_two_factor
    assert scope_of(users[Role.PROGRAMME_MANAGER]) == {(geo.new08, None)}
    assert scope_of(users[Role.LEADER]) == {(geo.new08, None)}
    assert scope_of(users[Role.ORG_OFFICER]) == {(geo.n1, None)}  # Phường Minh Xuân
    assert scope_of(users[Role.SOCIAL_WORKER]) == {(None, Organization.objects.get(code="TTCTXH-TQ"))}
    # Trainers train people from the whole province: their scope is the province.
    assert scope_of(users[Role.TRAINER]) == {(geo.new08, None)}


def test_the_commune_officer_sees_the_old_and_new_committees_of_the_commune_only(demo):
    geo = demo.geo
    officer = User.objects.get(role=Role.ORG_OFFICER)
    visible = Organization.objects.for_user(officer).filter(kind=OrgKind.COMMUNE_COMMITTEE)
    assert set(visible.values_list("unit", flat=True)) == {geo.n1.pk, geo.x1.pk, geo.x2.pk, geo.x3.pk}
    manager = User.objects.get(role=Role.PROGRAMME_MANAGER)
    assert Organization.objects.for_user(manager).count() == Organization.objects.count()


def test_printed_passwords_log_in_and_are_kept_private(demo):
    stored = read_credentials(demo.credentials)
    assert set(stored) == set(User.objects.values_list("username", flat=True))
    for account in demo.result.accounts:
        assert account.created and stored[account.username] == account.password
        assert User.objects.get(username=account.username).check_password(account.password)
    assert stat.S_IMODE(demo.credentials.stat().st_mode) == 0o600


def test_a_second_run_prints_the_same_passwords(demo):
    again = demo_load(province=demo.geo.new08, password=None, credentials_path=demo.credentials)
    assert [(a.username, a.password) for a in again.accounts] == [
        (a.username, a.password) for a in demo.result.accounts]
    assert not any(a.created for a in again.accounts)


def test_a_changed_password_is_not_printed(demo):
    user = User.objects.get(role=Role.LEADER)
    user.set_password("mot-mat-khau-khac-2025")
    user.save()
    again = demo_load(province=demo.geo.new08, password=None, credentials_path=demo.credentials)
    leader = next(a for a in again.accounts if a.role == Role.LEADER)
    assert leader.password == "(đã đổi, không hiển thị)"


def test_the_password_from_the_environment_is_used_and_not_stored(small_geo, tmp_path):
    path = tmp_path / "demo_credentials.txt"
    result = demo_load(province=small_geo.new08, password="Mat-khau-demo-2025", credentials_path=path)
    assert {a.password for a in result.accounts} == {"Mat-khau-demo-2025"}
    assert User.objects.get(username="quanly").check_password("Mat-khau-demo-2025")
    assert not path.exists()
