"""Building blocks shared by the API resources.

Each list endpoint reads its query parameters with a small *filter serializer* (the input), hands the
validated values to a selector of the domain app (the read), and serializes the page (the output): views
stay thin and the web pages and the API give the same answers.

API conventions: dates are ISO 8601 (YYYY-MM-DD) both ways (the web pages show dd/mm/yyyy); a bad query
parameter answers 400 with `{"<parameter>": ["<Vietnamese message naming the parameter>"]}`.

Every *writing* resource shares the rest: strict input serializers (unknown fields refused, Vietnamese
messages naming the field), capability permissions, a service's validation errors as 400 and a stale version
as 409.
"""

import datetime as dt
import re
from collections.abc import Callable

from django.core import validators
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.utils.formatting import lazy_format

from ctxh.accounts.roles import Capability
from ctxh.workforce.services import ConcurrentEditError

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def today() -> dt.date:
    """Today in the site's time zone (Asia/Ho_Chi_Minh), the default of every `as_of`."""
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------- input


def iso_date(text: str) -> dt.date | None:
    """The date written YYYY-MM-DD, or None for anything else: no guessing between dd/mm and mm/dd."""
    try:
        return dt.date.fromisoformat(text) if ISO_DATE.match(text) else None
    except ValueError:
        return None


class IsoDateParam(serializers.DateField):
    """A date written YYYY-MM-DD and nothing else: no guessing between dd/mm and mm/dd in the API."""

    def invalid_message(self, text: str) -> str:
        return _("Tham số %(param)s: “%(value)s” không phải một ngày hợp lệ; hãy dùng định dạng YYYY-MM-DD "
                 "(ví dụ 2025-07-01).") % {"param": self.field_name, "value": text}

    def to_internal_value(self, value):
        text = str(value).strip()
        day = iso_date(text)
        if day is None:
            raise serializers.ValidationError(self.invalid_message(text), code="invalid")
        return day


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


def id_filter(label):
    return serializers.IntegerField(required=False, min_value=1, help_text=label)


class ParamMessagesMixin:
    """Query parameters: Vietnamese messages naming the parameter for ids that are not numbers and for text
    that is too long (the other parameter types of common.py name the parameter themselves)."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if isinstance(field, serializers.IntegerField):
                message = _("Tham số %(param)s: hãy dùng số định danh (id), là một số nguyên dương.") % {
                    "param": name}
                use_messages(field, dict.fromkeys(
                    ("invalid", "min_value", "max_value", "max_string_length"), message))
            elif isinstance(field, serializers.CharField):
                use_messages(field, {"max_length": _("Tham số %(param)s: tối đa {max_length} ký tự.") % {
                    "param": name}})
        return fields


def in_scope_or_400(queryset, pk: int, param: str, noun):
    """The record `pk` of a scoped queryset, or a 400 naming the parameter (out of scope reads as absent)."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError({param: [_(
            "Tham số %(param)s: không tìm thấy %(noun)s có id %(id)s trong phạm vi của bạn."
        ) % {"param": param, "noun": noun, "id": pk}]})
    return found


# ------------------------------------------------------------------------------- input: request bodies


_LIMITS = (
    ("max_length", validators.MaxLengthValidator),
    ("min_length", validators.MinLengthValidator),
    ("max_value", validators.MaxValueValidator),
    ("min_value", validators.MinValueValidator),
)


def use_messages(field: serializers.Field, messages: dict) -> None:
    """Give a field these error messages, including those of the limit validators that DRF builds when the
    field is created (max_length, min_value, ...)."""
    field.error_messages.update(messages)
    limit_kinds = tuple(validator for _attr, validator in _LIMITS)
    rebuilt = [validator for validator in field.validators if not isinstance(validator, limit_kinds)]
    for attr, validator in _LIMITS:
        limit = getattr(field, attr, None)
        if limit is not None:
            message = lazy_format(field.error_messages[attr], **{attr: limit})
            rebuilt.append(validator(limit, message=message))
    field.validators = rebuilt


