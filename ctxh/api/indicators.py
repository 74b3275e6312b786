"""/api/v1/indicators/: the programme's indicators, and their value for a unit and a period.

One API for every indicator: `/api/v1/indicators/{code}/values/?unit=CODE&period=2025`. The numbers come
from the indicator registry (`ctxh.indicators.registry.indicator_value`), the same entry point as the web
pages; this module only reads the parameters and maps the registry's errors to HTTP answers. The monitoring
work adds indicators to the registry, and they appear here without a change.

Periods are DHIS2 codes: `2025` (a year), `2025S1` / `2025S2` (six months), `2021-2025` (several years, e.g.
a phase); `date=YYYY-MM-DD` asks for one day. A stock indicator (STAFFING) takes its value on the period's
last day; a flow indicator (TRAINING) adds up the period.

Two answers (docs/dhis2.md, "The values API"):
- live (neither `geography`, `by` nor `children`): computed now by the registry, with breakdowns, target and
  the actionable list; any period or a day (`date=`);
- from the fact table (`geography=current|historical`, `by=<dimension>`, `children=true`): the numbers the
  engine keeps for whole periods (years, halves, phases), for the unit of today's map (`current`, restating
  older periods through its predecessors) or of the period's map (`historical`), one dimension's categories,
  and the unit's children. `date=` is refused there: facts are kept for whole periods only.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ctxh.accounts.roles import Capability
from ctxh.api.common import (
    ApiViewMixin,
    BooleanParam,
    ChoiceParam,
    FilterSerializer,
    IsoDateParam,
    ParamMessagesMixin,
    capability_permission,
    validated_filters,
)
from ctxh.audit.models import AccessAction
from ctxh.geo import selectors as geo_selectors
from ctxh.geo.models import Unit
from ctxh.indicators import facts, registry
from ctxh.indicators.access import log_people_listed
from ctxh.indicators.models import IndicatorDefinition
from ctxh.indicators.periods import Period, PeriodKind, day_period, parse_period, year_period
from ctxh.indicators.results import IndicatorKind
from ctxh.indicators.targets import programme_for_unit, target_label, targets_for
from ctxh.workforce.models import ProgrammePhase

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


GEOGRAPHIES = ("current", "historical")
DIMENSIONS = ("sex", "group", "age", "ethnicity", "kind")


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
    geography = ChoiceParam(GEOGRAPHIES, noun=_("địa giới"), required=False, help_text=_(
        "Đọc từ bảng tổng hợp: current (đơn vị hiện nay, số liệu các kỳ trước được tính lại theo đơn vị "
        "hiện nay) hoặc historical (đơn vị mang mã trong kỳ). Chỉ cho cả kỳ, không dùng với date."
    ))
    by = ChoiceParam(DIMENSIONS, noun=_("cách phân tổ"), required=False, help_text=_(
        "Đọc từ bảng tổng hợp, theo một cách phân tổ: sex (giới tính), group (nhóm đối tượng), age (nhóm "
        "tuổi), ethnicity (dân tộc), kind (loại tổ chức)."
    ))
    children = BooleanParam(required=False, help_text=_(
        "true: đọc từ bảng tổng hợp, kèm giá trị của từng đơn vị trực thuộc."
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

    programme = serializers.CharField(help_text=_("Mã chương trình đặt chỉ tiêu, ví dụ PLAN154_TQ."))
    phase_code = serializers.CharField(help_text=_("Mã giai đoạn (1: 2021-2025, 2: 2026-2030)."))
    phase_name = serializers.CharField()
    period_code = serializers.CharField(help_text=_(
        "Kỳ đo giá trị so với chỉ tiêu: một năm (2025) hoặc một giai đoạn cộng dồn (2021-2025)."))
    start = serializers.DateField(help_text=_("Ngày bắt đầu tính chỉ tiêu."))
    end = serializers.DateField(help_text=_("Hạn đạt chỉ tiêu (ngày cuối giai đoạn)."))
    value = serializers.FloatField(help_text=_(
        "Chỉ tiêu: một tỷ lệ (0,6 là 60 %), một số lượt, hoặc mức tăng so với kỳ gốc (0,2 là 20 %)."))
    comparison = serializers.CharField(help_text=_(
        "“>=”: ít nhất; “>”: trên; “<=”: nhiều nhất; “growth>=”: tăng ít nhất so với kỳ gốc."))
    baseline_period_code = serializers.CharField(help_text=_("Kỳ gốc của chỉ tiêu tăng trưởng, ví dụ 2020."))
    applies_to = serializers.CharField(help_text=_(
        "any: mọi đơn vị; programme_unit: chỉ đơn vị của chương trình (tỉnh), không phân bổ cho xã."))
    label = serializers.CharField()
    is_confirmed = serializers.BooleanField(help_text=_("false: con số chưa được đối chiếu với văn bản gốc."))


class ProgrammeTargetsSerializer(serializers.Serializer):
    """Các chỉ tiêu của một chương trình đang theo dõi cho chỉ số."""

    code = serializers.CharField()
    name = serializers.CharField()
    targets = TargetSerializer(many=True)


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
    targets = TargetSerializer(many=True, help_text=_(
        "Chỉ tiêu của chương trình mặc định (chương trình đang theo dõi đầu tiên, ví dụ Kế hoạch 154)."))
    programmes = ProgrammeTargetsSerializer(many=True, help_text=_(
        "Chỉ tiêu theo từng chương trình đang theo dõi (ví dụ Kế hoạch 154 và Quyết định 112)."))


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


class FactRowSerializer(serializers.Serializer):
    """Một loại của cách phân tổ (by), đọc từ bảng tổng hợp."""

    category = serializers.CharField(help_text=_("Mã loại, ví dụ female, child_special, 0-15, school."))
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    is_estimate = serializers.BooleanField()


class FactChildSerializer(serializers.Serializer):
    """Giá trị của một đơn vị trực thuộc."""

    unit = UnitValueSerializer()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    is_estimate = serializers.BooleanField()
    rows = FactRowSerializer(many=True, required=False)


class IndicatorFactValueSerializer(serializers.Serializer):
    """Giá trị của một chỉ số đọc từ bảng tổng hợp (khi có geography, by hoặc children)."""

    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    value_kind = serializers.CharField()
    source = serializers.CharField(help_text=_("Luôn là “facts”: bảng tổng hợp, cập nhật vài giây sau mỗi "
                                               "thay đổi."))
    geography = serializers.CharField(help_text=_("current hoặc historical."))
    unit = UnitValueSerializer()
    period = PeriodSerializer()
    value = serializers.FloatField(allow_null=True, help_text=_(
        "Tỷ lệ từ 0 đến 1 hoặc số lượng; không có số liệu: 0 với số lượng, null với tỷ lệ."))
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    records_part = serializers.FloatField(allow_null=True, help_text=_("Phần tính từ hồ sơ."))
    reported_part = serializers.FloatField(allow_null=True, help_text=_("Phần từ báo cáo tổng hợp."))
    is_estimate = serializers.BooleanField(help_text=_(
        "true: có phần phân bổ từ đơn vị cũ sáp nhập một phần (ước tính)."))
    computed_at = serializers.DateTimeField(allow_null=True)
    by = serializers.CharField(allow_null=True)
    rows = FactRowSerializer(many=True)
    children = FactChildSerializer(many=True, allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


VALUE_ANSWERS = PolymorphicProxySerializer(
    component_name="IndicatorValueAnswer",
    serializers=[IndicatorValueSerializer, IndicatorFactValueSerializer], resource_type_field_name=None)


def indicator_row(indicator: registry.Indicator, phases: list[ProgrammePhase]) -> dict:
    phase_names = {phase.code: phase.name for phase in phases}
    by_programme: dict = {}
    for target in targets_for(indicator.code):
        by_programme.setdefault(target.programme, []).append({
            "programme": target.programme.code, "phase_code": target.phase_code,
            "phase_name": phase_names.get(target.phase_code, ""), "period_code": target.period_code,
            "start": target.start_date.isoformat(), "end": target.deadline.isoformat(),
            "value": float(target.value), "comparison": target.comparison,
            "baseline_period_code": target.baseline_period_code, "applies_to": target.applies_to,
            "label": target_label(target), "is_confirmed": target.is_confirmed,
        })
    default = programme_for_unit(None)
    targets = by_programme.get(default, [])
    programmes = [{"code": programme.code, "name": programme.name, "targets": rows}
                  for programme, rows in by_programme.items()]
    return {
        "code": indicator.code, "name": str(indicator.name), "name_vi": indicator.name_vi,
        "name_en": indicator.name_en, "kind": indicator.kind,
        "kind_label": str(IndicatorKind(indicator.kind).label), "value_kind": indicator.value_kind,
        "description": str(indicator.description), "targets": targets, "programmes": programmes,
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
            "dùng (hoặc không có) trả về 404. Với geography, by hoặc children: giá trị đọc từ bảng tổng hợp "
            "(cả kỳ; đơn vị hiện nay hoặc đơn vị của kỳ; một cách phân tổ; các đơn vị trực thuộc), ví dụ "
            "/api/v1/indicators/COUNSELLED/values/?unit=08&period=2024&geography=current&by=sex."
        ),
        parameters=[CODE_PARAMETER, IndicatorValueParams],
        responses={
            200: VALUE_ANSWERS,
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
        params = validated_filters(IndicatorValueParams, request)
        if wants_facts(params):
            return Response(fact_answer(code, params, user=request.user, today=timezone.localdate()))
        indicator = self._indicator(code)
        today = timezone.localdate()
        period = params.get("period") or indicator.default_period(today)
        unit = params["unit"]
        if params.get("as_of"):
            unit = self._unit_as_of(unit, params["as_of"])
        try:
            result = registry.indicator_value(indicator.code, unit=unit, period=period, user=request.user,
                                              today=today)
            data = result.to_dict(actionable=params.get("actionable", True))
            if params.get("actionable", True):
                log_people_listed(request, result, action=AccessAction.API_LIST)
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


# ------------------------------------------------------------------------------- values from the fact table


def wants_facts(params: dict) -> bool:
    """The fact table answers when the query asks for a geography, a dimension or the children."""
    return bool(params.get("geography") or params.get("by") or params.get("children"))


def _fact_definition(code: str) -> IndicatorDefinition:
    definition = IndicatorDefinition.objects.filter(code=str(code).strip().upper(), is_active=True).first()
    if definition is None:
        raise exceptions.NotFound(registry.UnknownIndicator(str(code)).message)
    return definition


def _unit_dict(unit: Unit) -> dict:
    return {"id": unit.pk, "code": unit.code, "name": unit.name, "label": str(unit.label),
            "level": unit.level, "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None}


def _fact_numbers(fact, value_kind: str) -> dict:
    return {"value": facts.reading(fact, value_kind),
            "numerator": fact.numerator if fact is not None else None,
            "denominator": fact.denominator if fact is not None else None,
            "is_estimate": bool(fact is not None and fact.is_estimate)}


def category_labels(dimension: str, categories) -> dict[str, str]:
    """How people name the categories of a dimension (sex, group, age, ethnicity, kind)."""
    from ctxh.cases.models import CategoryGroup, Plan154ChildGroup
    from ctxh.core.models import Ethnicity
    from ctxh.core.reference import Sex
    from ctxh.orgs.models import OrgKind

    categories = list(categories)
    if dimension == "ethnicity":
        names = dict(Ethnicity.objects.filter(code__in=categories).values_list("code", "name"))
        return {category: names.get(category, category) for category in categories}
    if dimension == "age":
        return {category: str(_("%(band)s tuổi") % {"band": category}) for category in categories}
    kinds = {"sex": [Sex], "group": [CategoryGroup, Plan154ChildGroup], "kind": [OrgKind]}
    choices = kinds.get(dimension, [])
    labels = {str(value): str(label) for kind in choices for value, label in kind.choices}
    return {category: labels.get(category, category) for category in categories}


def _rows(found: list, dimension: str) -> list[dict]:
    labels = category_labels(dimension, [fact.category for fact in found])
    return [{"category": fact.category, "label": labels[fact.category], "value": fact.value,
             "numerator": fact.numerator, "denominator": fact.denominator, "is_estimate": fact.is_estimate}
            for fact in found]


def _fact_unit(code: str, *, user, period: Period, geography: str, as_of: dt.date | None,
               today: dt.date) -> Unit:
    """The unit the code names: as of `as_of` when given; else today's unit (current geography) or the unit
    carrying the code in the period (historical, the live answer's rule). 404 outside the scope."""
    scoped = Unit.objects.for_user(user)
    if as_of is not None or geography == "current":
        found = scoped.as_of(as_of or today).filter(code=code).order_by("-level").first()
        if found is None:
            raise exceptions.NotFound(registry.UnitNotAvailable(code).message)
        return found
    try:
        return registry.unit_for_period(user=user, unit=code, period=period, today=today)
    except registry.UnitNotAvailable as error:
        raise exceptions.NotFound(error.message) from None


def _children(unit: Unit, *, user, period: Period, geography: str, today: dt.date) -> list[Unit]:
    """The units directly under `unit`: those valid today (current) or during the period (historical)."""
    units = Unit.objects.for_user(user).filter(parent=unit)
    units = units.as_of(today) if geography == "current" else units.overlapping(period.start, period.end)
    return list(units.order_by("code", "valid_from"))


def fact_answer(code: str, params: dict, *, user, today: dt.date) -> dict:
    """The answer of `/values/` read from the fact table (see the module doc)."""
    definition = _fact_definition(code)
    if params.get("date") or (params.get("period") and params["period"].kind == PeriodKind.DAY):
        raise _param_error("date", [_(
            "bảng tổng hợp giữ giá trị của cả kỳ (năm, sáu tháng, giai đoạn), không theo ngày; hãy dùng "
            "period, hoặc bỏ geography, by và children để tính giá trị tại một ngày."
        )])
    dimension = params.get("by") or ""
    dimensions = list(definition.disaggregations or [])
    if dimension and dimension not in dimensions:
        raise _param_error("by", [_("chỉ số %(code)s không có phân tổ theo “%(by)s”; các phân tổ: "
                                    "%(list)s.") % {"code": definition.code, "by": dimension,
                                                    "list": ", ".join(dimensions) or "—"}])
    period = params.get("period") or year_period(today.year)
    geography = params.get("geography") or "historical"
    unit = _fact_unit(params["unit"], user=user, period=period, geography=geography,
                      as_of=params.get("as_of"), today=today)
    total = facts.value(definition.code, unit.pk, period.code)
    answer = {
        "code": definition.code, "name": definition.name, "kind": definition.kind,
        "value_kind": definition.value_kind, "source": "facts", "geography": geography,
        "unit": _unit_dict(unit), "period": period.to_dict(), **_fact_numbers(total, definition.value_kind),
        "records_part": total.records_part if total else None,
        "reported_part": total.reported_part if total else None,
        "computed_at": timezone.localtime(total.computed_at).isoformat() if total else None,
        "by": dimension or None,
        "rows": _rows(facts.breakdown(definition.code, unit.pk, period.code, dimension), dimension)
        if dimension else [],
        "children": None,
        "notes": [str(_("Giá trị của cả kỳ, đọc từ bảng tổng hợp (cập nhật vài giây sau mỗi thay đổi). Không "
                        "có số liệu: 0 với số lượng, null với tỷ lệ."))],
    }
    if params.get("children"):
        children = _children(unit, user=user, period=period, geography=geography, today=today)
        found = facts.by_unit(definition.code, [child.pk for child in children], period.code, dimension)
        answer["children"] = []
        for child in children:
            child_facts = found.get(child.pk, [])
            row = {"unit": _unit_dict(child)}
            if dimension:
                row.update(_fact_numbers(facts.value(definition.code, child.pk, period.code),
                                         definition.value_kind))
                row["rows"] = _rows(child_facts, dimension)
            else:
                row.update(_fact_numbers(child_facts[0] if child_facts else None, definition.value_kind))
            answer["children"].append(row)
    return answer
