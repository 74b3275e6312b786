"""Sensitive fields are masked for whoever may not see them: in pages, in the API and in exports alike."""

import io

import pytest
from django.template import Context, Template
from django.test.client import RequestFactory
from openpyxl import load_workbook

from ctxh.accounts.roles import Role
from ctxh.audit.masking import (
    SENSITIVE_ACCESS_RULES,
    SENSITIVE_FIELDS,
    MaskedObject,
    MaskKind,
    Sensitive,
    is_masked,
    mask,
    mask_cccd,
    masked_rows,
    may_see_sensitive,
    register_sensitive,
    register_sensitive_access,
    sensitive_fields,
)
from ctxh.audit.tests.conftest import CCCD_HOA

# --------------------------------------------------------------------------------------------- the helpers


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("008190123456", MaskKind.CCCD, "********3456"),
        ("0912345678", MaskKind.PHONE, "*******678"),
        ("+84 912 345 678", MaskKind.PHONE, "+** *** *** 678"),
        ("Bị bạo hành từ năm 2023", MaskKind.TEXT, "•••"),
        (True, MaskKind.TEXT, "•••"),
        ("123", MaskKind.CCCD, "***"),  # too short to keep four digits: nothing shown
        ("", MaskKind.CCCD, ""),
        (None, MaskKind.PHONE, None),
    ],
)
def test_mask(value, kind, expected):
    assert mask(value, kind) == expected


def test_mask_cccd_keeps_the_last_four_digits_and_empty_stays_empty():
    assert mask_cccd(CCCD_HOA) == "********3456"
    assert mask_cccd(None) == "" and mask_cccd("") == ""
    assert is_masked(mask_cccd(CCCD_HOA)) and not is_masked(CCCD_HOA)


def test_the_workforce_pages_use_the_same_cccd_mask():
    from ctxh.web.views import workforce

    assert workforce.mask_cccd is mask_cccd


def test_apps_register_their_sensitive_fields_once(monkeypatch):
    from ctxh.audit import masking

    monkeypatch.setattr(masking, "SENSITIVE_FIELDS", {})
    register_sensitive("cases.Person", Sensitive("cccd", MaskKind.CCCD), "health_note")
    register_sensitive("cases.Person", Sensitive("cccd", MaskKind.CCCD))  # a second ready() changes nothing
    fields = sensitive_fields("cases.Person")
    assert list(fields) == ["cccd", "health_note"]
    assert fields["cccd"].kind == MaskKind.CCCD and fields["health_note"].kind == MaskKind.TEXT


# --------------------------------------------------------------------------------------------- who may see


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, True),
        (Role.PROGRAMME_MANAGER, True),
        (Role.ORG_OFFICER, False),
        (Role.SOCIAL_WORKER, False),
        (Role.TRAINER, False),
        (Role.LEADER, False),
    ],
)
def test_may_see_sensitive_by_role(world, role, allowed):
    assert may_see_sensitive(world.users[role]) is allowed
    assert may_see_sensitive(world.users[role], world.hoa) is allowed


def test_nobody_signed_out_or_disabled_sees_sensitive_fields(world):
    from django.contrib.auth.models import AnonymousUser

    world.manager.is_active = False
    assert not may_see_sensitive(world.manager, world.hoa)
    assert not may_see_sensitive(AnonymousUser(), world.hoa)
    assert not may_see_sensitive(None)


def test_an_app_rule_lets_a_social_worker_see_the_records_assigned_to_them(world, monkeypatch):
    """The hook the cases app uses (“the cases assigned to them”), shown here on the worker's own record."""
    monkeypatch.setitem(SENSITIVE_ACCESS_RULES, "workforce.Worker", [])
    register_sensitive_access("workforce.Worker")(lambda user, worker: worker.user_id == user.pk)
    world.hoa.user = world.social_worker
    world.hoa.save()
    assert may_see_sensitive(world.social_worker, world.hoa)
    assert not may_see_sensitive(world.social_worker, world.lan)
    assert not may_see_sensitive(world.social_worker)  # no object: only the role counts
    assert not may_see_sensitive(world.leader, world.hoa)


# --------------------------------------------------------------------------------------------- pages


def render(template: str, user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load audit %}" + template).render(Context({"request": request, **context}))


