"""Token and session authentication of the API, lock-out after repeated failures, two-factor for admins."""

import pytest
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ctxh.accounts.roles import Role
from ctxh.testing import TEST_PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(small_geo):
    return make_user("canbo.xa", Role.ORG_OFFICER, units=[small_geo.n1])


def obtain(username: str, password: str, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json")


@pytest.mark.parametrize("url", ["/api/v1/units/", "/api/v1/organizations/", "/api/v1/"])
def test_anonymous_requests_are_refused(url):
    response = APIClient().get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Chưa xác thực" in response.json()["detail"]


def test_a_token_opens_the_api(officer):
    response = obtain("canbo.xa", TEST_PASSWORD)

    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=officer).key == token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/units/", {"as_of": "2025-08-01"}).json()["results"][0]["code"] == "02200"


def test_a_form_encoded_request_works_too(officer):
    response = APIClient().post(TOKEN_URL, {"username": "canbo.xa", "password": TEST_PASSWORD})

    assert response.status_code == 200


def test_a_wrong_password_gets_a_vietnamese_message_and_no_token(officer):
    response = obtain("canbo.xa", "sai-mat-khau")

    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in str(response.json())
    assert not Token.objects.exists()


def test_missing_fields_are_named(officer):
    response = APIClient().post(TOKEN_URL, {"username": "canbo.xa"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"password": ["Hãy nhập mật khẩu (trường password)."]}


def test_a_bad_token_is_refused(officer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    response = client.get("/api/v1/units/")

    assert response.status_code == 401
    assert "Token không hợp lệ" in response.json()["detail"]


def test_a_locked_out_user_cannot_obtain_a_token_even_with_the_right_password(officer):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert obtain("canbo.xa", "sai-mat-khau").status_code in (400, settings.AXES_HTTP_RESPONSE_CODE)

    response = obtain("canbo.xa", TEST_PASSWORD)

    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert "tạm thời bị khóa" in response.json()["detail"]
    assert not Token.objects.exists()


def test_failures_below_the_limit_do_not_lock(officer):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        obtain("canbo.xa", "sai-mat-khau")

    assert obtain("canbo.xa", TEST_PASSWORD).status_code == 200


def test_session_authentication_works(officer):
    client = APIClient()
    client.force_login(officer)

    assert client.get("/api/v1/organizations/").status_code == 200


class TestTwoFactor:
    @pytest.fixture
    def admin(self, db):
        return make_user("quantri", Role.ADMIN)

    @pytest.fixture
    def device(self, admin):
        return TOTPDevice.objects.create(user=admin, name="app", confirmed=True)

    @staticmethod
    def code(device: TOTPDevice) -> str:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        return f"{totp.token():0{device.digits}d}"

    def test_an_administrator_must_give_a_one_time_code(self, device):
        response = obtain("quantri", TEST_PASSWORD)

        assert response.status_code == 400
        assert "otp" in response.json()
        assert not Token.objects.exists()

    def test_a_wrong_code_is_refused(self, device):
        wrong = "000000" if self.code(device) != "000000" else "111111"
        response = obtain("quantri", TEST_PASSWORD, otp=wrong)

        assert response.status_code == 400
        assert "Mã xác thực hai lớp không đúng" in " ".join(response.json()["otp"])

    def test_the_right_code_gives_a_token(self, device):
        response = obtain("quantri", TEST_PASSWORD, otp=self.code(device))

        assert response.status_code == 200, response.content
        assert response.json()["token"]

    def test_an_administrator_without_an_authenticator_is_told_to_set_it_up(self, admin):
        response = obtain("quantri", TEST_PASSWORD, otp="123456")

        assert response.status_code == 400
        assert "cài đặt" in " ".join(response.json()["otp"])