def _field_messages(name: str, field: serializers.Field) -> dict:
    """Vietnamese messages naming the field, for DRF's own checks (its Vietnamese catalogue is partial)."""
    messages = {
        "required": _("Thiếu trường %(field)s: trường này là bắt buộc.") % {"field": name},
        "null": _("Trường %(field)s không được để trống (null).") % {"field": name},
        "blank": _("Trường %(field)s không được để trống.") % {"field": name},
        "max_length": _("Trường %(field)s: tối đa {max_length} ký tự.") % {"field": name},
        "min_value": _("Trường %(field)s: giá trị nhỏ nhất là {min_value}.") % {"field": name},
        "max_value": _("Trường %(field)s: giá trị lớn nhất là {max_value}.") % {"field": name},
        "max_string_length": _("Trường %(field)s: số quá lớn.") % {"field": name},
        "not_a_list": _("Trường %(field)s phải là một danh sách.") % {"field": name},
        "empty": _("Trường %(field)s: danh sách không được rỗng.") % {"field": name},
        "does_not_exist": _(
            "Trường %(field)s: không tìm thấy “{value}” (không có, hoặc ngoài phạm vi của bạn)."
        ) % {"field": name},
        "incorrect_type": _("Trường %(field)s: giá trị không đúng kiểu.") % {"field": name},
    }
    if isinstance(field, serializers.SlugRelatedField):
        messages["does_not_exist"] = _("Trường %(field)s: không có mã “{value}”.") % {"field": name}
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        messages["does_not_exist"] = _(
            "Trường %(field)s: không tìm thấy bản ghi có id {pk_value} (không có, hoặc ngoài phạm vi "
            "của bạn)."
        ) % {"field": name}
        messages["incorrect_type"] = _("Trường %(field)s: hãy gửi số định danh (id) là một số nguyên.") % {
            "field": name}
    if isinstance(field, serializers.ChoiceField):
        accepted = ", ".join(str(key) for key in field.choices)
        messages["invalid_choice"] = _(
            "Trường %(field)s: “{input}” không phải giá trị hợp lệ. Giá trị hợp lệ: %(values)s."
        ) % {"field": name, "values": accepted}
    if isinstance(field, serializers.IntegerField):
        messages["invalid"] = _("Trường %(field)s: hãy nhập một số nguyên.") % {"field": name}
    elif isinstance(field, serializers.BooleanField):
        messages["invalid"] = _("Trường %(field)s: hãy dùng true hoặc false.") % {"field": name}
    elif isinstance(field, serializers.CharField):
        messages["invalid"] = _("Trường %(field)s: hãy nhập một chuỗi ký tự.") % {"field": name}
    elif isinstance(field, serializers.Serializer):
        messages["invalid"] = _("Trường %(field)s phải là một đối tượng JSON.") % {"field": name}
    return messages


class InputSerializer(serializers.Serializer):
    """The body of a write: unknown fields are refused (a typo must not be silently ignored), and every
    message names its field in Vietnamese."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            use_messages(field, _field_messages(name, field))
            child = getattr(field, "child_relation", None) or getattr(field, "child", None)
            if child is not None:
                use_messages(child, _field_messages(name, child))
        return fields

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": [
                _("Nội dung yêu cầu phải là một đối tượng JSON.")]})
        writable = {name for name, field in self.fields.items() if not field.read_only}
        unknown = sorted(set(data) - writable)
        if unknown:
            raise serializers.ValidationError({name: [_(
                "Trường %(field)s không được nhận ở đây. Các trường được nhận: %(accepted)s."
            ) % {"field": name, "accepted": ", ".join(sorted(writable))}] for name in unknown})
        return super().to_internal_value(data)


class IsoDateField(IsoDateParam):
    """A date in a request body: YYYY-MM-DD only, with a message naming the field."""

    def invalid_message(self, text: str) -> str:
        return _("Trường %(field)s: “%(value)s” không phải một ngày hợp lệ; hãy dùng định dạng YYYY-MM-DD "
                 "(ví dụ 2025-07-01).") % {"field": self.field_name, "value": text}


@extend_schema_field(OpenApiTypes.INT)
class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to a record of the user's scope: one outside it is "not found", as for a URL."""

    def __init__(self, scoped: Callable, **kwargs):
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped(self.context["request"].user)


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


