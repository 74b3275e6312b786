"""/api/v1/data-sets/ and /api/v1/data-values/: aggregate reporting (DHIS2-style) through the API.

- `GET /api/v1/data-sets/` (and `/{code}/`): the definitions: period type, reporting level, deadlines,
  elements with their cells (category option combos), validation rules.
- `GET /api/v1/data-values/?dataSet=CTXH_6M&period=2025S1&unit=02200` (or `unitId=<id>`; `children=true`
  for the reporting units under the unit): the values, with their version for a later update.
- `POST /api/v1/data-values/`: a batch for one data set, unit and period, saved through
  `ctxh.indicators.aggregate.services.save_data_values` (all or nothing). 400: messages keyed by the cell
  (`ELEMENT.OPTION`), the element (a validation rule), `period` or `unit`; 409: a cell changed since its
  version was read; 403: a role without the capability; 404: a unit unknown or out of the user's scope.

Names follow DHIS2's dataValueSets (camelCase: dataSet, dataElement, categoryOptionCombo) so that an M&E
officer recognizes them. A unit code is read as of the period (codes are reused across generations: 02200 is
the old Phan Thiết ward for 2025S1 and the new Minh Xuân ward for 2025S2).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from ctxh.accounts.roles import Capability
from ctxh.accounts.scoping import unit_closure
from ctxh.api.common import (
    ApiViewMixin,
    BooleanParam,
    FilterSerializer,
    InputSerializer,
    ParamMessagesMixin,
    capability_permission,
    validated_filters,
)
from ctxh.geo.models import Unit
from ctxh.indicators.aggregate import selectors
from ctxh.indicators.aggregate.services import StaleValueError, ValueInput, save_data_values
from ctxh.indicators.models import DataSet, DataSetElement, DataValue
from ctxh.indicators.periods import Period

TAG = _("Báo cáo số liệu")
UNIT_NOT_FOUND = _("Không tìm thấy đơn vị hành chính (không có, hoặc ngoài phạm vi của bạn).")


# ---------------------------------------------------------------------------------------------- helpers


def _number(value: Decimal | None):
    """A whole number as an integer, otherwise a float (JSON has no decimals)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _data_set_or_400(code: str, param: str) -> DataSet:
    data_set = DataSet.objects.filter(code=code, is_active=True).first()
    if data_set is None:
        codes = ", ".join(DataSet.objects.filter(is_active=True).values_list("code", flat=True))
        raise serializers.ValidationError({param: [_(
            "%(param)s: không có bộ số liệu mã “%(code)s”. Các bộ số liệu: %(codes)s."
        ) % {"param": param, "code": code, "codes": codes}]})
    return data_set


def _period_or_400(data_set: DataSet, code: str, param: str = "period") -> Period:
    try:
        return selectors.data_set_period(data_set, code)
    except DjangoValidationError as error:
        raise serializers.ValidationError({param: [
            _("%(param)s: %(message)s") % {"param": param, "message": message} for message in error.messages
        ]}) from None


def _unit_or_404(user, period: Period, *, code: str | None = None, pk: int | None = None) -> Unit:
    """The unit of `code` as of the period (the one valid on its last day first), or of id `pk`, in the user's
    scope; anything else answers 404 with the same message (a guess reveals nothing)."""
    units = Unit.objects.for_user(user)
    if pk is not None:
        unit = units.filter(pk=pk).first()
    else:
        unit = (units.filter(code=str(code).strip()).overlapping(period.start, period.end)
                .order_by(F("valid_to").desc(nulls_first=True), "-valid_from").first())
    if unit is None:
        raise exceptions.NotFound(UNIT_NOT_FOUND)
    return unit


# ---------------------------------------------------------------------------------------------- data sets


class OptionSerializer(serializers.Serializer):
    """Một ô phân tổ (category option combo)."""

    code = serializers.CharField()
    name = serializers.CharField()
    dimensions = serializers.DictField(help_text=_(
        "Ô này ứng với phân tổ nào của chỉ số, ví dụ {\"sex\": \"female\"}."))


class ElementSerializer(serializers.Serializer):
    """Một phần tử dữ liệu của bộ số liệu, với các ô phân tổ."""

    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    value_type = serializers.CharField(help_text=_("INTEGER_ZERO_OR_POSITIVE: số nguyên từ 0 trở lên."))
    category_combo = serializers.CharField(help_text=_("Mã cách phân tổ: default, SEX, GROUP."))
    options = OptionSerializer(many=True)