@pytest.mark.usefixtures("sensitive_workers")
def test_the_template_filters_mask_for_a_leader_and_not_for_a_manager(world):
    page = ("{% with w=worker|masked_for:request.user %}"
            "{{ w.full_name }}|{{ w.cccd }}|{{ w.note }}{% endwith %}")
    assert render(page, world.leader, worker=world.hoa) == "Nguyễn Thị Hoa|********3456|•••"
    assert render(page, world.manager, worker=world.hoa) == (
        f"Nguyễn Thị Hoa|{CCCD_HOA}|Đang điều trị trầm cảm")
    tag = '{% sensitive worker "phone" %}'
    assert render(tag, world.leader, worker=world.hoa) == "**** *** 678"
    assert render(tag, world.manager, worker=world.hoa) == "0912 345 678"
    assert render('{{ worker.cccd|mask:"cccd" }}', world.manager, worker=world.hoa) == "********3456"


def test_a_field_may_be_sensitive_only_on_some_rows(world, monkeypatch):
    depression = Sensitive("note", when=lambda worker: "trầm cảm" in worker.note)
    monkeypatch.setitem(SENSITIVE_FIELDS, "workforce.Worker", [depression])
    assert MaskedObject(world.hoa, world.leader).note == "•••"
    world.lan.note = "Đi công tác"
    assert MaskedObject(world.lan, world.leader).note == "Đi công tác"


# --------------------------------------------------------------------------------------------- API


@pytest.mark.urls("ctxh.audit.tests.urls")
@pytest.mark.usefixtures("sensitive_workers")
def test_the_serializer_masks_for_a_leader_and_not_for_a_manager(client, world):
    url = f"/t/api/workers/{world.hoa.pk}/"
    client.force_login(world.leader)
    leader = client.get(url).json()
    assert leader == {"id": world.hoa.pk, "full_name": "Nguyễn Thị Hoa", "identity_number": "********3456",
                      "phone": "**** *** 678", "note": "•••"}
    listed = {row["full_name"]: row for row in client.get("/t/api/workers/").json()["results"]}
    assert listed["Nguyễn Thị Hoa"]["identity_number"] == "********3456"
    assert listed["Lê Thị Lan"]["identity_number"] == "********4321" and listed["Lê Thị Lan"]["note"] == ""
    client.force_login(world.manager)
    manager = client.get(url).json()
    assert (manager["identity_number"], manager["phone"], manager["note"]) == (
        CCCD_HOA, "0912 345 678", "Đang điều trị trầm cảm")


@pytest.mark.usefixtures("sensitive_workers")
def test_the_serializer_masks_when_it_does_not_know_who_reads(world):
    from ctxh.audit.tests.urls import WorkerSerializer

    assert WorkerSerializer(world.hoa).data["identity_number"] == "********3456"


# --------------------------------------------------------------------------------------------- exports


def sheet_rows(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


@pytest.mark.urls("ctxh.audit.tests.urls")
@pytest.mark.usefixtures("sensitive_workers")
def test_the_export_masks_the_same_way_for_a_leader_and_not_for_a_manager(client, world):
    client.force_login(world.leader)
    rows = sheet_rows(client.get("/t/workers/export/").content)
    assert rows[0] == ("Họ và tên", "Số CCCD", "Điện thoại", "Ghi chú")
    assert rows[1] == ("Nguyễn Thị Hoa", "********3456", "**** *** 678", "•••")
    assert rows[2] == ("Lê Thị Lan", "********4321", None, None)
    client.force_login(world.manager)
    rows = sheet_rows(client.get("/t/workers/export/").content)
    assert rows[1] == ("Nguyễn Thị Hoa", CCCD_HOA, "0912 345 678", "Đang điều trị trầm cảm")


@pytest.mark.usefixtures("sensitive_workers")
def test_export_rows_match_columns_to_fields_by_source(world):
    [row] = masked_rows([world.hoa], user=world.leader, sources={"so_dinh_danh": "cccd"},
                        values=lambda w: {"ho_ten": w.full_name, "so_dinh_danh": w.cccd})
    assert row == {"ho_ten": "Nguyễn Thị Hoa", "so_dinh_danh": "********3456"}
