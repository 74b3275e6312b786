"""Log-in, log-out, two-factor set-up and check, and the account security page."""

from base64 import b32encode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctxh.accounts import selectors, services
from ctxh.accounts.forms import LoginForm, TokenForm
from ctxh.accounts.services import VerifyOutcome, VerifyResult


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        failures = getattr(self.request, "axes_failures_since_start", None)
        if failures is not None and not getattr(self.request, "axes_locked_out", False):
            response.context_data["attempts_left"] = max(0, settings.AXES_FAILURE_LIMIT - failures)
        return response


class LogoutView(auth_views.LogoutView):
    """Log-out is a POST (a link or an image on another site cannot log a user out)."""

    next_page = reverse_lazy("accounts:login")


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or resolve_url(settings.LOGIN_REDIRECT_URL)


def _grouped(secret: str, size: int = 4) -> str:
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def _qr_svg(device: TOTPDevice) -> str:
    qr = segno.make(device.config_url, error="m", micro=False)
    svg = qr.svg_inline(scale=5, border=2, title=_("Mã QR để thêm ctxh vào ứng dụng xác thực"))
    # Screen readers announce the picture by its title; role="img" makes it one image, not a drawing.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's own output


def _verify_error(result: VerifyResult) -> str:
    if result.outcome is VerifyOutcome.THROTTLED:
        return _(
            "Bạn vừa nhập sai mã. Để bảo vệ tài khoản, hãy chờ %(seconds)s giây rồi nhập mã mới."
        ) % {"seconds": result.wait_seconds}
    return _(
        "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã đang hiển thị trong ứng dụng "
        "(mã đổi sau mỗi 30 giây) và kiểm tra giờ trên điện thoại."
    )


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (no confirmed device yet), or confirm a code from it."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    device = selectors.totp_device_confirmed(request.user)
    setting_up = device is None
    if setting_up:
        device = services.two_factor_setup_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"]
        if setting_up:
            result = services.two_factor_confirm(user=request.user, device=device, token=token)
        else:
            result = services.two_factor_verify(user=request.user, device=device, token=token)
        if result.ok:
            request.session.cycle_key()
            django_otp.login(request, device)
            if setting_up:
                messages.success(request, _("Đã bật xác thực hai lớp cho tài khoản của bạn."))
            return redirect(next_url)
        form.add_error("token", _verify_error(result))
    context = {"form": form, "next": next_url, "setting_up": setting_up}
    if setting_up:
        context["qr_svg"] = _qr_svg(device)
        context["secret"] = _grouped(b32encode(device.bin_key).decode())
    template = "accounts/two_factor_setup.html" if setting_up else "accounts/two_factor_verify.html"
    return render(request, template, context)


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Bảo mật tài khoản: two-factor status (turn it on or off) and password change."""
    context = {
        "has_two_factor": selectors.user_has_two_factor(request.user),
        "required": request.user.requires_two_factor,
        "form": TokenForm(),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor off; the user confirms with a current code."""
    device = selectors.totp_device_confirmed(request.user)
    if device is None:
        return redirect("accounts:security")
    form = TokenForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["token"]
        result = services.two_factor_verify(user=request.user, device=device, token=token)
        if result.ok:
            try:
                services.two_factor_disable(user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
                messages.success(request, _("Đã tắt xác thực hai lớp."))
            return redirect("accounts:security")
        form.add_error("token", _verify_error(result))
    context = {"has_two_factor": True, "required": request.user.requires_two_factor, "form": form}
    return render(request, "accounts/security.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")
    extra_context = {"title": gettext_lazy("Đổi mật khẩu")}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response
