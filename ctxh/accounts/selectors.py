"""Reads about users and their two-factor devices."""

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctxh.accounts.models import User


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any (ctxh gives each user at most one)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()


def user_has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def user_needs_otp_verification(user: User) -> bool:
    """Must this signed-in user confirm a one-time code before using the site?

    Administrators and superusers always; any other user once they have turned two-factor on.
    """
    return user.requires_two_factor or user_has_two_factor(user)


def user_list() -> QuerySet[User]:
    return User.objects.order_by("username")
