"""manage.py load_demo: output, idempotence, determinism."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ctxh.accounts.models import User, UserScope
from ctxh.cases.models import Case, Person, PersonAddress, PersonStatus, Referral, ServiceDelivery
from ctxh.demo.services import demo_load
from ctxh.orgs.models import Organization, OrganizationLocation
from ctxh.training.models import Course, Session
from ctxh.workforce.models import Position, Worker


def run(credentials, **options):
    out = StringIO()
    call_command("load_demo", credentials_file=credentials, stdout=out, **options)
    return out.getvalue()


def snapshot():
    return (
        sorted(Organization.objects.values_list("code", "name", "kind", "unit", "valid_from", "valid_to",
                                                "successor__code", "parent__code")),
        sorted(OrganizationLocation.objects.values_list("organization__code", "unit", "valid_from",
                                                        "valid_to")),
        Organization.history.count(),
        sorted(User.objects.values_list("username", "role", "password")),
        UserScope.objects.count(),
    )


def test_the_command_prints_one_user_per_role_and_the_address(small_geo, credentials):
    output = run(credentials)
    for username in ("quantri", "quanly", "canbo.xa", "ctxh", "giangvien", "lanhdao"):
        assert username in output
    for password in (line.split("\t")[1] for line in credentials.read_text().splitlines()[1:]):
        assert password in output
    assert "http://127.0.0.1:8000/" in output
    assert "ứng dụng xác thực" in output and "quantri" in output
    assert "Phường Minh Xuân" in output


def test_a_second_run_creates_and_changes_nothing(small_geo, credentials):
    run(credentials)
    before = snapshot()
    output = run(credentials)
    assert snapshot() == before
    assert "tạo mới 0," in output


def test_the_same_network_is_built_every_time(small_geo, credentials):
    first = demo_load(province=small_geo.new08, password=None, credentials_path=credentials)
    built = snapshot()[:2]
    User.objects.all().delete()
    # The demo people and cases, workforce and training point at the organizations: remove them first.
    for model in (Referral, ServiceDelivery, Case, PersonStatus, PersonAddress, Person):
        model.objects.all().delete()
    Session.objects.all().delete()
    Course.objects.all().delete()
    Position.objects.all().delete()
    Worker.objects.all().delete()
    OrganizationLocation.objects.all().delete()
    Organization.objects.update(parent=None, successor=None)
    Organization.objects.all().delete()
    second = demo_load(province=small_geo.new08, password=None, credentials_path=credentials)
    assert snapshot()[:2] == built
    assert first.stats.created == second.stats.created


def test_without_units_the_command_says_to_load_them_first(db, credentials):
    with pytest.raises(CommandError, match="load_admin_units"):
        run(credentials)
    assert not Organization.objects.exists()
