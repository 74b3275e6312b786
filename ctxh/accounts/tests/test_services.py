"""Creating users: user_create and the create_user command."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from ctxh.accounts.models import User
from ctxh.accounts.roles import Role
from ctxh.accounts.services import user_create
from ctxh.testing import make_org

pytestmark = pytest.mark.django_db

PASSWORD = "Mat-khau-du-dai-2025"


def test_officer_is_created_with_scope_and_without_admin_access(small_geo):
    org = make_org(small_geo.n2)
    user = user_create(
        username="can.bo.xa",
        password=PASSWORD,
        role=Role.ORG_OFFICER,
        full_name="Lê Thị Xã",
        units=[small_geo.n1],
        organizations=[org],
    )
    assert user.check_password(PASSWORD)
    assert not user.is_staff and user.is_active
    assert {(s.unit_id, s.organization_id) for s in user.scopes.all()} == {
        (small_geo.n1.pk, None),
        (None, org.pk),
    }


def test_administrator_needs_no_scope_and_may_use_the_admin_site(db):
    user = user_create(username="quan.tri", password=PASSWORD, role=Role.ADMIN, full_name="Quản Trị")
    assert user.is_staff
    assert user.has_perm("accounts.change_user")


def test_other_roles_need_a_scope(db):
    with pytest.raises(ValidationError) as error:
        user_create(username="khong.pham.vi", password=PASSWORD, role=Role.LEADER, full_name="")
    assert "scopes" in error.value.message_dict
    assert "ít nhất một đơn vị hành chính" in error.value.message_dict["scopes"][0]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("username", {"username": "  "}),
        ("role", {"role": "director"}),
        ("password", {"password": "123"}),
        ("password", {"password": "1234567890123"}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(small_geo, field, kwargs):
    arguments = {
        "username": "moi",
        "password": PASSWORD,
        "role": Role.TRAINER,
        "full_name": "Mới",
        "units": [small_geo.n1],
    } | kwargs
    with pytest.raises(ValidationError) as error:
        user_create(**arguments)
    assert field in error.value.message_dict
    assert not User.objects.exists()


def test_user_name_is_unique_ignoring_case(small_geo):
    user_create(username="Can.Bo", password=PASSWORD, role=Role.TRAINER, full_name="", units=[small_geo.n1])
    with pytest.raises(ValidationError) as error:
        user_create(
            username="can.bo", password=PASSWORD, role=Role.TRAINER, full_name="", units=[small_geo.n1]
        )
    assert "đã có người dùng" in error.value.message_dict["username"][0]


def test_command_creates_a_user_of_a_current_commune(small_geo, capsys):
    call_command(
        "create_user",
        "--username",
        "phuong.minhxuan",
        "--password",
        PASSWORD,
        "--role",
        "org_officer",
        "--unit-code",
        "02200",
        "--full-name",
        "Phạm Văn Phường",
    )
    user = User.objects.get(username="phuong.minhxuan")
    assert user.full_name == "Phạm Văn Phường"
    assert list(user.scopes.values_list("unit", flat=True)) == [
        small_geo.n1.pk
    ]  # the new ward, not the old one
    assert "Đã tạo người dùng phuong.minhxuan" in capsys.readouterr().out


def test_command_finds_an_old_unit_as_of_a_date_and_organizations_by_code(small_geo):
    org = make_org(small_geo.n2, code="TRUONG-01")
    call_command(
        "create_user",
        "--username",
        "cu",
        "--password",
        PASSWORD,
        "--role",
        "leader",
        "--unit-code",
        "02200",
        "--as-of",
        "2024-01-01",
        "--org-code",
        "TRUONG-01",
    )
    user = User.objects.get(username="cu")
    assert {s.unit_id or s.organization_id for s in user.scopes.all()} == {small_geo.x1.pk, org.pk}
    assert small_geo.x1.valid_to == dt.date(2025, 6, 30)


def test_command_prints_a_generated_password(small_geo, capsys):
    call_command("create_user", "--username", "ngau.nhien", "--role", "admin")
    out = capsys.readouterr().out
    password = out.split("Mật khẩu: ")[1].strip()
    assert User.objects.get(username="ngau.nhien").check_password(password)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--unit-code", "99999"], "không có đơn vị hành chính mã “99999”"),
        (["--org-code", "KHONG-CO"], "không có tổ chức mã “KHONG-CO”"),
        ([], "cần ít nhất một đơn vị hành chính"),
    ],
)
def test_command_explains_what_is_wrong(small_geo, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "create_user", "--username", "loi", "--password", PASSWORD, "--role", "trainer", *arguments
        )
    assert not User.objects.exists()
