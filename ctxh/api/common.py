"""Building blocks shared by the API resources.

Each list endpoint reads its query parameters with a small *filter serializer* (the input), hands the
validated values to a selector of the domain app (the read), and serializes the page (the output): views
stay thin and the web pages and the API give the same answers.

API conventions: dates are ISO 8601 (YYYY-MM-DD) both ways (the web pages show dd/mm/yyyy); a bad query
parameter answers 400 with `{"<parameter>": ["<Vietnamese message naming the parameter>"]}`.
"""

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import PageNumberPagination

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def today() -> dt.date:
    """Today in the site's time zone (Asia/Ho_Chi_Minh), the default of every `as_of`."""
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------- input


class IsoDateParam(serializers.DateField):
    """A date written YYYY-MM-DD and nothing else: no guessing between dd/mm and mm/dd in the API."""

    def to_internal_value(self, value):
        text = str(value).strip()
        try:
            if ISO_DATE.match(text):
                return dt.date.fromisoformat(text)
        except ValueError:
            pass
        raise serializers.ValidationError(
            _("Tham số %(param)s: “%(value)s” không phải một ngày hợp lệ; hãy dùng định dạng YYYY-MM-DD "
              "(ví dụ 2025-07-01).") % {"param": self.field_name, "value": text},
            code="invalid",
        )


class ChoiceParam(serializers.ChoiceField):
    """One of a fixed list of values; the error names the parameter and lists what is accepted."""

    def __init__(self, choices, *, noun, **kwargs):
        self.noun = noun
        super().__init__(choices, **kwargs)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            message = _(
                "Tham số %(param)s: “%(value)s” không phải %(noun)s hợp lệ. Giá trị hợp lệ: %(values)s."
            )
            raise serializers.ValidationError(message % {
                "param": self.field_name, "value": data, "noun": self.noun,
                "values": ", ".join(str(value) for value in self.choices),
            }, code="invalid_choice") from None


class BooleanParam(serializers.BooleanField):
    """`true` or `false`, strictly: a typo answers 400 instead of being read as one or the other."""

    def to_internal_value(self, data):
        text = str(data).strip().lower()
        if text in ("true", "false"):
            return text == "true"
        raise serializers.ValidationError(
            _("Tham số %(param)s: “%(value)s” không hợp lệ; hãy dùng true hoặc false.")
            % {"param": self.field_name, "value": data},
            code="invalid",
        )


class FilterSerializer(serializers.Serializer):
    """Query parameters of a list: unknown parameters are ignored, blank ones count as absent."""

    def to_internal_value(self, data):
        present = {key: value for key, value in data.items() if key in self.fields and str(value).strip()}
        return super().to_internal_value(present)


def validated_filters(serializer_class, request) -> dict:
    """The validated query parameters, or a 400 answer naming each bad parameter."""
    filters = serializer_class(data=request.query_params, context={"request": request})
    filters.is_valid(raise_exception=True)
    return filters.validated_data


def not_found_at(param: str, code: str, day: dt.date) -> serializers.ValidationError:
    return serializers.ValidationError({param: [
        _("Tham số %(param)s: không có đơn vị hành chính nào mang mã “%(code)s” vào ngày %(day)s.")
        % {"param": param, "code": code, "day": day.isoformat()}
    ]}, code="unknown_unit")


# ---------------------------------------------------------------------------------------------- output


class RefSerializer(serializers.Serializer):
    """Tham chiếu ngắn tới một bản ghi khác: số định danh (id), mã và tên."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class Pagination(PageNumberPagination):
    page_query_description = _("Số trang, bắt đầu từ 1 (mỗi trang tối đa 50 kết quả).")


def id_parameter(description) -> OpenApiParameter:
    return OpenApiParameter("id", int, OpenApiParameter.PATH, description=description)


# ---------------------------------------------------------------------------------------------- access


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, answering in Vietnamese."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(_(
                "Token không hợp lệ hoặc tài khoản đã bị khóa. Hãy gửi tiêu đề "
                "“Authorization: Token <token>” với token lấy từ /api/v1/auth/token/."
            )) from None


class ApiViewMixin:
    """What every API view shares: token first (so that a missing credential answers 401), then the session
    of a signed-in browser; Vietnamese messages; pages of 50."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    pagination_class = Pagination

    def permission_denied(self, request, message=None, code=None):
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(_(
                "Chưa xác thực: hãy gửi token API (tiêu đề “Authorization: Token <token>”) hoặc đăng nhập."
            ))
        super().permission_denied(request, message=message, code=code)
