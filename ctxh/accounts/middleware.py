"""Two-factor authentication is required for the roles in TWO_FACTOR_ROLES (administrators)."""

from django.shortcuts import redirect
from django.urls import reverse

EXEMPT_PREFIXES = ("/static/", "/i18n/", "/tai-khoan/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.requires_two_factor
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)
