"""Two-factor authentication: a signed-in user who must confirm a one-time code reaches nothing else first.

Who must: the roles in TWO_FACTOR_ROLES (administrators), superusers, and every user who has turned
two-factor authentication on for their own account. Until the code is confirmed only the pages needed to
confirm it (log-in, log-out, the two-factor page), static files and the language switch answer.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from ctxh.accounts.selectors import user_needs_otp_verification

# Paths under these prefixes never need a verified user: static files and the language switch.
EXEMPT_PREFIXES = ("/i18n/",)
# These URL names are the only pages a user waiting for two-factor verification can open.
EXEMPT_URL_NAMES = ("accounts:login", "accounts:logout", "accounts:two_factor")


def _static_prefix() -> str:
    url = settings.STATIC_URL or "/static/"
    return url if url.startswith("/") else f"/{url}"


def exempt_paths() -> tuple[set[str], tuple[str, ...]]:
    return {reverse(name) for name in EXEMPT_URL_NAMES}, (*EXEMPT_PREFIXES, _static_prefix())


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            exact, prefixes = exempt_paths()
            if (
                request.path not in exact
                and not request.path.startswith(prefixes)
                and user_needs_otp_verification(user)
            ):
                return self._to_two_factor(request)
        return self.get_response(request)

    @staticmethod
    def _to_two_factor(request):
        if request.path.startswith("/api/"):
            message = _(
                "Tài khoản này phải xác thực hai lớp: hãy đăng nhập qua trang web và nhập mã xác thực."
            )
            return JsonResponse({"detail": message}, status=403)
        url = f"{reverse('accounts:two_factor')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # An HTMX request would swap the two-factor page into a fragment: send the whole page there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