class RuleSerializer(serializers.Serializer):
    """Một quy tắc kiểm tra: vế trái, phép so sánh, vế phải; refuse: không cho lưu, warn: lưu và cảnh báo."""

    code = serializers.CharField()
    left_side = serializers.CharField(help_text=_(
        "Tổng các số hạng #{ELEMENT} (mọi ô) hoặc #{ELEMENT.OPTION} (một ô) nối bằng +."))
    operator = serializers.CharField()
    right_side = serializers.CharField()
    action = serializers.CharField(help_text=_("refuse hoặc warn."))
    instruction = serializers.CharField()


class DataSetSerializer(serializers.Serializer):
    """Một bộ số liệu (biểu mẫu báo cáo) và các định nghĩa của nó."""

    code = serializers.CharField()
    name = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    period_type = serializers.CharField(help_text=_("SixMonthly (kỳ 2025S1, 2025S2) hoặc Yearly (kỳ 2025)."))
    unit_level = serializers.IntegerField(help_text=_("Cấp đơn vị báo cáo (3: xã, phường)."))
    expiry_days = serializers.IntegerField(help_text=_("Số ngày sau cuối kỳ còn nhập được (sau đó khóa)."))
    timely_days = serializers.IntegerField(help_text=_(
        "Hoàn thành trong số ngày này sau cuối kỳ là đúng hạn."))
    elements = ElementSerializer(many=True)
    rules = RuleSerializer(many=True)


def data_set_row(data_set: DataSet) -> dict:
    elements = selectors.data_set_elements(data_set)
    return {
        "code": data_set.code, "name": data_set.name, "name_vi": data_set.name_vi,
        "name_en": data_set.name_en,
        "period_type": data_set.period_type, "unit_level": data_set.unit_level,
        "expiry_days": data_set.expiry_days, "timely_days": data_set.timely_days,
        "elements": [{
            "code": e.code, "name": e.name, "description": e.description_vi, "value_type": e.value_type,
            "category_combo": e.category_combo.code,
            "options": [{"code": o.code, "name": o.name, "dimensions": o.dimensions} for o in e.form_options],
        } for e in elements],
        "rules": [{
            "code": r.code, "left_side": r.left_side, "operator": r.operator, "right_side": r.right_side,
            "action": r.action, "instruction": r.instruction,
        } for r in data_set.validation_rules.order_by("code")],
    }


DATA_SET_CODE = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                 description=_("Mã bộ số liệu, ví dụ CTXH_6M hoặc CTXH_YEAR."))


@extend_schema_view(
    list=extend_schema(tags=[TAG], summary=_("Danh sách bộ số liệu"),
                       description=_("Các bộ số liệu đang dùng, với phần tử dữ liệu, ô phân tổ và quy tắc "
                                     "kiểm tra."),
                       responses={200: DataSetSerializer(many=True)}),
    retrieve=extend_schema(tags=[TAG], summary=_("Một bộ số liệu"), parameters=[DATA_SET_CODE],
                           responses={200: DataSetSerializer,
                                      404: OpenApiResponse(description=_("Không có bộ số liệu mã này."))}),
)
class DataSetViewSet(ApiViewMixin, viewsets.ViewSet):
    permission_classes = [capability_permission(Capability.VIEW_INDICATORS, Capability.MANAGE_AGGREGATE)]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_]+"

    def list(self, request):
        rows = [data_set_row(s) for s in DataSet.objects.filter(is_active=True).order_by("code")]
        paginator = self.pagination_class()
        return paginator.get_paginated_response(paginator.paginate_queryset(rows, request, view=self))

    def retrieve(self, request, code=None):
        data_set = DataSet.objects.filter(code=code, is_active=True).first()
        if data_set is None:
            raise exceptions.NotFound(_("Không có bộ số liệu mã “%(code)s”.") % {"code": code})
        return Response(data_set_row(data_set))


# ---------------------------------------------------------------------------------------------- values


class DataValueParams(ParamMessagesMixin, FilterSerializer):
    dataSet = serializers.CharField(max_length=40, help_text=_("Mã bộ số liệu (bắt buộc), ví dụ CTXH_6M."),
                                    error_messages={"required": _(
                                        "Tham số dataSet: bắt buộc, ví dụ CTXH_6M.")})
    period = serializers.CharField(max_length=20, help_text=_(
        "Kỳ (bắt buộc), theo loại kỳ của bộ số liệu: 2025S1 (sáu tháng) hoặc 2025 (năm)."),
        error_messages={"required": _("Tham số period: bắt buộc, ví dụ 2025S1.")})
    unit = serializers.CharField(required=False, max_length=10, help_text=_(
        "Mã đơn vị hành chính, hiểu theo kỳ (02200 là phường Phan Thiết cũ với 2025S1, phường Minh Xuân mới "
        "với 2025S2). Dùng unit hoặc unitId."))
    unitId = serializers.IntegerField(required=False, min_value=1, help_text=_(
        "Số định danh (id) của đơn vị hành chính, thay cho unit."))
    children = BooleanParam(required=False, help_text=_(
        "true: giá trị của mọi đơn vị báo cáo thuộc đơn vị này (kể cả các đơn vị cũ đã nhập vào); mặc định "
        "false: chỉ đơn vị này."))

    def validate(self, attrs):
        if ("unit" in attrs) == ("unitId" in attrs):
            raise serializers.ValidationError({"unit": [_(
                "Tham số unit: hãy gửi mã đơn vị (unit) hoặc số định danh (unitId), một trong hai.")]})
        return attrs


