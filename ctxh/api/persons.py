"""The API of the registry of people: people, their vulnerability statuses, households and consents.

Reads go through the one door (`Person.objects.for_user`; statuses, households and consents through the
people the user sees), are written to the access log (ctxh.audit.api.AccessLogViewSetMixin: `api_view` for a
record, `api_list` for a list) and the sensitive fields come out masked for a role without VIEW_SENSITIVE
(ctxh.audit.api.SensitiveFieldsSerializerMixin). Writes go through ctxh.cases.services only.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ctxh.accounts.roles import Capability
from ctxh.api.common import (
    BAD_FILTERS,
    BAD_INPUT,
    ApiViewMixin,
    BooleanParam,
    Conflict,
    ConflictSerializer,
    FilterSerializer,
    InputSerializer,
    IsoDateField,
    IsoDateParam,
    ParamMessagesMixin,
    ScopedRelatedField,
    call_service,
    capability_permission,
    id_filter,
    id_parameter,
    in_scope_or_400,
    validated_filters,
)
from ctxh.audit.api import AccessLogViewSetMixin, SensitiveFieldsSerializerMixin
from ctxh.audit.masking import MaskKind
from ctxh.cases import services
from ctxh.cases.models import (
    Consent,
    Household,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
    Relationship,
    Severity,
    VulnerabilityCategory,
)
from ctxh.cases.selectors import filter_persons
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.geo.models import Unit

CASES_PERMISSION = capability_permission(Capability.VIEW_CASES, Capability.CHANGE_CASES)


def scoped_persons(user):
    return Person.objects.for_user(user).live()


def scoped_units(user):
    return Unit.objects.for_user(user)


# ================================================================================================ people

TAG_PERSONS = _("Người cần trợ giúp")


class PersonFilterSerializer(ParamMessagesMixin, FilterSerializer):
    q = serializers.CharField(required=False, max_length=200, help_text=_(
        "Tìm theo họ tên, không phân biệt dấu (“nguyen van a” tìm được “Nguyễn Văn A”), hoặc theo số CCCD."))
    cccd = serializers.CharField(required=False, max_length=20, help_text=_("Số CCCD đầy đủ (12 chữ số)."))
    unit = id_filter(_(
        "Số định danh (id) của đơn vị hành chính: người có địa chỉ (bất kỳ lúc nào) ở đơn vị đó, ở các "
        "đơn vị trực thuộc và ở các đơn vị cũ đã nhập vào."))
    category = serializers.CharField(required=False, max_length=30, help_text=_(
        "Mã nhóm đối tượng: người có tình trạng thuộc nhóm này (vào ngày as_of, mặc định hôm nay)."))
    as_of = IsoDateParam(required=False, help_text=_("Ngày (YYYY-MM-DD) dùng cho tham số category."))
    child_on = IsoDateParam(required=False, help_text=_(
        "Ngày (YYYY-MM-DD): chỉ những người là trẻ em (dưới 16 tuổi) vào ngày này."))

    def validate(self, attrs):
        if "unit" in attrs:
            attrs["unit"] = in_scope_or_400(Unit.objects.all(), attrs["unit"], "unit", _("đơn vị hành chính"))
        if "category" in attrs:
            found = VulnerabilityCategory.objects.filter(code=attrs["category"]).first()
            if found is None:
                raise serializers.ValidationError({"category": [
                    _("Tham số category: không có nhóm đối tượng mang mã “%(code)s”.") % {
                        "code": attrs["category"]}]})
            attrs["category"] = found
        return attrs


def person_list(*, user, filters: dict):
    people = filter_persons(
        scoped_persons(user).select_related("ethnicity"), q=filters.get("q") or "",
        cccd=filters.get("cccd") or "", unit=filters.get("unit"), category=filters.get("category"),
        as_of=filters.get("as_of"), child_on=filters.get("child_on"))
    return people.order_by("search_name", "pk")


class CategoryRefSerializer(serializers.Serializer):
    """Nhóm đối tượng: mã và tên."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class StatusSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True)

    class Meta:
        model = PersonStatus
        fields = ["id", "person", "category", "start_date", "end_date", "severity", "event", "evidence",
                  "verified_on", "note"]


class AddressSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = PersonAddress
        fields = ["unit", "unit_code", "unit_name", "valid_from", "valid_to"]


class PersonSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):
    ethnicity = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "full_name", "sex", "date_of_birth", "birth_year", "ethnicity", "cccd", "phone",
                  "address_text", "guardian_name", "guardian_relationship", "note", "version"]


class PersonDetailSerializer(PersonSerializer):
    statuses = StatusSerializer(many=True, read_only=True)
    addresses = AddressSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "addresses", "statuses"]


class PersonInput(InputSerializer):
    full_name = serializers.CharField(max_length=150)
    sex = serializers.ChoiceField(Sex.choices)
    date_of_birth = IsoDateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=2100)
    ethnicity = serializers.SlugRelatedField(slug_field="code", queryset=Ethnicity.objects.all(),
                                             required=False, allow_null=True)
    cccd = serializers.CharField(required=False, allow_blank=True, max_length=20)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    address_text = serializers.CharField(required=False, allow_blank=True, max_length=300)
    guardian_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    guardian_relationship = serializers.CharField(required=False, allow_blank=True, max_length=100)
    note = serializers.CharField(required=False, allow_blank=True)


class PersonCreateInput(PersonInput):
    unit = ScopedRelatedField(scoped_units, required=False, allow_null=True, help_text=_(
        "Số định danh (id) của đơn vị hành chính nơi người đó sống (trong phạm vi của bạn)."))
    unit_from = IsoDateField(required=False, help_text=_("Sống ở đơn vị đó từ ngày (mặc định hôm nay)."))
    confirm_new = serializers.BooleanField(required=False, default=False, help_text=_(
        "true: vẫn thêm người mới dù có hồ sơ có thể trùng (đã xem danh sách trả về với mã 409)."))


class PersonUpdateInput(PersonInput):
    version = serializers.IntegerField(min_value=1, help_text=_("Phiên bản đã đọc (trường version)."))

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "version":
                field.required = False
        return fields


