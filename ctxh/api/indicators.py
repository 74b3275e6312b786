"""/api/v1/indicators/: the programme's indicators, and their value for a unit and a period.

One API for every indicator: `/api/v1/indicators/{code}/values/?unit=CODE&period=2025`. The numbers come
from the indicator registry (`ctxh.indicators.registry.indicator_value`), the same entry point as the web
pages; this module only reads the parameters and maps the registry's errors to HTTP answers. The monitoring
work adds indicators to the registry, and they appear here without a change.

Periods are DHIS2 codes: `2025` (a year), `2025S1` / `2025S2` (six months), `2021-2025` (several years, e.g.
a phase); `date=YYYY-MM-DD` asks for one day. A stock indicator (STAFFING) takes its value on the period's
last day; a flow indicator (TRAINING) adds up the period.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ctxh.accounts.roles import Capability
from ctxh.api.common import (
    ApiViewMixin,
    BooleanParam,
    FilterSerializer,
    IsoDateParam,
    ParamMessagesMixin,
    capability_permission,
    validated_filters,
)
from ctxh.geo import selectors as geo_selectors
from ctxh.indicators import registry
from ctxh.indicators.periods import day_period, parse_period
from ctxh.indicators.results import IndicatorKind
from ctxh.workforce.models import ProgrammePhase
from ctxh.workforce.targets import target_for

TAG = _("Chỉ số")
KIND_HELP = _("ratio_stock: tỷ lệ tại một thời điểm (giá trị tại ngày cuối kỳ); count_flow: số lượt cộng dồn "
              "trong kỳ.")

# Which parameter a registry error is about, by its code.
_ERROR_PARAMS = {
    "unit_ended": "unit",
}


def _param_error(param: str, messages) -> serializers.ValidationError:
    return serializers.ValidationError({param: [
        _("Tham số %(param)s: %(message)s") % {"param": param, "message": message} for message in messages
    ]})


# ---------------------------------------------------------------------------------------------- input


class IndicatorValueParams(ParamMessagesMixin, FilterSerializer):
    unit = serializers.CharField(max_length=10, help_text=_(
        "Mã đơn vị hành chính (bắt buộc), ví dụ 08 (tỉnh) hoặc 02200 (xã, phường). Mã được dùng lại qua các "
        "thế hệ đơn vị: mặc định hiểu theo ngày cuối kỳ (xem as_of)."
    ), error_messages={"required": _(
        "Tham số unit: bắt buộc; hãy gửi mã đơn vị hành chính (ví dụ unit=08)."
    )})
    period = serializers.CharField(required=False, max_length=20, help_text=_(
        "Kỳ: một năm (2025), sáu tháng (2025S1, 2025S2) hoặc nhiều năm, ví dụ một giai đoạn (2021-2025). "
        "Chỉ số thời điểm (STAFFING) lấy giá trị tại ngày cuối kỳ; chỉ số cộng dồn (TRAINING) cộng cả kỳ. "
        "Mặc định: hôm nay với chỉ số thời điểm, giai đoạn hiện tại với chỉ số cộng dồn."
    ))
    date = IsoDateParam(required=False, help_text=_(
        "Một ngày (YYYY-MM-DD) thay cho period, ví dụ 2024-07-01."
    ))
    as_of = IsoDateParam(required=False, help_text=_(
        "Ngày dùng để hiểu mã trong tham số unit (YYYY-MM-DD), ví dụ as_of=2024-06-01 để chọn tỉnh Tuyên "
        "Quang cũ. Mặc định: ngày cuối kỳ."
    ))
    actionable = BooleanParam(required=False, help_text=_(
        "false: không kèm danh sách chi tiết (các tổ chức chưa đạt, số lượt theo xã); mặc định true."
    ))

    def validate(self, attrs):
        text = (attrs.get("period") or "").strip()
        if text and attrs.get("date"):
            raise _param_error("date", [_("chỉ dùng một trong hai tham số period hoặc date.")])
        if text:
            try:
                attrs["period"] = parse_period(text)
            except DjangoValidationError as error:
                raise _param_error("period", error.messages) from None
        elif attrs.get("date"):
            attrs["period"] = day_period(attrs["date"])
        else:
            attrs.pop("period", None)
        return attrs


# ---------------------------------------------------------------------------------------------- output


class TargetSerializer(serializers.Serializer):
    """Chỉ tiêu của một giai đoạn."""

    phase_code = serializers.CharField(help_text=_("Mã giai đoạn (1: 2021-2025, 2: 2026-2030)."))
    phase_name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("Hạn đạt chỉ tiêu (ngày cuối giai đoạn)."))
    value = serializers.FloatField(help_text=_("Chỉ tiêu: một tỷ lệ (0,6 là 60 %) hoặc một số lượt."))
    comparison = serializers.CharField(help_text=_("“>=”: ít nhất; “>”: trên."))
    label = serializers.CharField()


class IndicatorSerializer(serializers.Serializer):
    """Một chỉ số của chương trình."""

    code = serializers.CharField(help_text=_("Mã chỉ số, dùng trong đường dẫn /values/."))
    name = serializers.CharField(help_text=_("Tên chỉ số (theo ngôn ngữ của yêu cầu)."))
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    kind_label = serializers.CharField()
    value_kind = serializers.CharField(help_text=_("ratio (tỷ lệ) hoặc count (số lượt)."))
    description = serializers.CharField()
    targets = TargetSerializer(many=True)


class UnitValueSerializer(serializers.Serializer):
    """Đơn vị hành chính của giá trị (một thế hệ của một mã)."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField()
    level = serializers.IntegerField()
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