class ValueOutSerializer(serializers.Serializer):
    """Một giá trị báo cáo: phần tử × ô × đơn vị × kỳ."""

    dataSet = serializers.CharField()
    dataElement = serializers.CharField()
    categoryOptionCombo = serializers.CharField()
    period = serializers.CharField()
    unit = serializers.CharField(help_text=_("Mã đơn vị hành chính."))
    unitId = serializers.IntegerField()
    unitName = serializers.CharField()
    value = serializers.FloatField(help_text=_("Số nguyên khi là số đếm."))
    comment = serializers.CharField()
    version = serializers.IntegerField(help_text=_(
        "Gửi lại trong version khi sửa, để không ghi đè thay đổi của người khác."))
    updatedAt = serializers.DateTimeField()


@extend_schema_field(OpenApiTypes.STR)
class UnitRefField(serializers.Field):
    """A unit by code (a string) or by id (a number)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or str(data).strip() == "":
            raise serializers.ValidationError(_(
                "Trường unit: hãy gửi mã đơn vị (chuỗi, ví dụ \"02200\") hoặc số định danh (số nguyên)."))
        return data

    def to_representation(self, value):
        return value


class ValueInSerializer(InputSerializer):
    dataElement = serializers.CharField(max_length=60, help_text=_("Mã phần tử dữ liệu."))
    categoryOptionCombo = serializers.CharField(max_length=60, required=False, default="default", help_text=_(
        "Mã ô phân tổ (MALE, FEMALE, GROUP_OTHER, ...); mặc định default."))
    value = serializers.CharField(allow_blank=True, allow_null=True, max_length=40, trim_whitespace=False,
                                  help_text=_(
                                      "Số nguyên từ 0 trở lên, viết liền (1234); rỗng hoặc null: xóa ô."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default=None,
                                    allow_null=True, help_text=_("Ghi chú; không gửi: giữ ghi chú đang có."))
    version = serializers.IntegerField(required=False, min_value=0, default=None, allow_null=True,
                                       help_text=_(
        "Phiên bản đã đọc (0: ô đang trống). Không gửi: không kiểm tra."))

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("value"), int | float) and not isinstance(
                data.get("value"), bool):
            data = {**data, "value": str(data["value"])}
        return super().to_internal_value(data)


class BatchSerializer(InputSerializer):
    dataSet = serializers.CharField(max_length=40, help_text=_("Mã bộ số liệu."))
    period = serializers.CharField(max_length=20, help_text=_("Kỳ: 2025S1 hoặc 2025, theo bộ số liệu."))
    unit = UnitRefField(help_text=_("Mã đơn vị (chuỗi, hiểu theo kỳ) hoặc số định danh (số nguyên)."))
    dryRun = serializers.BooleanField(required=False, default=False, help_text=_(
        "true: kiểm tra tất cả, không ghi gì."))
    dataValues = ValueInSerializer(many=True, help_text=_("Các ô cần lưu."))


class SaveResultSerializer(serializers.Serializer):
    """Kết quả lưu: số ô nhập mới, sửa, xóa, không đổi; các cảnh báo (quy tắc “warn”)."""

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    deleted = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    warnings = serializers.ListField(child=serializers.CharField())
    dryRun = serializers.BooleanField()


class StaleSerializer(serializers.Serializer):
    """Trả lời 409: các ô đã được người khác sửa sau khi bạn đọc; không có gì được ghi."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text=_("Luôn là “stale_version”."))
    cells = serializers.ListField(child=serializers.DictField(), help_text=_(
        "Mỗi ô: cell (PHẦN_TỬ.Ô), value (giá trị hiện tại, null nếu đã bị xóa), version, message."))


