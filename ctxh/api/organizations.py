"""/api/v1/organizations/: the organizations of the social work network (read-only).

The list reads through ctxh.orgs.selectors.organization_list, the same selector as the web list, so both
give the same answers. `unit` is a unit code read as of `as_of` (default today) and stands for the unit's
whole subtree across successions: unit=08 today also finds the organizations recorded in the old communes
merged into the new province.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers, viewsets

from ctxh.api.common import (
    ApiViewMixin,
    BooleanParam,
    ChoiceParam,
    FilterSerializer,
    IsoDateParam,
    RefSerializer,
    list_schema,
    not_found_at,
    retrieve_schema,
    today,
    validated_filters,
)
from ctxh.api.units import UnitRefSerializer
from ctxh.geo import selectors as geo_selectors
from ctxh.orgs import selectors
from ctxh.orgs.models import IN_SCOPE_KINDS, Organization, OrgKind, Ownership, Sector

STATUS_CHOICES = [
    (selectors.STATUS_ACTIVE, _("đang hoạt động")),
    (selectors.STATUS_CLOSED, _("đã chấm dứt hoạt động")),
]

# ---------------------------------------------------------------------------------------------- input


class OrganizationFilterSerializer(FilterSerializer):
    q = serializers.CharField(required=False, max_length=200, help_text=_(
        "Tìm theo tên hoặc mã tổ chức, không phân biệt dấu; mọi từ phải có mặt."
    ))
    kind = ChoiceParam(OrgKind.choices, noun=_("loại tổ chức"), required=False, help_text=_("Loại tổ chức."))
    sector = ChoiceParam(Sector.choices, noun=_("ngành, lĩnh vực"), required=False,
                         help_text=_("Ngành, lĩnh vực."))
    ownership = ChoiceParam(Ownership.choices, noun=_("loại hình sở hữu"), required=False,
                            help_text=_("Loại hình sở hữu."))
    unit = serializers.CharField(required=False, max_length=10, help_text=_(
        "Mã đơn vị hành chính, hiểu theo ngày as_of (mặc định hôm nay): các tổ chức đặt tại đơn vị "
        "đó, tại các đơn vị trực thuộc và tại các đơn vị cũ đã nhập vào."
    ))
    as_of = IsoDateParam(required=False, help_text=_(
        "Ngày (YYYY-MM-DD): chỉ các tổ chức đang hoạt động vào ngày này; cũng là ngày dùng để hiểu mã "
        "trong tham số unit."
    ))
    status = ChoiceParam(STATUS_CHOICES, noun=_("trạng thái"), required=False, help_text=_(
        "Trạng thái hôm nay: active (đang hoạt động) hoặc closed (đã chấm dứt hoạt động)."
    ))
    in_plan_scope = BooleanParam(required=False, help_text=_(
        "true: chỉ các loại tổ chức thuộc diện chỉ tiêu bố trí người làm công tác xã hội của kế "
        "hoạch; false: các loại còn lại."
    ))

    def validate(self, attrs):
        if "unit" in attrs:
            day = attrs.get("as_of") or today()
            try:
                attrs["unit"] = geo_selectors.unit_by_code(attrs["unit"], day)
            except geo_selectors.UnitNotFound:
                raise not_found_at("unit", attrs["unit"], day) from None
        return attrs


def organization_list(*, user, filters: dict):
    """The web list's selector, plus the API's `in_plan_scope`."""
    organizations = selectors.organization_list(user=user, filters=filters)
    in_plan_scope = filters.get("in_plan_scope")
    if in_plan_scope is True:
        organizations = organizations.filter(kind__in=IN_SCOPE_KINDS)
    elif in_plan_scope is False:
        organizations = organizations.exclude(kind__in=IN_SCOPE_KINDS)
    return organizations


# ---------------------------------------------------------------------------------------------- output


class OrganizationRefSerializer(RefSerializer):
    pass


class OrganizationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text=_("Tên loại tổ chức.")
    )
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)
    ownership_label = serializers.CharField(source="get_ownership_display", read_only=True)
    unit = UnitRefSerializer(read_only=True, help_text=_("Đơn vị hành chính nơi tổ chức đặt trụ sở."))
    parent = OrganizationRefSerializer(read_only=True, allow_null=True, help_text=_("Tổ chức cấp trên."))
    successor = OrganizationRefSerializer(read_only=True, allow_null=True, help_text=_("Tổ chức kế thừa."))

    class Meta:
        model = Organization
        fields = [
            "id", "code", "name", "kind", "kind_label", "school_level", "health_level",
            "sector", "sector_label", "ownership", "ownership_label", "unit", "parent",
            "valid_from", "valid_to", "successor", "address", "phone", "email",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------------------------------------- views

TAG = _("Tổ chức")


@extend_schema_view(
    list=list_schema(TAG, _("Danh sách tổ chức"), _("Các tổ chức trong phạm vi của người dùng."),
                     filters=OrganizationFilterSerializer, serializer=OrganizationSerializer),
    retrieve=retrieve_schema(
        TAG, _("Chi tiết một tổ chức"),
        _("Tổ chức ngoài phạm vi của người dùng trả về 404."),
        id_description=_("Số định danh (id) của tổ chức, lấy từ danh sách."),
    ),
)
class OrganizationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer

    def get_queryset(self):
        if self.action == "list":
            filters = validated_filters(OrganizationFilterSerializer, self.request)
            return organization_list(user=self.request.user, filters=filters).order_by("name", "id")
        return Organization.objects.for_user(self.request.user).select_related("unit", "parent", "successor")
