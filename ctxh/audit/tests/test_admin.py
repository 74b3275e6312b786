"""The access log page of the admin site: administrators search and filter it; nobody changes it; others are
refused."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from ctxh.accounts.roles import Role
from ctxh.accounts.testing import login_verified
from ctxh.audit.models import AccessAction, AccessLog
from ctxh.orgs.models import Organization
from ctxh.testing import make_user
from ctxh.workforce.models import Worker

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:audit_accesslog_changelist")


def write(user, action, obj, ip, at=None) -> AccessLog:
    entry = AccessLog(user=user, username=user.username, action=action, ip_address=ip,
                      content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk),
                      object_label=str(obj))
    if at is not None:
        entry.at = at
    entry.save()
    return entry


@pytest.fixture
def log(world):
    old = timezone.now() - dt.timedelta(days=40)
    return {
        "officer_view": write(world.officer, AccessAction.VIEW, world.minh_xuan, "10.8.0.15"),
        "manager_export": write(world.manager, AccessAction.EXPORT, world.hoa, "10.8.1.20"),
        "leader_api": write(world.leader, AccessAction.API_VIEW, world.lan, "192.0.2.44", at=old),
    }


def shown(response) -> set[int]:
    return {entry.pk for entry in response.context["cl"].result_list}


@pytest.fixture
def admin_client(client, world):
    login_verified(client, world.admin)
    return client


def test_an_administrator_lists_every_entry(admin_client, log):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert shown(response) == {entry.pk for entry in log.values()}
    page = response.content.decode()
    assert "can.bo.mx" in page and "10.8.1.20" in page and "UBND phường Minh Xuân" in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda w: {"action__exact": "export"}, {"manager_export"}),
        (lambda w: {"user__id__exact": w.officer.pk}, {"officer_view"}),
        (lambda w: {"content_type__id__exact": ContentType.objects.get_for_model(Worker).pk},
         {"manager_export", "leader_api"}),
        (lambda w: {"content_type__id__exact": ContentType.objects.get_for_model(Organization).pk},
         {"officer_view"}),
        (lambda w: {"at__gte": str(timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
                                   - dt.timedelta(days=7))},
         {"officer_view", "manager_export"}),
        (lambda w: {"q": "u.leader"}, {"leader_api"}),
        (lambda w: {"q": "Nguyễn Thị Hoa"}, {"manager_export"}),
        (lambda w: {"q": "10.8.0"}, {"officer_view"}),
    ],
    ids=["action", "user", "workers", "organizations", "last-7-days", "username", "label", "ip"],
)
def test_an_administrator_filters_and_searches(admin_client, world, log, params, expected):
    response = admin_client.get(CHANGELIST, params(world))
    assert response.status_code == 200
    assert shown(response) == {log[name].pk for name in expected}


def test_reading_the_log_is_itself_logged(admin_client, world, log):
    admin_client.get(CHANGELIST, {"q": "u.leader"})
    admin_client.get(reverse("admin:audit_accesslog_change", args=[log["manager_export"].pk]))
    search, view = AccessLog.objects.filter(user=world.admin).order_by("id")
    assert (search.action, search.count) == (AccessAction.SEARCH, 1)
    assert search.object_ids == [log["leader_api"].pk]
    assert search.content_type == ContentType.objects.get_for_model(AccessLog)
    assert (view.action, view.object_id) == (AccessAction.VIEW, str(log["manager_export"].pk))


@pytest.mark.parametrize("superuser", [False, True], ids=["administrator", "superuser"])
def test_nobody_adds_changes_or_deletes_an_entry_in_the_admin(client, world, log, superuser):
    user = make_user("sieu.quan.tri", Role.LEADER, is_superuser=True) if superuser else world.admin
    login_verified(client, user)
    entry = log["officer_view"]
    change_url = reverse("admin:audit_accesslog_change", args=[entry.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # a read-only page, no save button
    assert client.get(reverse("admin:audit_accesslog_add")).status_code == 403
    assert client.post(change_url, {"description": "đã sửa", "username": "ai.do"}).status_code == 403
    delete_url = reverse("admin:audit_accesslog_delete", args=[entry.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk]})
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert (entry.username, entry.description) == ("can.bo.mx", "")
    assert AccessLog.objects.filter(pk=entry.pk).exists()


def test_the_admin_index_offers_the_log_to_an_administrator(admin_client, log):
    assert CHANGELIST in admin_client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_every_other_role_is_refused(client, world, log, role):
    client.force_login(world.users[role])
    response = client.get(CHANGELIST, follow=True)
    assert response.status_code == 403
    assert "10.8.0.15" not in response.content.decode()
