"""/api/v1/dhis2/dataValueSets: DHIS2's `dataValueSets` resource (idScheme=code), export and import.

    GET  /api/v1/dhis2/dataValueSets?dataSet=CTXH_6M&period=2025S1&orgUnit=08&children=true
    GET  /api/v1/dhis2/dataValueSets.csv?...            (or the header Accept: text/csv)
    POST /api/v1/dhis2/dataValueSets?dryRun=true&atomicMode=ALL&importStrategy=CREATE_AND_UPDATE

The work is done by `ctxh.indicators.dhis2` (export, imports); this module reads DHIS2's parameters, maps
the errors to HTTP answers and writes every export to the access log. See docs/dhis2.md.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, parsers, renderers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ctxh.accounts.roles import Capability
from ctxh.api.common import ApiViewMixin, capability_permission, drf_errors, iso_date
from ctxh.audit.services import log_export
from ctxh.indicators.dhis2.common import periods_between
from ctxh.indicators.dhis2.export import build_export, from_csv, to_csv
from ctxh.indicators.dhis2.imports import (
    ATOMIC_MODES,
    ID_SCHEME_KEYS,
    IMPORT_STRATEGIES,
    check_id_scheme,
    import_data_value_set,
)
from ctxh.indicators.models import DataSet, DataValue
from ctxh.indicators.periods import parse_day
from ctxh.indicators.registry import UnitNotAvailable

TAG = _("DHIS2")
CSV_FILENAME = "dataValueSets.csv"
# DHIS2's input id schemes (the codes of the parameters): only `code` is supported too.
INPUT_ID_SCHEME_KEYS = ("inputIdScheme", "inputOrgUnitIdScheme", "inputDataSetIdScheme")


# ------------------------------------------------------------------------------------------------ formats


class CsvRenderer(renderers.BaseRenderer):
    """A `dataValueSets` payload as DHIS2's CSV (ctxh.indicators.dhis2.export.CSV_COLUMNS)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return to_csv(data or {}).encode(self.charset)


class ApplicationCsvRenderer(CsvRenderer):
    media_type = "application/csv"  # DHIS2's own name for it


class CsvParser(parsers.BaseParser):
    """A DHIS2 CSV body (the first row a header, skipped), read as a `dataValueSets` payload."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return from_csv(stream.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise exceptions.ParseError(_("Tệp CSV phải được mã hóa UTF-8.")) from None
        except DjangoValidationError as error:
            raise exceptions.ParseError(" ".join(error.messages)) from None


class ApplicationCsvParser(CsvParser):
    media_type = "application/csv"


# ------------------------------------------------------------------------------------------ documentation


class Dhis2DataValueSerializer(serializers.Serializer):
    """Một giá trị theo định dạng dataValueSets của DHIS2 (mã theo idScheme=code)."""

    dataElement = serializers.CharField(help_text=_("Mã phần tử dữ liệu (hoặc mã chỉ số, ví dụ COUNSELLED)."))
    period = serializers.CharField(help_text=_("Kỳ theo DHIS2: 2025 hoặc 2025S1, 2025S2."))
    orgUnit = serializers.CharField(help_text=_("Mã đơn vị (theo bảng ánh xạ mã DHIS2 nếu có)."))
    categoryOptionCombo = serializers.CharField(help_text=_("Mã ô phân tổ; default khi không phân tổ."))
    attributeOptionCombo = serializers.CharField(required=False, help_text=_("Luôn là default."))
    value = serializers.CharField(help_text=_("Giá trị: dấu chấm thập phân, không phân cách hàng nghìn."))
    comment = serializers.CharField(required=False, allow_blank=True)
    storedBy = serializers.CharField(required=False, allow_blank=True)
    created = serializers.CharField(required=False, allow_blank=True)
    lastUpdated = serializers.CharField(required=False, allow_blank=True)
    followup = serializers.BooleanField(required=False)
    deleted = serializers.BooleanField(required=False, help_text=_("Khi nhập: true để xóa giá trị."))


class Dhis2DataValueSetSerializer(serializers.Serializer):
    """Một tập giá trị dataValueSets của DHIS2."""

    dataSet = serializers.CharField(required=False, help_text=_("Mã bộ số liệu (CTXH_6M, CTXH_YEAR)."))
    dataValues = Dhis2DataValueSerializer(many=True)


class Dhis2ConflictSerializer(serializers.Serializer):
    """Một giá trị bị bỏ qua và lý do."""

    object = serializers.CharField(help_text=_("Mã hoặc giá trị gây lỗi."))
    value = serializers.CharField(help_text=_("Lý do, bằng tiếng Việt, nêu thứ tự của giá trị."))
    errorCode = serializers.CharField(help_text=_("Mã lý do, ví dụ unknown_data_element, locked_period."))
    indexes = serializers.ListField(child=serializers.IntegerField(), help_text=_(
        "Vị trí (từ 0) của các giá trị bị bỏ qua trong dataValues."))


class Dhis2ImportCountSerializer(serializers.Serializer):
    """Số giá trị nhập mới, sửa, bỏ qua, xóa."""

    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    ignored = serializers.IntegerField()
    deleted = serializers.IntegerField()


class Dhis2ImportSummarySerializer(serializers.Serializer):
    """Kết quả nhập theo dạng ImportSummary của DHIS2."""

    responseType = serializers.CharField()
    status = serializers.CharField(help_text=_("SUCCESS, WARNING (một số giá trị bị bỏ qua) hoặc ERROR "
                                               "(không ghi gì)."))
    description = serializers.CharField()
    importOptions = serializers.DictField()
    importCount = Dhis2ImportCountSerializer()
    conflicts = Dhis2ConflictSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField(), help_text=_(
        "Cảnh báo của quy tắc kiểm tra (giá trị vẫn được ghi)."))
    unchanged = serializers.IntegerField(help_text=_("Số giá trị không đổi (đã tính trong ignored)."))


def _param(name: str, description, *, many: bool = False, kind=OpenApiTypes.STR,
           enum=None) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, many=many or None,
                            explode=True if many else None, enum=enum)


EXPORT_PARAMETERS = [
    _param("dataSet", _("Mã bộ số liệu, ví dụ CTXH_6M (sáu tháng) hoặc CTXH_YEAR (năm).")),
    _param("dataElement", _("Mã phần tử dữ liệu, hoặc mã chỉ số (COUNSELLED, COUNSELLED_SEX, ...) để xuất "
                            "giá trị chỉ số đã tính; lặp lại được."), many=True),
    _param("period", _("Kỳ theo DHIS2 (2025, 2025S1, 2025S2); lặp lại được."), many=True),
    _param("startDate", _("Cùng endDate thay cho period: các kỳ nằm trọn trong khoảng (YYYY-MM-DD)."),
           kind=OpenApiTypes.DATE),
    _param("endDate", _("Ngày cuối của khoảng (YYYY-MM-DD)."), kind=OpenApiTypes.DATE),
    _param("orgUnit", _("Mã đơn vị, hiểu theo từng kỳ (mã được dùng lại qua các thế hệ đơn vị); lặp lại "
                        "được."), many=True),
    _param("children", _("true: thêm các đơn vị trực thuộc có trong kỳ (địa giới của kỳ)."),
           kind=OpenApiTypes.BOOL),
    _param("idScheme", _("Chỉ hỗ trợ code (mặc định)."), enum=["code"]),
]
IMPORT_PARAMETERS = [
    _param("dryRun", _("true: chạy thử, không ghi gì, trả về kết quả như khi nhập thật."),
           kind=OpenApiTypes.BOOL),
    _param("atomicMode", _("ALL (mặc định): một giá trị lỗi thì không ghi gì; NONE: ghi các giá trị đúng, bỏ "
                           "qua giá trị lỗi (như DHIS2)."), enum=list(ATOMIC_MODES)),
    _param("importStrategy", _("CREATE_AND_UPDATE (mặc định), CREATE, UPDATE hoặc DELETE."),
           enum=list(IMPORT_STRATEGIES)),
    _param("idScheme", _("Chỉ hỗ trợ code (mặc định)."), enum=["code"]),
]


# ------------------------------------------------------------------------------------------------- params


def _bad(param: str, message) -> exceptions.ValidationError:
    return exceptions.ValidationError({param: [_("Tham số %(param)s: %(message)s") % {
        "param": param, "message": message}]})


def _values(request, name: str) -> list[str]:
    return [value.strip() for value in request.query_params.getlist(name) if value.strip()]


def _check_id_schemes(request, keys) -> None:
    for key in keys:
        for value in _values(request, key):
            try:
                check_id_scheme(key, value)
            except DjangoValidationError as error:
                raise exceptions.ValidationError({key: error.message_dict[key]}) from None


def _boolean(request, name: str, default: bool = False) -> bool:
    values = _values(request, name)
    if not values:
        return default
    text = values[-1].lower()
    if text not in ("true", "false"):
        raise _bad(name, _("“%(value)s” không hợp lệ; hãy dùng true hoặc false.") % {"value": values[-1]})
    return text == "true"


def export_params(request) -> dict:
    """DHIS2's query parameters of a `dataValueSets` read, checked (400 naming the parameter)."""
    _check_id_schemes(request, (*ID_SCHEME_KEYS, *INPUT_ID_SCHEME_KEYS))
    data_sets = _values(request, "dataSet")
    if len(data_sets) > 1:
        raise _bad("dataSet", _("chỉ chọn một bộ số liệu mỗi lần."))
    elements = _values(request, "dataElement")
    if not data_sets and not elements:
        raise _bad("dataSet", _("hãy chọn một bộ số liệu (dataSet) hoặc ít nhất một phần tử dữ liệu "
                                "(dataElement)."))
    periods: list = _values(request, "period")
    if not periods:
        periods = _date_range(request, data_sets[0] if data_sets else None)
    org_units = _values(request, "orgUnit")
    if not org_units:
        raise _bad("orgUnit", _("hãy chọn ít nhất một đơn vị (orgUnit)."))
    return {"data_set": data_sets[0] if data_sets else None, "elements": elements, "periods": periods,
            "org_units": org_units, "children": _boolean(request, "children")}


