"""Two-factor authentication: required for administrators and superusers, optional for everyone else."""

import re
from base64 import b32encode

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctxh.accounts.roles import Role
from ctxh.accounts.testing import confirmed_device, current_code, login_verified
from ctxh.testing import make_user

pytestmark = pytest.mark.django_db

TWO_FACTOR = reverse("accounts:two_factor")
SECURITY = reverse("accounts:security")
HOME = reverse("web:home")


@pytest.fixture
def admin_user(db):
    return make_user("quan.tri", Role.ADMIN)


@pytest.fixture
def officer(small_geo):
    return make_user("can.bo.xa", Role.ORG_OFFICER, units=[small_geo.n1])


def enter_code(client, code, next_url=None):
    data = {"token": code}
    if next_url:
        data["next"] = next_url
    return client.post(TWO_FACTOR, data)


def unthrottle(device):
    """Forget the previous wrong code's waiting time (django-otp asks 1 s after a first mistake)."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=None, throttling_failure_count=0
    )


@pytest.mark.parametrize("path", ["/", "/to-chuc/", "/don-vi-hanh-chinh/", SECURITY, "/khong-co-trang-nay/"])
def test_admin_without_code_is_sent_to_two_factor_from_any_page(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(TWO_FACTOR)
    assert f"next={path.replace('/', '%2F')}" in response.url


def test_admin_without_code_cannot_open_the_admin_site(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/quan-tri/")
    assert response.status_code == 302
    assert response.url.startswith(TWO_FACTOR)
    assert client.get("/quan-tri/accounts/user/").status_code == 302


def test_admin_without_code_gets_no_api_data(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 403
    assert "xác thực hai lớp" in response.json()["detail"]


def test_htmx_request_is_redirected_as_a_whole_page(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/to-chuc/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(TWO_FACTOR)


def test_only_log_in_log_out_two_factor_static_and_language_are_open(client, admin_user):
    client.force_login(admin_user)
    assert client.get(TWO_FACTOR).status_code == 200
    assert client.get("/static/ctxh/khong-co.css").status_code == 404  # not a redirect
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and not response.url.startswith(TWO_FACTOR)
    assert client.get(reverse("accounts:password_change")).url.startswith(TWO_FACTOR)
    assert client.post(reverse("accounts:logout")).url == reverse("accounts:login")


def test_admin_sets_up_an_authenticator_app_with_a_qr_code(client, admin_user):
    client.force_login(admin_user)
    response = client.get(TWO_FACTOR, {"next": "/quan-tri/"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bật xác thực hai lớp" in html
    assert "<svg" in html and 'role="img"' in html  # the QR code, inline, no outside service
    device = TOTPDevice.objects.get(user=admin_user)
    assert not device.confirmed
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1)
    assert shown.replace(" ", "") == secret

    # Reloading the page keeps the same secret (the phone may already have it).
    client.get(TWO_FACTOR)
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1

    response = enter_code(client, current_code(device), next_url="/quan-tri/")
    assert response.status_code == 302
    assert response.url == "/quan-tri/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/quan-tri/").status_code == 200
    assert client.get(HOME).status_code == 200


def test_wrong_code_during_set_up_does_not_confirm(client, admin_user):
    client.force_login(admin_user)
    client.get(TWO_FACTOR)
    device = TOTPDevice.objects.get(user=admin_user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong)
    assert "Mã xác thực không đúng" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(HOME).status_code == 302


def test_admin_with_a_device_enters_a_valid_code_and_gets_through(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    page = client.get(TWO_FACTOR)
    assert "Xác thực hai lớp" in page.content.decode()
    assert "<svg" not in page.content.decode()  # no new secret shown once a device exists
    response = enter_code(client, current_code(device), next_url="/quan-tri/accounts/user/")
    assert response.status_code == 302
    assert response.url == "/quan-tri/accounts/user/"
    assert client.get("/quan-tri/").status_code == 200
    assert client.get(SECURITY).status_code == 200


def test_wrong_code_is_refused_and_repeated_tries_are_throttled(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = enter_code(client, wrong)
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert client.get("/quan-tri/").status_code == 302

    # Straight after a mistake even the right code must wait: guessing a million codes is not possible.
    response = enter_code(client, current_code(device))
    assert "hãy chờ" in response.content.decode()
    assert client.get("/quan-tri/").status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    unthrottle(device)
    assert enter_code(client, current_code(device)).status_code == 302
    assert client.get("/quan-tri/").status_code == 200


def test_code_must_be_six_digits(client, admin_user):
    confirmed_device(admin_user)
    client.force_login(admin_user)
    response = enter_code(client, "12ab")
    assert "gồm đúng 6 chữ số" in response.content.decode()


def test_a_code_cannot_be_used_twice(client, admin_user):
    device = confirmed_device(admin_user)
    code = current_code(device)
    client.force_login(admin_user)
    assert enter_code(client, code).status_code == 302
    client.post(reverse("accounts:logout"))
    client.force_login(admin_user)
    assert "Mã xác thực không đúng" in enter_code(client, code).content.decode()


def test_superuser_must_use_two_factor_too(client):
    boss = make_user("sieu.quan.tri", Role.LEADER, is_superuser=True)
    client.force_login(boss)
    assert client.get(HOME).url.startswith(TWO_FACTOR)


def test_other_roles_do_not_need_two_factor(client, officer):
    client.force_login(officer)
    assert client.get(SECURITY).status_code == 200


def test_any_user_can_turn_two_factor_on_and_is_then_asked_for_it(client, officer):
    client.force_login(officer)
    page = client.get(SECURITY).content.decode()
    assert "Bảo mật tài khoản" in page and "Chưa bật" in page
    client.get(TWO_FACTOR, {"next": SECURITY})
    device = TOTPDevice.objects.get(user=officer)
    response = enter_code(client, current_code(device), next_url=SECURITY)
    assert response.url == SECURITY
    assert "Đang bật" in client.get(SECURITY).content.decode()

    other_browser = type(client)()
    other_browser.force_login(officer)
    assert other_browser.get(SECURITY).url.startswith(TWO_FACTOR)


def test_user_turns_two_factor_off_with_a_current_code(client, officer):
    device = login_verified(client, officer)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    response = client.post(reverse("accounts:two_factor_disable"), {"token": current_code(device)})
    assert response.url == SECURITY
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert "Chưa bật" in client.get(SECURITY).content.decode()


def test_wrong_code_does_not_turn_two_factor_off(client, officer):
    device = login_verified(client, officer)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:two_factor_disable"), {"token": wrong})
    assert "Mã xác thực không đúng" in response.content.decode()
    assert TOTPDevice.objects.filter(user=officer).exists()


def test_administrator_cannot_turn_two_factor_off(client, admin_user):
    device = login_verified(client, admin_user)
    page = client.get(SECURITY).content.decode()
    assert "không thể tắt" in page
    client.post(reverse("accounts:two_factor_disable"), {"token": current_code(device)})
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_verified_user_visiting_two_factor_goes_on(client, admin_user):
    login_verified(client, admin_user)
    response = client.get(TWO_FACTOR, {"next": SECURITY})
    assert response.url == SECURITY


def test_next_cannot_point_to_another_site(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    response = enter_code(client, current_code(device), next_url="https://evil.example/")
    assert response.url == HOME


def test_last_used_time_is_recorded(client, admin_user):
    device = confirmed_device(admin_user)
    client.force_login(admin_user)
    enter_code(client, current_code(device))
    device.refresh_from_db()
    assert device.last_used_at is not None and device.last_used_at <= timezone.now()
