"""POST /api/v1/auth/token/: user name and password (and a one-time code when required) → an API token.

DRF's ObtainAuthToken with a serializer that calls django.contrib.auth.authenticate *with the request*, so
that django-axes counts failures and refuses a locked-out user exactly as on the log-in page. A user who must
use two-factor authentication on the site must also give a one-time code here: a token must not be an easier
way in than the log-in page.
"""

import math

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authtoken.views import ObtainAuthToken

from ctxh.accounts.selectors import totp_device_confirmed, user_needs_otp_verification
from ctxh.accounts.services import VerifyOutcome, two_factor_verify

LOCKED_OUT_STATUS = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)


class LockedOut(exceptions.APIException):
    status_code = LOCKED_OUT_STATUS
    default_code = "locked_out"

    def __init__(self):
        minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
        super().__init__(
            _("Tài khoản tạm thời bị khóa vì đăng nhập sai quá nhiều lần. Hãy thử lại sau %(minutes)s phút "
              "hoặc liên hệ quản trị hệ thống.") % {"minutes": minutes}
        )


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Tên đăng nhập"), write_only=True, error_messages={
        "required": _("Hãy nhập tên đăng nhập (trường username)."),
        "blank": _("Hãy nhập tên đăng nhập (trường username)."),
    })
    password = serializers.CharField(
        label=_("Mật khẩu"), style={"input_type": "password"}, trim_whitespace=False, write_only=True,
        error_messages={
            "required": _("Hãy nhập mật khẩu (trường password)."),
            "blank": _("Hãy nhập mật khẩu (trường password)."),
        },
    )
    otp = serializers.CharField(
        label=_("Mã xác thực hai lớp"), required=False, allow_blank=True, write_only=True,
        help_text=_("Mã 6 chữ số từ ứng dụng xác thực; bắt buộc với tài khoản phải xác thực hai lớp."),
    )

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise serializers.ValidationError(
                _("Tên đăng nhập hoặc mật khẩu không đúng."), code="authorization"
            )
        if user_needs_otp_verification(user):
            self._check_otp(user, attrs.get("otp", "").strip())
        attrs["user"] = user
        return attrs

    @staticmethod
    def _check_otp(user, token: str) -> None:
        device = totp_device_confirmed(user)
        if device is None:
            raise serializers.ValidationError({"otp": _(
                "Tài khoản này phải xác thực hai lớp nhưng chưa cài đặt ứng dụng xác thực: hãy đăng nhập "
                "trang web để cài đặt trước."
            )}, code="otp_not_set_up")
        if not token:
            raise serializers.ValidationError({"otp": _(
                "Tài khoản này phải xác thực hai lớp: hãy nhập mã 6 chữ số từ ứng dụng xác thực (trường otp)."
            )}, code="otp_required")
        result = two_factor_verify(user=user, device=device, token=token)
        if result.outcome is VerifyOutcome.THROTTLED:
            raise serializers.ValidationError({"otp": _(
                "Đã nhập sai mã xác thực; hãy đợi %(seconds)s giây rồi thử lại."
            ) % {"seconds": result.wait_seconds}}, code="otp_throttled")
        if not result.ok:
            raise serializers.ValidationError({"otp": _("Mã xác thực hai lớp không đúng.")}, code="otp_wrong")


@extend_schema(
    summary=_("Lấy token API"),
    description=_(
        "Gửi tên đăng nhập và mật khẩu (và mã xác thực hai lớp nếu tài khoản yêu cầu) để nhận token; "
        "sau đó gửi tiêu đề `Authorization: Token <token>` với mỗi yêu cầu. Sau nhiều lần đăng nhập "
        "sai, tài khoản tạm thời bị khóa."
    ),
    request=TokenRequestSerializer,
    responses={
        200: inline_serializer("TokenResponse", {"token": serializers.CharField(help_text=_("Token API."))}),
        400: OpenApiResponse(description=_("Thông tin đăng nhập không đúng hoặc thiếu mã xác thực.")),
        LOCKED_OUT_STATUS: OpenApiResponse(description=_("Tài khoản tạm thời bị khóa.")),
    },
    auth=[],
    tags=[_("Xác thực")],
)
class ObtainTokenView(ObtainAuthToken):
    serializer_class = TokenRequestSerializer
    # No session authentication here: a browser that happens to be signed in must not need a CSRF token to
    # ask for an API token, and the view does not look at request.user.
    authentication_classes = ()