def _date_range(request, data_set_code: str | None) -> list:
    start_text = (_values(request, "startDate") or [""])[-1]
    end_text = (_values(request, "endDate") or [""])[-1]
    if not start_text and not end_text:
        raise _bad("period", _("hãy chọn ít nhất một kỳ (period), hoặc startDate và endDate."))
    days: dict[str, dt.date] = {}
    for name, text in (("startDate", start_text), ("endDate", end_text)):
        day = iso_date(text)
        if day is None:
            raise _bad(name, _("“%(value)s” không phải một ngày hợp lệ; hãy dùng định dạng YYYY-MM-DD (ví dụ "
                               "2025-07-01).") % {"value": text})
        try:
            parse_day(text)  # a year outside MIN_YEAR..MAX_YEAR would fail later, in periods_between
        except DjangoValidationError as error:
            raise _bad(name, " ".join(error.messages)) from None
        days[name] = day
    if days["endDate"] < days["startDate"]:
        raise _bad("endDate", _("ngày cuối trước ngày đầu."))
    data_set = DataSet.objects.filter(code=data_set_code).first() if data_set_code else None
    periods = periods_between(days["startDate"], days["endDate"], data_set.period_type if data_set else None)
    if not periods:
        raise _bad("startDate", _("không có kỳ nào nằm trọn trong khoảng %(start)s – %(end)s.") % {
            "start": start_text, "end": end_text})
    return periods


def _errors_as_params(error: DjangoValidationError) -> exceptions.ValidationError:
    detail = {param: [_("Tham số %(param)s: %(message)s") % {"param": param, "message": message}
                      for message in messages]
              for param, messages in error.message_dict.items()}
    return exceptions.ValidationError(detail)


# ------------------------------------------------------------------------------------------------- views