class PeriodSerializer(serializers.Serializer):
    """Kỳ: mã theo DHIS2, ngày đầu và ngày cuối (tính cả hai ngày)."""

    code = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class ValueTargetSerializer(serializers.Serializer):
    """Chỉ tiêu so sánh và đã đạt hay chưa."""

    phase_code = serializers.CharField()
    value = serializers.FloatField()
    comparison = serializers.CharField()
    label = serializers.CharField()
    deadline = serializers.DateField()
    met = serializers.BooleanField(allow_null=True)


class BreakdownRowSerializer(serializers.Serializer):
    """Một dòng phân tổ; với tỷ lệ có thêm tử số và mẫu số."""

    key = serializers.JSONField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField(required=False)
    denominator = serializers.IntegerField(required=False)
    cumulative = serializers.IntegerField(required=False)


class BreakdownSerializer(serializers.Serializer):
    """Một cách phân tổ (theo loại tổ chức, theo xã, theo giới tính, theo chủ đề, theo năm)."""

    code = serializers.CharField()
    title = serializers.CharField()
    value_kind = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)
    note = serializers.CharField()


class IndicatorValueSerializer(serializers.Serializer):
    """Giá trị của một chỉ số cho một đơn vị và một kỳ."""

    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    value_kind = serializers.CharField()
    unit = UnitValueSerializer()
    period = PeriodSerializer()
    day = serializers.DateField(allow_null=True, help_text=_(
        "Ngày lấy giá trị của chỉ số thời điểm: ngày cuối kỳ (hoặc hôm nay nếu kỳ chưa kết thúc)."))
    value = serializers.FloatField(allow_null=True, help_text=_(
        "Giá trị: tỷ lệ từ 0 đến 1, hoặc số lượt; null khi mẫu số bằng 0."))
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    target = ValueTargetSerializer(allow_null=True)
    progress = serializers.FloatField(allow_null=True, help_text=_("Mức đạt so với chỉ tiêu (1 là đạt đủ)."))
    status = serializers.CharField()
    status_label = serializers.CharField()
    breakdowns = BreakdownSerializer(many=True)
    details = serializers.DictField()
    notes = serializers.ListField(child=serializers.CharField())
    actionable = serializers.DictField(allow_null=True, required=False, help_text=_(
        "Danh sách chi tiết: title, columns (key, label, kind), rows, hidden (số dòng ngoài phạm vi của bạn, "
        "không liệt kê), note."))


def indicator_row(indicator: registry.Indicator, phases: list[ProgrammePhase]) -> dict:
    targets = []
    for phase in phases:
        target = target_for(indicator.code, phase.code)
        if target is not None:
            targets.append({
                "phase_code": phase.code, "phase_name": phase.name, "start": phase.start_date.isoformat(),
                "end": phase.end_date.isoformat(), "value": float(target.value),
                "comparison": target.comparison, "label": str(target.label),
            })
    return {
        "code": indicator.code, "name": str(indicator.name), "name_vi": indicator.name_vi,
        "name_en": indicator.name_en, "kind": indicator.kind,
        "kind_label": str(IndicatorKind(indicator.kind).label), "value_kind": indicator.value_kind,
        "description": str(indicator.description), "targets": targets,
    }


