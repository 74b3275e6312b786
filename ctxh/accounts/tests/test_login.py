"""Log-in, lock-out after repeated wrong passwords, log-out and session expiry."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ctxh.accounts.roles import Role
from ctxh.testing import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PROTECTED = reverse("accounts:security")


@pytest.fixture
def officer(db):
    return make_user("can.bo.xa", Role.ORG_OFFICER)


def post_login(client, password, username="can.bo.xa", next_url=None):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def is_logged_in(client) -> bool:
    return client.get(PROTECTED).status_code == 200


def test_login_page_is_vietnamese_with_labelled_fields(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html
    assert 'name="viewport"' in html  # usable on a phone
    assert 'autocomplete="current-password"' in html


def test_right_password_logs_in_and_goes_to_next(client, officer):
    response = post_login(client, TEST_PASSWORD, next_url=PROTECTED)
    assert response.status_code == 302
    assert response.url == PROTECTED
    assert is_logged_in(client)


def test_wrong_password_gives_clear_message_and_attempts_left(client, officer):
    response = post_login(client, "sai-mat-khau")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    assert "Còn 4 lần thử" in html
    assert not is_logged_in(client)


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "sai-mat-khau").status_code == 200
    locked = post_login(client, "sai-mat-khau")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "tạm thời bị khóa" in html
    assert "15 phút" in html

    again = post_login(client, TEST_PASSWORD)
    assert again.status_code == 429
    assert "tạm thời bị khóa" in again.content.decode()
    assert not is_logged_in(client)


def test_lock_is_per_user_name(client, officer):
    make_user("nguoi.khac", Role.ORG_OFFICER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "sai-mat-khau")
    response = post_login(client, TEST_PASSWORD, username="nguoi.khac")
    assert response.status_code == 302


def test_lock_ends_after_the_cool_off(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "sai-mat-khau")
    later = timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    with time_machine.travel(later):
        assert post_login(client, TEST_PASSWORD).status_code == 302


def test_success_before_the_limit_resets_the_counter(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, "sai-mat-khau")
    assert post_login(client, TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = post_login(client, "sai-mat-khau")
    assert "Còn 1 lần thử" in response.content.decode()
    assert post_login(client, TEST_PASSWORD).status_code == 302


def test_logout_is_a_post_and_returns_to_login(client, officer):
    client.force_login(officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert is_logged_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == LOGIN
    assert not is_logged_in(client)


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_session_ends_when_the_browser_closes(client, officer):
    post_login(client, TEST_PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert cookie["httponly"]


def test_session_expires_after_eight_idle_hours_but_not_while_in_use(client, officer):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        post_login(client, TEST_PASSWORD)
        traveller.shift(dt.timedelta(hours=7))
        assert is_logged_in(client)  # activity renews the session
        traveller.shift(dt.timedelta(hours=7))
        assert is_logged_in(client)  # 14 h after log-in, but only 7 h idle
        traveller.shift(dt.timedelta(hours=8, minutes=1))
        assert not is_logged_in(client)