BAD_FILTERS = OpenApiResponse(description=_("Tham số lọc không hợp lệ."))
BAD_INPUT = OpenApiResponse(description=_("Dữ liệu không hợp lệ (nêu tên trường)."))


def list_schema(tag, summary, description, *, serializer, filters=None):
    """The schema of a list: its filter serializer's query parameters and, with them, a 400 for a bad one."""
    if filters is None:
        return extend_schema(tags=[tag], summary=summary, description=description,
                             responses={200: serializer(many=True)})
    return extend_schema(tags=[tag], summary=summary, description=description, parameters=[filters],
                         responses={200: serializer(many=True), 400: BAD_FILTERS})


def retrieve_schema(tag, summary, description, *, id_description):
    """The schema of one record read by its id."""
    return extend_schema(tags=[tag], summary=summary, description=description,
                         parameters=[id_parameter(id_description)])


def write_schema(tag, summary, description, *, request, response, status_code=status.HTTP_201_CREATED,
                 id_description=None, bad_input=BAD_INPUT, conflict=False):
    """The schema of a write: its body, the record answered, a 400 naming the bad fields (and a 409 for a
    stale version when `conflict`); `id_description` for a write to one record."""
    responses = {status_code: response, 400: bad_input}
    if conflict:
        responses[409] = ConflictSerializer
    parameters = {"parameters": [id_parameter(id_description)]} if id_description else {}
    return extend_schema(tags=[tag], summary=summary, description=description, request=request,
                         responses=responses, **parameters)


class Conflict(exceptions.APIException):
    """409: the record changed after the client read it (optimistic locking)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_version"
    default_detail = _("Bản ghi đã được người khác sửa sau khi bạn đọc nó.")

    def __init__(self, *, message, version: int, changes: list[dict], current: dict):
        super().__init__(message)
        self.detail = {
            "detail": exceptions.ErrorDetail(str(message), code="stale_version"),
            "code": "stale_version",
            "version": version,
            "changes": changes,
            "current": current,
        }


class ConflictSerializer(serializers.Serializer):
    """Trả lời 409: bản ghi đã được người khác sửa sau khi bạn đọc; không có gì được ghi."""

    detail = serializers.CharField(help_text=_("Thông báo cho người dùng."))
    code = serializers.CharField(help_text=_("Luôn là “stale_version”."))
    version = serializers.IntegerField(help_text=_("Phiên bản hiện tại: gửi lại với số này sau khi xem lại."))
    changes = serializers.ListField(child=serializers.DictField(), help_text=_(
        "Các trường người khác đã sửa: field (tên trường), label (tên tiếng Việt), value (giá trị hiện tại)."
    ))
    current = serializers.DictField(help_text=_("Bản ghi như hiện có trong cơ sở dữ liệu."))


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

    def validated_input(self, serializer_class) -> dict:
        """The request body checked by an input serializer (a 400 naming each bad field), as a new dict."""
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)


def capability_permission(read: Capability | None, write: Capability) -> type[permissions.BasePermission]:
    """Signed-in users with `read` may read (any signed-in user when None); `write` is needed to change."""

    class HasCapability(permissions.BasePermission):
        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False
            if request.method in permissions.SAFE_METHODS:
                if read is None or user.can(read):
                    return True
                self.message = _("Vai trò của bạn không có quyền xem dữ liệu này.")
                return False
            if user.can(write):
                return True
            self.message = _("Vai trò của bạn không có quyền thay đổi dữ liệu này.")
            return False

    HasCapability.__name__ = f"Can{write.value.title().replace('_', '')}"
    return HasCapability


def drf_errors(error: DjangoValidationError, *, prefix: str | None = None) -> serializers.ValidationError:
    """A service's ValidationError (Vietnamese messages keyed by field) as a 400 answer."""
    if hasattr(error, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {"non_field_errors": [str(m) for m in error.messages]}
    return serializers.ValidationError({prefix: detail} if prefix else detail)


def call_service(function: Callable, *, prefix: str | None = None, **kwargs):
    """Run a service; its validation errors answer 400 (nothing was written)."""
    try:
        return function(**kwargs)
    except ConcurrentEditError:
        raise
    except DjangoValidationError as error:
        raise drf_errors(error, prefix=prefix) from None
