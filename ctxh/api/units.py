"""/api/v1/units/: administrative units as of a date, with their successions (read-only).

Codes are reused across generations (the new Tuyên Quang keeps province code 08), so every lookup by code
(`parent`) is made as of `as_of`; a unit's id names one generation for good.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from ctxh.api.common import (
    ApiViewMixin,
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
from ctxh.geo import selectors
from ctxh.geo.models import Level, Succession, Unit, UnitKind

# ---------------------------------------------------------------------------------------------- input


class UnitFilterSerializer(FilterSerializer):
    as_of = IsoDateParam(required=False, help_text=_(
        "Ngày tra cứu (YYYY-MM-DD), mặc định hôm nay: chỉ trả về các đơn vị có hiệu lực vào ngày này "
        "(trước hay sau sắp xếp đơn vị hành chính 01/07/2025)."
    ))
    parent = serializers.CharField(required=False, max_length=10, help_text=_(
        "Mã đơn vị cấp trên, hiểu theo ngày as_of (mã được dùng lại qua các thế hệ đơn vị): trả về "
        "các đơn vị trực thuộc có hiệu lực vào ngày đó. Ví dụ: parent=08&as_of=2025-08-01."
    ))
    kind = ChoiceParam(UnitKind.choices, noun=_("loại đơn vị hành chính"), required=False,
                       help_text=_("Loại đơn vị."))
    level = ChoiceParam(Level.choices, noun=_("cấp hành chính"), required=False,
                        help_text=_("Cấp: 1 cấp tỉnh, 2 cấp huyện, 3 cấp xã."))
    q = serializers.CharField(required=False, max_length=200,
                              help_text=_("Tìm theo tên, không phân biệt dấu (ví dụ: “tran da”)."))

    def validate(self, attrs):
        attrs["as_of"] = day = attrs.get("as_of") or today()
        if "parent" in attrs:
            try:
                attrs["parent"] = selectors.unit_by_code(attrs["parent"], day)
            except selectors.UnitNotFound:
                raise not_found_at("parent", attrs["parent"], day) from None
        return attrs


def unit_list(*, user, filters: dict):
    """The user's units valid on `as_of`, narrowed by the other filters (see UnitFilterSerializer)."""
    units = selectors.units_as_of(
        filters["as_of"], kind=filters.get("kind"), level=filters.get("level"), parent=filters.get("parent")
    ).for_user(user)
    if filters.get("q"):
        units = units.search(filters["q"])
    return units


# ---------------------------------------------------------------------------------------------- output


class UnitRefSerializer(RefSerializer):
    pass


class UnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text=_("Tên loại đơn vị.")
    )
    parent = UnitRefSerializer(read_only=True, allow_null=True, help_text=_("Đơn vị cấp trên."))

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "kind", "kind_label", "level", "parent", "valid_from", "valid_to"]
        read_only_fields = fields


class _SuccessionLinkSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Succession
        fields = ["id", "code", "name", "effective_date", "kind", "kind_label", "partly_merged"]
        read_only_fields = fields


class UnitSuccessorSerializer(_SuccessionLinkSerializer):
    """Đơn vị kế thừa: đơn vị mới mà đơn vị này nhập vào (toàn bộ, hoặc một phần khi `partly_merged`)."""

    id = serializers.IntegerField(source="successor.id", read_only=True)
    code = serializers.CharField(source="successor.code", read_only=True)
    name = serializers.CharField(source="successor.name", read_only=True)


class UnitPredecessorSerializer(_SuccessionLinkSerializer):
    """Đơn vị tiền thân: đơn vị cũ đã nhập vào đơn vị này (toàn bộ, hoặc một phần khi `partly_merged`)."""

    id = serializers.IntegerField(source="predecessor.id", read_only=True)
    code = serializers.CharField(source="predecessor.code", read_only=True)
    name = serializers.CharField(source="predecessor.name", read_only=True)


class UnitDetailSerializer(UnitSerializer):
    """Successions are listed only towards units of the user's scope (the one door holds here too)."""

    successors = serializers.SerializerMethodField(help_text=_("Các đơn vị kế thừa trực tiếp."))
    predecessors = serializers.SerializerMethodField(
        help_text=_("Các đơn vị cũ nhập trực tiếp vào đơn vị này.")
    )
    current_successors = serializers.SerializerMethodField(help_text=_(
        "Các đơn vị có hiệu lực hôm nay mà đơn vị này tiếp nối, qua một hay nhiều lần sắp xếp; "
        "một đơn vị còn hiệu lực thì chính là nó."
    ))

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "successors", "predecessors", "current_successors"]
        read_only_fields = fields

    def _scoped(self):
        return Unit.objects.for_user(self.context["request"].user)

    @extend_schema_field(UnitSuccessorSerializer(many=True))
    def get_successors(self, unit: Unit):
        rows = (
            unit.successions_out.filter(successor__in=self._scoped())
            .select_related("successor").order_by("effective_date", "successor__code")
        )
        return UnitSuccessorSerializer(rows, many=True).data

    @extend_schema_field(UnitPredecessorSerializer(many=True))
    def get_predecessors(self, unit: Unit):
        rows = (
            unit.successions_in.filter(predecessor__in=self._scoped())
            .select_related("predecessor").order_by("effective_date", "predecessor__code")
        )
        return UnitPredecessorSerializer(rows, many=True).data

    @extend_schema_field(UnitRefSerializer(many=True))
    def get_current_successors(self, unit: Unit):
        units = selectors.current_successors(unit, today()).filter(id__in=self._scoped().values("id"))
        return UnitRefSerializer(units.order_by("level", "code"), many=True).data


# ---------------------------------------------------------------------------------------------- views

TAG = _("Đơn vị hành chính")


@extend_schema_view(
    list=list_schema(
        TAG, _("Danh sách đơn vị hành chính theo ngày"),
        _("Các đơn vị hành chính trong phạm vi của người dùng, có hiệu lực vào ngày as_of."),
        filters=UnitFilterSerializer, serializer=UnitSerializer,
    ),
    retrieve=retrieve_schema(
        TAG, _("Chi tiết một đơn vị hành chính"),
        _("Một đơn vị (một thế hệ của một mã) với các đơn vị kế thừa và các đơn vị tiền thân. Đơn vị ngoài "
          "phạm vi của người dùng trả về 404."),
        id_description=_("Số định danh (id) của đơn vị, lấy từ danh sách."),
    ),
)
class UnitViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        if self.action == "list":
            filters = validated_filters(UnitFilterSerializer, self.request)
            units = unit_list(user=self.request.user, filters=filters)
        else:
            units = Unit.objects.for_user(self.request.user)
        return units.select_related("parent").order_by("level", "code", "id")

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer
