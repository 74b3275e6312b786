"""State changes for users: creation with role and scope, and two-factor devices."""

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

import django_otp
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctxh.accounts.models import User, UserScope
from ctxh.accounts.roles import Role
from ctxh.core.text import nfc

TOTP_DEVICE_NAME = "Ứng dụng xác thực"


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    full_name: str,
    units: Iterable = (),
    organizations: Iterable = (),
    phone: str = "",
    email: str = "",
) -> User:
    """Create an active user with a role and a scope.

    Every role except the administrator works inside a scope, so it needs at least one unit or organization.
    Raises ValidationError (messages by field, in Vietnamese) and writes nothing when the input is wrong.
    """
    units = list(units)
    organizations = list(organizations)
    username = nfc(username)
    errors: dict[str, list[str]] = {}
    if not username:
        errors.setdefault("username", []).append(_("Tên đăng nhập không được để trống."))
    elif User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(
            _("Tên đăng nhập “%(username)s” đã có người dùng.") % {"username": username}
        )
    if role not in Role.values:
        errors.setdefault("role", []).append(
            _("Vai trò “%(role)s” không có. Các vai trò: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    elif role != Role.ADMIN and not units and not organizations:
        errors.setdefault("scopes", []).append(
            _("Vai trò “%(role)s” cần ít nhất một đơn vị hành chính hoặc một tổ chức trong phạm vi.")
            % {"role": Role(role).label}
        )
    candidate = User(username=username, full_name=nfc(full_name), email=email)
    try:
        validate_password(password or "", user=candidate)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    user = User.objects.create_user(
        username=username,
        password=password,
        role=role,
        full_name=nfc(full_name),
        phone=nfc(phone),
        email=email,
    )
    UserScope.objects.bulk_create(
        [UserScope(user=user, unit=unit) for unit in units]
        + [UserScope(user=user, organization=org) for org in organizations]
    )
    return user


@transaction.atomic
def two_factor_setup_start(*, user: User) -> TOTPDevice:
    """The device to show as a QR code while the user sets up an authenticator app.

    Kept between page loads (so the code on the phone stays valid) until it is confirmed.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


class VerifyOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class VerifyResult:
    outcome: VerifyOutcome
    wait_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is VerifyOutcome.OK


def _throttle_wait(device: TOTPDevice) -> int:
    allowed, info = device.verify_is_allowed()
    if allowed or not info or "locked_until" not in info:
        return 0
    return max(1, math.ceil((info["locked_until"] - timezone.now()).total_seconds()))


def two_factor_verify(*, user: User, device: TOTPDevice, token: str) -> VerifyResult:
    """Check a one-time code against the device.

    After a wrong code the next try must wait (1 s, 2 s, 4 s ...: django-otp's throttling of TOTPDevice).
    """
    device.refresh_from_db()
    wait = _throttle_wait(device)
    if wait:
        return VerifyResult(VerifyOutcome.THROTTLED, wait)
    verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is None:
        return VerifyResult(VerifyOutcome.WRONG)
    return VerifyResult(VerifyOutcome.OK)


@transaction.atomic
def two_factor_confirm(*, user: User, device: TOTPDevice, token: str) -> VerifyResult:
    """Confirm a newly set-up device with a code from the app; drop any other unfinished set-up."""
    result = two_factor_verify(user=user, device=device, token=token)
    if result.ok:
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    return result


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Turn two-factor off for a user whose role does not require it."""
    if user.requires_two_factor:
        raise ValidationError(_("Vai trò của bạn bắt buộc xác thực hai lớp; không thể tắt."))
    TOTPDevice.objects.filter(user=user).delete()