class DuplicateSerializer(serializers.Serializer):
    """Một hồ sơ có thể trùng; họ tên và id chỉ hiện nếu hồ sơ đó trong phạm vi của bạn."""

    id = serializers.IntegerField(allow_null=True)
    full_name = serializers.CharField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    in_scope = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicatesSerializer(serializers.Serializer):
    """Trả lời 409: có hồ sơ có thể trùng; không có gì được ghi."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text=_("Luôn là “possible_duplicates”."))
    candidates = DuplicateSerializer(many=True)


class PossibleDuplicates(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "possible_duplicates"
    default_detail = _("Có hồ sơ có thể là cùng một người.")

    def __init__(self, candidates: list[dict]):
        super().__init__()
        self.detail = {
            "detail": exceptions.ErrorDetail(str(_(
                "Có hồ sơ có thể là cùng một người; không có gì được ghi. Hãy xem lại các hồ sơ này; nếu là "
                "người khác, gửi lại với confirm_new=true.")), code="possible_duplicates"),
            "code": "possible_duplicates",
            "candidates": candidates,
        }


def _candidates(user, candidates) -> list[dict]:
    visible = set(scoped_persons(user).filter(pk__in=[c.person.pk for c in candidates])
                  .values_list("pk", flat=True))
    rows = []
    for candidate in candidates:
        seen = candidate.person.pk in visible
        rows.append({
            "id": candidate.person.pk if seen else None,
            "full_name": candidate.person.full_name if seen else None,
            "date_of_birth": candidate.person.date_of_birth.isoformat()
            if seen and candidate.person.date_of_birth else None,
            "in_scope": seen,
            "reasons": list(candidate.reasons),
        })
    return rows


def conflict_from(error, current, serializer_class, context) -> Conflict:
    shown = serializer_class(current, context=context).data
    return Conflict(
        message=error.message % error.params, version=current.version,
        changes=[{"field": c.field, "label": c.label, "value": shown.get(c.field)} for c in error.changes],
        current=shown,
    )


@extend_schema_view(
    list=extend_schema(
        tags=[TAG_PERSONS], summary=_("Danh sách người cần trợ giúp"),
        description=_("Những người trong phạm vi của người dùng. Mỗi lần đọc được ghi vào nhật ký truy "
                      "cập; số CCCD, điện thoại và ghi chú bị che với vai trò không có quyền xem thông tin "
                      "nhạy cảm."),
        parameters=[PersonFilterSerializer],
        responses={200: PersonSerializer(many=True), 400: BAD_FILTERS},
    ),
    retrieve=extend_schema(
        tags=[TAG_PERSONS], summary=_("Chi tiết một người cần trợ giúp"),
        parameters=[id_parameter(_("Số định danh (id) của người, lấy từ danh sách."))],
        description=_("Với địa chỉ và các tình trạng. Người ngoài phạm vi trả về 404."),
    ),
    create=extend_schema(
        tags=[TAG_PERSONS], summary=_("Đăng ký một người cần trợ giúp"),
        description=_("Nếu có hồ sơ có thể trùng, trả về 409 với danh sách đó và không ghi gì, trừ khi gửi "
                      "confirm_new=true. Trùng số CCCD luôn bị từ chối: hãy gộp hồ sơ."),
        request=PersonCreateInput,
        responses={201: PersonDetailSerializer, 400: BAD_INPUT, 409: DuplicatesSerializer},
    ),
    partial_update=extend_schema(
        tags=[TAG_PERSONS], summary=_("Sửa thông tin một người"),
        parameters=[id_parameter(_("Số định danh (id) của người."))],
        description=_("Gửi các trường cần sửa cùng với version đã đọc; nếu người khác đã sửa trước, trả về "
                      "409 với các trường họ đã sửa."),
        request=PersonUpdateInput,
        responses={200: PersonDetailSerializer, 400: BAD_INPUT, 409: ConflictSerializer},
    ),
)
class PersonViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [CASES_PERMISSION]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return person_list(user=user, filters=validated_filters(PersonFilterSerializer, self.request))
        return scoped_persons(user).select_related("ethnicity").prefetch_related(
            "addresses__unit", "statuses__category")

    def get_serializer_class(self):
        return PersonSerializer if self.action == "list" else PersonDetailSerializer

    def _detail(self, person: Person, status_code=status.HTTP_200_OK) -> Response:
        person = Person.objects.prefetch_related("addresses__unit", "statuses__category").get(pk=person.pk)
        return Response(PersonDetailSerializer(person, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        values = self.validated_input(PersonCreateInput)
        confirmed = values.pop("confirm_new", False)
        values["cccd"] = values.get("cccd") or ""
        result = call_service(services.person_create, by=request.user, confirmed=confirmed, **values)
        if not result.created:
            raise PossibleDuplicates(_candidates(request.user, result.candidates))
        return self._detail(result.person, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        person = self.get_object()
        values = self.validated_input(PersonUpdateInput)
        version = values.pop("version")
        if "cccd" in values:
            values["cccd"] = values["cccd"] or None
        try:
            person = call_service(services.person_update, person=person, version=version, data=values,
                                  by=request.user)
        except services.ConcurrentEditError as error:
            raise conflict_from(error, Person.objects.get(pk=person.pk), PersonSerializer,
                                self.get_serializer_context()) from None
        return self._detail(person)


# ============================================================================================== statuses

TAG_STATUSES = _("Tình trạng (nhóm đối tượng)")


class StatusFilterSerializer(ParamMessagesMixin, FilterSerializer):
    person = id_filter(_("Số định danh (id) của người."))
    category = serializers.CharField(required=False, max_length=30, help_text=_("Mã nhóm đối tượng."))
    active_on = IsoDateParam(required=False, help_text=_("Ngày (YYYY-MM-DD): chỉ tình trạng còn hiệu lực."))


class StatusInput(InputSerializer):
    person = ScopedRelatedField(scoped_persons, help_text=_("Số định danh (id) của người."))
    category = serializers.SlugRelatedField(slug_field="code", queryset=VulnerabilityCategory.objects.filter(
        is_active=True))
    start_date = IsoDateField()
    end_date = IsoDateField(required=False, allow_null=True)
    evidence = serializers.CharField(required=False, allow_blank=True)
    verified_on = IsoDateField(required=False, allow_null=True)
    severity = serializers.ChoiceField(Severity.choices, required=False, allow_blank=True)
    event = serializers.CharField(required=False, allow_blank=True, max_length=200)
    note = serializers.CharField(required=False, allow_blank=True)


class StatusEndInput(InputSerializer):
    end_date = IsoDateField()


@extend_schema_view(
    list=extend_schema(tags=[TAG_STATUSES], summary=_("Danh sách tình trạng"),
                       description=_("Tình trạng của những người trong phạm vi của người dùng."),
                       parameters=[StatusFilterSerializer],
                       responses={200: StatusSerializer(many=True), 400: BAD_FILTERS}),
    retrieve=extend_schema(tags=[TAG_STATUSES], summary=_("Chi tiết một tình trạng"),
                           parameters=[id_parameter(_("Số định danh (id) của tình trạng."))]),
    create=extend_schema(tags=[TAG_STATUSES], summary=_("Ghi một tình trạng"), request=StatusInput,
                         responses={201: StatusSerializer, 400: BAD_INPUT}),
    end=extend_schema(tags=[TAG_STATUSES], summary=_("Kết thúc một tình trạng"),
                      parameters=[id_parameter(_("Số định danh (id) của tình trạng."))],
                      request=StatusEndInput, responses={200: StatusSerializer, 400: BAD_INPUT}),
)
class StatusViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [CASES_PERMISSION]
    serializer_class = StatusSerializer

    def get_queryset(self):
        user = self.request.user
        statuses = PersonStatus.objects.filter(person__in=scoped_persons(user)).select_related("category")
        if self.action == "list":
            filters = validated_filters(StatusFilterSerializer, self.request)
            if filters.get("person"):
                statuses = statuses.filter(person_id=filters["person"])
            if filters.get("category"):
                statuses = statuses.filter(category__code=filters["category"])
            if filters.get("active_on"):
                statuses = statuses.active_on(filters["active_on"])
        return statuses.order_by("person_id", "start_date", "pk")

    def create(self, request, *args, **kwargs):
        values = self.validated_input(StatusInput)
        status_row = call_service(services.status_add, verified_by=request.user
                                  if values.get("verified_on") else None, **values)
        return Response(StatusSerializer(status_row, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        row = self.get_object()
        values = self.validated_input(StatusEndInput)
        row = call_service(services.status_end, status=row, **values)
        return Response(StatusSerializer(row, context=self.get_serializer_context()).data)


# ============================================================================================ households

TAG_HOUSEHOLDS = _("Hộ gia đình")


class MemberSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["id", "person", "full_name", "relationship", "start_date", "end_date"]


class HouseholdSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "name", "unit", "address_text", "is_poor", "is_near_poor", "members"]

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household) -> list[dict]:
        user = self.context["request"].user
        rows = household.members.filter(person__in=scoped_persons(user)).select_related("person")
        return MemberSerializer(rows.order_by("start_date", "pk"), many=True).data


class HouseholdInput(InputSerializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    unit = ScopedRelatedField(scoped_units, required=False, allow_null=True)
    address_text = serializers.CharField(required=False, allow_blank=True, max_length=300)
    is_poor = serializers.BooleanField(required=False, default=False)
    is_near_poor = serializers.BooleanField(required=False, default=False)


class MemberInput(InputSerializer):
    person = ScopedRelatedField(scoped_persons)
    relationship = serializers.ChoiceField(Relationship.choices)
    start_date = IsoDateField()


def scoped_households(user):
    return Household.objects.for_user(user)


class HouseholdFilterSerializer(ParamMessagesMixin, FilterSerializer):
    person = id_filter(_("Số định danh (id) của người: hộ mà người đó là thành viên."))
    is_poor = BooleanParam(required=False, help_text=_("true: chỉ hộ nghèo."))


@extend_schema_view(
    list=extend_schema(tags=[TAG_HOUSEHOLDS], summary=_("Danh sách hộ gia đình"),
                       parameters=[HouseholdFilterSerializer],
                       responses={200: HouseholdSerializer(many=True), 400: BAD_FILTERS}),
    retrieve=extend_schema(tags=[TAG_HOUSEHOLDS], summary=_("Chi tiết một hộ gia đình"),
                           parameters=[id_parameter(_("Số định danh (id) của hộ."))]),
    create=extend_schema(tags=[TAG_HOUSEHOLDS], summary=_("Thêm một hộ gia đình"), request=HouseholdInput,
                         responses={201: HouseholdSerializer, 400: BAD_INPUT}),
    members=extend_schema(tags=[TAG_HOUSEHOLDS], summary=_("Thêm một thành viên vào hộ"),
                          parameters=[id_parameter(_("Số định danh (id) của hộ."))],
                          request=MemberInput, responses={201: HouseholdSerializer, 400: BAD_INPUT}),
)
class HouseholdViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [CASES_PERMISSION]
    serializer_class = HouseholdSerializer

    def get_queryset(self):
        households = scoped_households(self.request.user)
        if self.action == "list":
            filters = validated_filters(HouseholdFilterSerializer, self.request)
            if filters.get("person"):
                households = households.filter(members__person_id=filters["person"]).distinct()
            if "is_poor" in filters:
                households = households.filter(is_poor=filters["is_poor"])
        return households.order_by("name", "pk")

    def _answer(self, household, status_code):
        return Response(HouseholdSerializer(household, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        household = call_service(services.household_create, **self.validated_input(HouseholdInput))
        return self._answer(household, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        household = self.get_object()
        call_service(services.household_member_add, household=household, **self.validated_input(MemberInput))
        return self._answer(household, status.HTTP_201_CREATED)


# ============================================================================================== consents

TAG_CONSENTS = _("Sự đồng ý")


class ConsentSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):
    sensitive_fields = {"note": MaskKind.TEXT}

    class Meta:
        model = Consent
        fields = ["id", "person", "given_by_person", "representative_name", "representative_relationship",
                  "given_at", "for_services", "for_sharing", "withdrawn_at", "note"]


class ConsentInput(InputSerializer):
    person = ScopedRelatedField(scoped_persons)
    given_at = serializers.DateTimeField(required=False)
    given_by_person = serializers.BooleanField(required=False, default=False)
    representative_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    representative_relationship = serializers.CharField(required=False, allow_blank=True, max_length=100)
    for_services = serializers.BooleanField(required=False, default=True)
    for_sharing = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ConsentFilterSerializer(ParamMessagesMixin, FilterSerializer):
    person = id_filter(_("Số định danh (id) của người."))
    active = BooleanParam(required=False, help_text=_("true: chỉ sự đồng ý chưa rút lại."))


class EmptyInput(InputSerializer):
    pass


@extend_schema_view(
    list=extend_schema(tags=[TAG_CONSENTS], summary=_("Danh sách sự đồng ý"),
                       parameters=[ConsentFilterSerializer],
                       responses={200: ConsentSerializer(many=True), 400: BAD_FILTERS}),
    retrieve=extend_schema(tags=[TAG_CONSENTS], summary=_("Chi tiết một sự đồng ý"),
                           parameters=[id_parameter(_("Số định danh (id) của sự đồng ý."))]),
    create=extend_schema(tags=[TAG_CONSENTS], summary=_("Ghi nhận sự đồng ý"),
                         description=_("Với trẻ em: cần người đại diện hợp pháp; từ đủ 7 tuổi, cả trẻ em."),
                         request=ConsentInput, responses={201: ConsentSerializer, 400: BAD_INPUT}),
    withdraw=extend_schema(tags=[TAG_CONSENTS], summary=_("Rút lại sự đồng ý"),
                           parameters=[id_parameter(_("Số định danh (id) của sự đồng ý."))],
                           request=EmptyInput, responses={200: ConsentSerializer, 400: BAD_INPUT}),
)
class ConsentViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [CASES_PERMISSION]
    serializer_class = ConsentSerializer

    def get_queryset(self):
        consents = Consent.objects.filter(person__in=scoped_persons(self.request.user))
        if self.action == "list":
            filters = validated_filters(ConsentFilterSerializer, self.request)
            if filters.get("person"):
                consents = consents.filter(person_id=filters["person"])
            if "active" in filters:
                consents = consents.filter(withdrawn_at__isnull=filters["active"])
        return consents.order_by("-given_at", "pk")

    def create(self, request, *args, **kwargs):
        consent = call_service(services.consent_record, by=request.user, **self.validated_input(ConsentInput))
        return Response(ConsentSerializer(consent, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        consent = self.get_object()
        self.validated_input(EmptyInput)
        consent = call_service(services.consent_withdraw, consent=consent, by=request.user)
        return Response(ConsentSerializer(consent, context=self.get_serializer_context()).data)

