"""/api/v1/programmes/: the programmes whose targets ctxh tracks (Plan 154 of Tuyên Quang, the national
Decision 112, ...), and each one's targets.

Programmes and targets are data (loaded from ctxh/indicators/data/ by `manage.py load_indicator_data`, see
docs/programmes.md); this resource reads them. `/api/v1/programmes/{code}/` gives one programme with its
targets; the indicators' list (/api/v1/indicators/) gives each indicator's targets per programme.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from ctxh.accounts.roles import Capability
from ctxh.api.common import (
    ApiViewMixin,
    BooleanParam,
    FilterSerializer,
    capability_permission,
    validated_filters,
)
from ctxh.indicators.models import Programme, Target
from ctxh.indicators.targets import programme_list, target_label


class ProgrammeFilterSerializer(FilterSerializer):
    is_active = BooleanParam(required=False, help_text=_(
        "true: chỉ các chương trình đang theo dõi; false: chỉ các chương trình đã ngừng theo dõi. Mặc định: "
        "tất cả."))


class ProgrammeTargetSerializer(serializers.ModelSerializer):
    """Một chỉ tiêu của chương trình."""

    indicator = serializers.CharField(source="indicator.code", help_text=_("Mã chỉ số, ví dụ STAFFING."))
    indicator_name = serializers.CharField(source="indicator.name", help_text=_("Tên chỉ số."))
    value = serializers.FloatField(help_text=_(
        "Chỉ tiêu: một tỷ lệ (0,6 là 60 %), một số lượt, hoặc mức tăng so với kỳ gốc (0,2 là 20 %)."))
    comparison = serializers.CharField(help_text=_(
        "“>=”: ít nhất; “>”: trên; “<=”: nhiều nhất; “growth>=”: tăng ít nhất so với kỳ gốc."))
    label = serializers.SerializerMethodField(help_text=_(
        "Chỉ tiêu như người đọc, theo ngôn ngữ của yêu cầu; ghi rõ khi con số chưa được xác nhận."))

    class Meta:
        model = Target
        fields = ["indicator", "indicator_name", "phase_code", "period_code", "start_date", "deadline",
                  "value", "comparison", "baseline_period_code", "applies_to", "label", "label_vi",
                  "label_en", "is_confirmed"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_label(self, target: Target) -> str:
        return target_label(target)


class ProgrammeSerializer(serializers.ModelSerializer):
    """Một chương trình: kế hoạch của một tỉnh (scope_unit_code là mã tỉnh) hoặc chương trình toàn quốc."""

    name = serializers.CharField(read_only=True, help_text=_("Tên theo ngôn ngữ của yêu cầu."))

    class Meta:
        model = Programme
        fields = ["code", "name", "name_vi", "name_en", "document", "scope_unit_code", "start_date",
                  "end_date", "is_active", "sort_order"]
        read_only_fields = fields


class ProgrammeDetailSerializer(ProgrammeSerializer):
    targets = serializers.SerializerMethodField(help_text=_(
        "Các chỉ tiêu của chương trình (các chỉ số đang dùng), theo thứ tự chỉ số rồi thời hạn."))

    class Meta(ProgrammeSerializer.Meta):
        fields = [*ProgrammeSerializer.Meta.fields, "targets"]
        read_only_fields = fields

    @extend_schema_field(ProgrammeTargetSerializer(many=True))
    def get_targets(self, programme: Programme):
        targets = (programme.targets.filter(indicator__is_active=True).select_related("indicator")
                   .order_by("indicator__sort_order", "indicator__code", "deadline", "period_code"))
        return ProgrammeTargetSerializer(targets, many=True).data


TAG = _("Chương trình")
CODE_PARAMETER = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                  description=_("Mã chương trình, ví dụ PLAN154_TQ hoặc QD112."))


@extend_schema_view(
    list=extend_schema(
        tags=[TAG], summary=_("Danh sách chương trình"), parameters=[ProgrammeFilterSerializer],
        description=_("Các chương trình có chỉ tiêu được theo dõi, ví dụ Kế hoạch 154/KH-UBND của tỉnh Tuyên "
                      "Quang và Quyết định 112/QĐ-TTg (toàn quốc)."),
        responses={200: ProgrammeSerializer(many=True),
                   400: OpenApiResponse(description=_("Tham số lọc không hợp lệ."))},
    ),
    retrieve=extend_schema(
        tags=[TAG], summary=_("Một chương trình và các chỉ tiêu"), parameters=[CODE_PARAMETER],
        responses={200: ProgrammeDetailSerializer,
                   404: OpenApiResponse(description=_("Không có chương trình mã này."))},
    ),
)
class ProgrammeViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [capability_permission(Capability.VIEW_INDICATORS, Capability.VIEW_INDICATORS)]
    lookup_field = "code"
    lookup_url_kwarg = "code"
    lookup_value_regex = "[A-Za-z0-9_]+"

    def get_queryset(self):
        if self.action == "list":
            return programme_list(**validated_filters(ProgrammeFilterSerializer, self.request))
        return programme_list()

    def get_object(self):
        # Codes are matched ignoring case, like the indicators' (/api/v1/indicators/staffing/).
        self.kwargs[self.lookup_url_kwarg] = self.kwargs[self.lookup_url_kwarg].upper()
        return super().get_object()

    def get_serializer_class(self):
        return ProgrammeDetailSerializer if self.action == "retrieve" else ProgrammeSerializer