# ---------------------------------------------------------------------------------------------- views

CODE_PARAMETER = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                  description=_("Mã chỉ số, ví dụ STAFFING hoặc TRAINING."))


@extend_schema_view(
    list=extend_schema(
        tags=[TAG], summary=_("Danh sách chỉ số"),
        description=_("Các chỉ số của chương trình, với tên và chỉ tiêu từng giai đoạn."),
        responses={200: IndicatorSerializer(many=True)},
    ),
    retrieve=extend_schema(
        tags=[TAG], summary=_("Một chỉ số"), parameters=[CODE_PARAMETER],
        description=_("Tên, mô tả và chỉ tiêu từng giai đoạn của một chỉ số."),
        responses={200: IndicatorSerializer, 404: OpenApiResponse(description=_("Không có chỉ số mã này."))},
    ),
    values=extend_schema(
        tags=[TAG], summary=_("Giá trị của một chỉ số"),
        description=_(
            "Giá trị của chỉ số cho một đơn vị hành chính (cả các đơn vị trực thuộc và các đơn vị cũ đã nhập "
            "vào) và một kỳ, với tử số, mẫu số, chỉ tiêu, mức đạt, các phân tổ và danh sách chi tiết. Ví dụ: "
            "/api/v1/indicators/STAFFING/values/?unit=08&period=2025 hoặc "
            "/api/v1/indicators/TRAINING/values/?unit=08&period=2021-2025. Đơn vị ngoài phạm vi của người "
            "dùng (hoặc không có) trả về 404."
        ),
        parameters=[CODE_PARAMETER, IndicatorValueParams],
        responses={
            200: IndicatorValueSerializer,
            400: OpenApiResponse(description=_("Tham số không hợp lệ (nêu tên tham số).")),
            404: OpenApiResponse(
                description=_("Không có chỉ số, hoặc đơn vị không có trong phạm vi của bạn.")),
        },
    ),
)
class IndicatorViewSet(ApiViewMixin, viewsets.ViewSet):
    permission_classes = [capability_permission(Capability.VIEW_INDICATORS, Capability.VIEW_INDICATORS)]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_]+"

    def _indicator(self, code: str) -> registry.Indicator:
        try:
            return registry.get_indicator(code)
        except registry.UnknownIndicator as error:
            raise exceptions.NotFound(error.message) from None

    def list(self, request):
        phases = list(ProgrammePhase.objects.order_by("start_date"))
        rows = [indicator_row(indicator, phases) for indicator in registry.indicator_list()]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(page)

    def retrieve(self, request, code=None):
        indicator = self._indicator(code)
        return Response(indicator_row(indicator, list(ProgrammePhase.objects.order_by("start_date"))))

    @action(detail=True, methods=["get"])
    def values(self, request, code=None):
        indicator = self._indicator(code)
        params = validated_filters(IndicatorValueParams, request)
        today = timezone.localdate()
        period = params.get("period") or indicator.default_period(today)
        unit = params["unit"]
        if params.get("as_of"):
            unit = self._unit_as_of(unit, params["as_of"])
        try:
            result = registry.indicator_value(indicator.code, unit=unit, period=period, user=request.user,
                                              today=today)
            data = result.to_dict(actionable=params.get("actionable", True))
        except registry.UnitNotAvailable as error:
            raise exceptions.NotFound(error.message) from None
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise self._bad_request(error, date_given=bool(params.get("date"))) from None
        data = {"code": data.pop("indicator"), **data}
        return Response(data)

    @staticmethod
    def _unit_as_of(code: str, day: dt.date):
        try:
            return geo_selectors.unit_by_code(code, day)
        except geo_selectors.UnitNotFound:
            # The same answer as a unit outside the scope: a guess reveals nothing.
            raise exceptions.NotFound(registry.UnitNotAvailable(code).message) from None

    @staticmethod
    def _bad_request(error: DjangoValidationError, *, date_given: bool) -> serializers.ValidationError:
        """The registry's errors, under the parameter they are about (the period's unless said otherwise)."""
        detail: dict[str, list] = {}
        for item in error.error_list:
            param = _ERROR_PARAMS.get(item.code or "", "date" if date_given else "period")
            message = item.message % item.params if item.params else item.message
            detail.setdefault(param, []).append(
                _("Tham số %(param)s: %(message)s") % {"param": param, "message": message})
        return serializers.ValidationError(detail)