@extend_schema_view(
    get=extend_schema(
        tags=[TAG], summary=_("Xuất số liệu theo định dạng dataValueSets của DHIS2"),
        description=_(
            "Số liệu báo cáo tổng hợp và giá trị chỉ số đã tính, theo định dạng dataValueSets của DHIS2 "
            "(idScheme=code), JSON hoặc CSV (tiêu đề Accept: text/csv, hoặc đường dẫn "
            "/api/v1/dhis2/dataValueSets.csv). Đơn vị ngoài phạm vi của bạn (hoặc không có) trả về 404; với "
            "children=true chỉ các đơn vị trực thuộc trong phạm vi. Mỗi lần xuất được ghi vào nhật ký truy "
            "cập."
        ),
        parameters=EXPORT_PARAMETERS,
        responses={
            200: Dhis2DataValueSetSerializer,
            400: OpenApiResponse(description=_("Tham số không hợp lệ (nêu tên tham số).")),
            404: OpenApiResponse(description=_("Không có đơn vị này trong phạm vi của bạn.")),
        },
    ),
    post=extend_schema(
        tags=[TAG], summary=_("Nhập số liệu theo định dạng dataValueSets của DHIS2"),
        description=_(
            "Nhập một tập giá trị dataValueSets (JSON, hoặc CSV với Content-Type: text/csv). Mặc định "
            "atomicMode=ALL: một giá trị lỗi thì không ghi gì (status ERROR, mã 409). dryRun=true: chạy thử, "
            "không ghi gì. Cần quyền quản lý báo cáo tổng hợp."
        ),
        parameters=IMPORT_PARAMETERS,
        request=Dhis2DataValueSetSerializer,
        responses={
            200: Dhis2ImportSummarySerializer,
            400: OpenApiResponse(description=_("Nội dung hoặc tham số không đọc được (không ghi gì).")),
            409: Dhis2ImportSummarySerializer,
        },
    ),
)
class DataValueSetsView(ApiViewMixin, APIView):
    permission_classes = [capability_permission(Capability.VIEW_INDICATORS, Capability.MANAGE_AGGREGATE)]
    renderer_classes = [renderers.JSONRenderer, CsvRenderer, ApplicationCsvRenderer]
    parser_classes = [parsers.JSONParser, CsvParser, ApplicationCsvParser]
    pagination_class = None

    def get(self, request, format=None):
        params = export_params(request)
        try:
            export = build_export(user=request.user, **params)
        except UnitNotAvailable as error:
            raise exceptions.NotFound(error.message) from None
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise _errors_as_params(error) from None
        file_format = "csv" if isinstance(request.accepted_renderer, CsvRenderer) else "json"
        log_export(request_or_user=request, objects=export.data_value_ids, model=DataValue,
                   file_format=file_format, count=export.count,
                   description=f"DHIS2 dataValueSets ({len(export.fact_ids)} indicator facts)")
        response = Response(export.payload)
        if file_format == "csv":
            response["Content-Disposition"] = f'attachment; filename="{CSV_FILENAME}"'
        return response

    def post(self, request, format=None):
        _check_id_schemes(request, ID_SCHEME_KEYS)
        options = {"dry_run": _boolean(request, "dryRun"),
                   "atomic_mode": (_values(request, "atomicMode") or ["ALL"])[-1],
                   "import_strategy": (_values(request, "importStrategy") or ["CREATE_AND_UPDATE"])[-1]}
        try:
            summary = import_data_value_set(request.data, user=request.user, **options)
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from None
        except DjangoValidationError as error:
            raise drf_errors(error) from None
        answer = status.HTTP_409_CONFLICT if summary.status == "ERROR" else status.HTTP_200_OK
        return Response(summary.to_dict(), status=answer)

    def finalize_response(self, request, response, *args, **kwargs):
        # Only a successful export is CSV; errors and import summaries are JSON whatever was accepted.
        exported = request.method == "GET" and 200 <= response.status_code < 300
        if not exported and isinstance(getattr(request, "accepted_renderer", None), CsvRenderer):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema(exclude=True)
class DataValueSetsCsvView(DataValueSetsView):
    """The same resource at `dataValueSets.csv` (documented once, above)."""


urlpatterns = [
    path("dataValueSets", DataValueSetsView.as_view(), name="dhis2-data-value-sets"),
    path("dataValueSets.json", DataValueSetsCsvView.as_view(), {"format": "json"},
         name="dhis2-data-value-sets-json"),
    path("dataValueSets.csv", DataValueSetsCsvView.as_view(), {"format": "csv"},
         name="dhis2-data-value-sets-csv"),
]