class Stale(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale_version"
    default_detail = _("Một số ô đã được người khác sửa sau khi bạn đọc.")

    def __init__(self, error: StaleValueError):
        super().__init__()
        messages = error.message_dict
        self.detail = {
            "detail": exceptions.ErrorDetail(str(self.default_detail), code="stale_version"),
            "code": "stale_version",
            "cells": [{"cell": cell.key, "value": _number(cell.value), "version": cell.version,
                       "message": " ".join(messages.get(cell.key, []))} for cell in error.cells],
        }


def _service_errors(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError({("non_field_errors" if key == "__all__" else key): messages
                                            for key, messages in error.message_dict.items()})
    return serializers.ValidationError({"non_field_errors": error.messages})


@extend_schema_view(
    list=extend_schema(
        tags=[TAG], summary=_("Giá trị báo cáo"), parameters=[DataValueParams],
        description=_("Các giá trị của một bộ số liệu, một kỳ, một đơn vị (hoặc các đơn vị báo cáo thuộc nó "
                      "với children=true), trong phạm vi của bạn. Ví dụ: "
                      "/api/v1/data-values/?dataSet=CTXH_6M&period=2025S1&unit=02200."),
        responses={200: ValueOutSerializer(many=True),
                   400: OpenApiResponse(description=_("Tham số không hợp lệ (nêu tên tham số).")),
                   404: OpenApiResponse(description=_("Đơn vị không có hoặc ngoài phạm vi của bạn."))},
    ),
    create=extend_schema(
        tags=[TAG], summary=_("Lưu một lô giá trị"), request=BatchSerializer,
        description=_("Lưu các ô của một bộ số liệu, một đơn vị, một kỳ: tất cả hoặc không ô nào. "
                      "Cùng kiểm tra như biểu mẫu: số nguyên không âm, mã phần tử và ô, loại kỳ, kỳ đã "
                      "bắt đầu, đơn vị tồn tại trong kỳ, hạn nhập (khóa sau hạn trừ khi cấp tỉnh mở lại), "
                      "quy tắc kiểm tra, phiên bản. Gửi lại đúng các giá trị đã lưu không thay đổi gì."),
        responses={200: SaveResultSerializer,
                   400: OpenApiResponse(description=_(
                       "Không lưu gì: các thông báo theo ô (PHẦN_TỬ.Ô), theo phần tử (quy tắc kiểm tra), "
                       "period hoặc unit.")),
                   403: OpenApiResponse(description=_("Vai trò không có quyền nhập số liệu báo cáo.")),
                   404: OpenApiResponse(description=_("Đơn vị không có hoặc ngoài phạm vi của bạn.")),
                   409: StaleSerializer},
    ),
)
class DataValueViewSet(ApiViewMixin, viewsets.ViewSet):
    permission_classes = [capability_permission(Capability.VIEW_INDICATORS, Capability.ENTER_AGGREGATE)]

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "view": self}

    def list(self, request):
        params = validated_filters(DataValueParams, request)
        data_set = _data_set_or_400(params["dataSet"], "dataSet")
        period = _period_or_400(data_set, params["period"])
        unit = _unit_or_404(request.user, period, code=params.get("unit"), pk=params.get("unitId"))
        if params.get("children"):
            units = (Unit.objects.for_user(request.user)
                     .filter(pk__in=unit_closure([unit.pk]), level=data_set.unit_level).values("pk"))
            where = Q(unit__in=units)
        else:
            where = Q(unit=unit)
        links = DataSetElement.objects.filter(data_set=data_set)
        values = (DataValue.objects.filter(where, period_code=period.code,
                                           data_element__in=links.values("data_element_id"))
                  .annotate(element_order=Subquery(links.filter(data_element=OuterRef("data_element"))
                                                   .values("sort_order")[:1]))
                  .select_related("data_element", "category_option_combo", "unit")
                  .order_by("unit__code", "unit_id", "element_order", "category_option_combo__sort_order"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(values, request, view=self)
        rows = [{
            "dataSet": data_set.code, "dataElement": v.data_element.code,
            "categoryOptionCombo": v.category_option_combo.code, "period": v.period_code, "unit": v.unit.code,
            "unitId": v.unit_id, "unitName": v.unit.name, "value": _number(v.value), "comment": v.comment,
            "version": v.version, "updatedAt": v.updated_at,
        } for v in page]
        return paginator.get_paginated_response(ValueOutSerializer(rows, many=True).data)

    def create(self, request):
        body = self.validated_input(BatchSerializer)
        data_set = _data_set_or_400(body["dataSet"], "dataSet")
        period = _period_or_400(data_set, body["period"])
        ref = body["unit"]
        unit = _unit_or_404(request.user, period, pk=ref if isinstance(ref, int) else None,
                            code=ref if isinstance(ref, str) else None)
        values = [ValueInput(item["dataElement"], item["categoryOptionCombo"], item["value"], item["comment"],
                             item["version"]) for item in body["dataValues"]]
        try:
            result = save_data_values(user=request.user, data_set=data_set, unit=unit,
                                      period_code=period.code, values=values, source="api",
                                      dry_run=body["dryRun"])
        except StaleValueError as error:
            raise Stale(error) from None
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        return Response({"created": result.created, "updated": result.updated, "deleted": result.deleted,
                         "unchanged": result.unchanged, "warnings": result.warnings,
                         "dryRun": result.dry_run})
