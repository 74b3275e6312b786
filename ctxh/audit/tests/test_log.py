"""Every sensitive read, list, search, export and print writes one access log row: who, when, what, from
where."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError
from django.test import override_settings
from django.test.client import RequestFactory

from ctxh.audit.models import AccessAction, AccessLog
from ctxh.audit.services import client_ip, log_access
from ctxh.audit.views import AccessNotLogged
from ctxh.orgs.models import Organization
from ctxh.workforce.models import Worker

pytestmark = [pytest.mark.django_db, pytest.mark.urls("ctxh.audit.tests.urls")]

BROWSER = "Mozilla/5.0 (Linux; Android 14) Chrome/130"


def entries():
    return list(AccessLog.objects.order_by("id"))


def test_a_detail_page_writes_who_what_when_and_from_where(client, world):
    client.force_login(world.officer)
    response = client.get(f"/t/orgs/{world.minh_xuan.pk}/?tab=ho-so", REMOTE_ADDR="10.8.0.15",
                          HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    [entry] = entries()
    assert entry.user == world.officer and entry.username == "can.bo.mx"
    assert entry.action == AccessAction.VIEW
    assert entry.content_type == ContentType.objects.get_for_model(Organization)
    assert (entry.object_id, entry.object_label) == (str(world.minh_xuan.pk), "UBND phường Minh Xuân")
    assert entry.ip_address == "10.8.0.15" and entry.user_agent == BROWSER
    assert (entry.method, entry.path) == ("GET", f"/t/orgs/{world.minh_xuan.pk}/?tab=ho-so")
    assert entry.at is not None


def test_a_record_outside_the_scope_answers_404_and_is_not_logged_as_read(client, world):
    client.force_login(world.officer)
    assert client.get(f"/t/orgs/{world.nong_tien.pk}/").status_code == 404
    assert entries() == []


def test_a_class_based_detail_view_logs_its_object(client, world):
    client.force_login(world.officer)
    assert client.get(f"/t/orgs/{world.school.pk}/cbv/").status_code == 200
    [entry] = entries()
    assert (entry.action, entry.object_id) == (AccessAction.VIEW, str(world.school.pk))


def test_a_list_writes_one_row_with_the_ids_shown_and_the_total(client, world):
    client.force_login(world.officer)
    response = client.get("/t/orgs/")
    assert response.content.decode().count("<li>") == 2  # two per page, three in scope
    [entry] = entries()
    assert entry.action == AccessAction.LIST
    assert entry.content_type == ContentType.objects.get_for_model(Organization)
    assert entry.object_ids == [world.minh_xuan.pk, world.health.pk]  # ORG-MX, ORG-MX-H (by code)
    assert entry.count == 3 and entry.object_id == ""


def test_a_search_is_logged_as_a_search_with_its_terms(client, world):
    client.force_login(world.officer)
    client.get("/t/orgs/", {"q": "truong", "page": "1"})
    [entry] = entries()
    assert entry.action == AccessAction.SEARCH
    assert entry.object_ids == [world.school.pk] and entry.count == 1
    assert entry.description == "q=truong"


def test_an_export_is_logged_with_its_format_filters_and_rows(client, world):
    client.force_login(world.manager)
    response = client.get("/t/workers/export/", {"unit": "08"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    [entry] = entries()
    assert entry.action == AccessAction.EXPORT
    assert entry.content_type == ContentType.objects.get_for_model(Worker)
    assert sorted(entry.object_ids) == sorted([world.hoa.pk, world.lan.pk]) and entry.count == 2
    assert entry.description == "xlsx · unit=08"


def test_a_print_is_logged(client, world):
    client.force_login(world.officer)
    client.get(f"/t/orgs/{world.minh_xuan.pk}/print/")
    [entry] = entries()
    assert (entry.action, entry.object_id) == (AccessAction.PRINT, str(world.minh_xuan.pk))


def test_the_api_logs_a_detail_read_and_a_list_read(client, world):
    client.force_login(world.manager)
    assert client.get(f"/t/api/workers/{world.hoa.pk}/").status_code == 200
    assert client.get("/t/api/workers/", {"q": "hoa"}).json()["count"] == 2
    detail, listing = entries()
    assert (detail.action, detail.object_id, detail.object_label) == (
        AccessAction.API_VIEW, str(world.hoa.pk), "Nguyễn Thị Hoa")
    assert listing.action == AccessAction.API_LIST
    assert listing.content_type == ContentType.objects.get_for_model(Worker)
    assert listing.object_ids == [world.hoa.pk, world.lan.pk] and listing.count == 2
    assert listing.description == "q=hoa"


def test_a_page_that_forgets_to_log_its_read_is_refused(client, world):
    client.force_login(world.officer)
    with pytest.raises(AccessNotLogged):
        client.get(f"/t/orgs/{world.minh_xuan.pk}/forgetful/")


def test_when_the_log_cannot_be_written_the_read_fails(client, world, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AccessLog, "save", broken)
    client.force_login(world.officer)
    client.raise_request_exception = False
    response = client.get(f"/t/orgs/{world.minh_xuan.pk}/")
    assert response.status_code == 500
    assert "Minh Xuân" not in response.content.decode()
    api = client.get("/t/api/workers/")
    assert api.status_code == 500 and "Hoa" not in api.content.decode()


def test_writing_a_list_entry_costs_one_insert(world, django_assert_num_queries):
    workers = list(Worker.objects.all())
    ContentType.objects.get_for_model(Worker)  # the content type cache is warm in a running site
    with django_assert_num_queries(1):
        entry = log_access(request_or_user=world.manager, action=AccessAction.LIST, objects=workers)
    assert entry.count == 2 and entry.ip_address is None and entry.username == "u.programme_manager"


@override_settings(CTXH_AUDIT_MAX_IDS=2)
def test_a_long_list_keeps_the_first_ids_and_says_it_was_cut(world):
    entry = log_access(request_or_user=world.admin, action=AccessAction.EXPORT,
                       objects=Organization.objects.order_by("code"))
    assert len(entry.object_ids) == 2 and entry.object_ids_truncated and entry.count == 4


def test_a_model_may_name_itself_in_the_log_without_its_personal_data(world):
    world.hoa.audit_label = "NV-000123"
    entry = log_access(request_or_user=world.manager, action=AccessAction.VIEW, obj=world.hoa)
    assert entry.object_label == "NV-000123"


# ------------------------------------------------------------------------------------------- client address


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_address_is_the_peer_and_a_forged_header_is_ignored():
    assert client_ip(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


@override_settings(CTXH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_address_the_proxy_appended():
    # The client forged "1.2.3.4"; our nginx appended the address it really came from.
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"


@override_settings(CTXH_TRUSTED_PROXY_COUNT=2)
def test_behind_two_proxies_the_client_is_second_from_the_right():
    assert client_ip(request_from("10.0.0.3", "1.2.3.4, 203.0.113.7, 10.0.0.2")) == "203.0.113.7"
    assert client_ip(request_from("10.0.0.3", "[2001:db8::5]:443, 10.0.0.2")) == "2001:db8::5"


@override_settings(CTXH_TRUSTED_PROXY_COUNT=1)
def test_a_garbled_forwarded_header_falls_back_to_the_peer():
    assert client_ip(request_from("10.0.0.2", "unknown")) == "10.0.0.2"
    assert client_ip(request_from("10.0.0.2", "198.51.100.4:5678")) == "198.51.100.4"
