"""The API of case management: cases (intake and the workflow actions), assessments, services delivered and
referrals between organizations.

Reads go through the one door (`Case.objects.for_user`, `Referral.objects.for_user`), are written to the
access log (AccessLogViewSetMixin) and sensitive text is masked for a role without VIEW_SENSITIVE
(SensitiveFieldsSerializerMixin). Writes go through ctxh.cases.services only; a stale `version` answers 409
with what changed.
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from ctxh.api.common import (
    BAD_FILTERS,
    BAD_INPUT,
    ApiViewMixin,
    BooleanParam,
    ChoiceParam,
    ConflictSerializer,
    FilterSerializer,
    InputSerializer,
    IsoDateField,
    ParamMessagesMixin,
    ScopedRelatedField,
    call_service,
    id_filter,
    id_parameter,
    validated_filters,
)
from ctxh.api.persons import CASES_PERMISSION, conflict_from, scoped_persons
from ctxh.audit.api import AccessLogViewSetMixin, SensitiveFieldsSerializerMixin
from ctxh.audit.masking import MaskKind
from ctxh.audit.models import AccessAction
from ctxh.audit.services import log_access
from ctxh.cases import services
from ctxh.cases.models import (
    Assessment,
    AssessmentKind,
    CarePlan,
    CarePlanGoal,
    Case,
    ClosureReason,
    Consent,
    FundingSource,
    Referral,
    ReferralStatus,
    RiskLevel,
    ServiceDelivery,
    ServiceType,
    Stage,
)
from ctxh.cases.scoping import can_act_for
from ctxh.cases.selectors import case_deadlines, overdue_cases, with_deadline_flags
from ctxh.orgs.models import Organization
from ctxh.workforce.models import Worker


def scoped_cases(user):
    return Case.objects.for_user(user)


def scoped_organizations(user):
    return Organization.objects.for_user(user)


def assignable_workers(user):
    """Workers holding a position in an organization of the user's scope (the service checks the day)."""
    return Worker.objects.filter(positions__organization__in=scoped_organizations(user)).distinct()


# ================================================================================================= cases

TAG_CASES = _("Hồ sơ trường hợp")


class CaseFilterSerializer(ParamMessagesMixin, FilterSerializer):
    stage = ChoiceParam(Stage.choices, noun=_("giai đoạn"), required=False, help_text=_("Giai đoạn."))
    risk_level = ChoiceParam(RiskLevel.choices, noun=_("mức độ nguy cơ"), required=False,
                             help_text=_("Mức độ nguy cơ."))
    worker = id_filter(_("Số định danh (id) của người quản lý trường hợp."))
    organization = id_filter(_("Số định danh (id) của tổ chức đang quản lý hồ sơ."))
    person = id_filter(_("Số định danh (id) của người cần trợ giúp."))
    overdue = BooleanParam(required=False, help_text=_(
        "true: chỉ hồ sơ trẻ em đã quá hạn áp dụng biện pháp khẩn cấp (12 giờ) hoặc lập kế hoạch (5 ngày "
        "làm việc)."))
    open = BooleanParam(required=False, help_text=_("true: chỉ hồ sơ chưa kết thúc; false: chỉ hồ sơ đã kết "
                                                    "thúc."))


def case_list(*, user, filters: dict):
    cases = scoped_cases(user)
    for name, lookup in (("stage", "stage"), ("risk_level", "risk_level"), ("worker", "assigned_worker_id"),
                         ("organization", "organization_id"), ("person", "person_id")):
        if filters.get(name):
            cases = cases.filter(**{lookup: filters[name]})
    if "open" in filters:
        cases = cases.exclude(stage=Stage.CLOSED) if filters["open"] else cases.filter(stage=Stage.CLOSED)
    if filters.get("overdue") is True:
        cases = overdue_cases(cases=cases)
    elif filters.get("overdue") is False:
        cases = with_deadline_flags(cases).filter(emergency_overdue=False, plan_overdue=False)
    else:
        cases = with_deadline_flags(cases)
    return cases.select_related("person", "organization", "assigned_worker").order_by("-opened_at", "pk")


class CaseSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    worker = serializers.PrimaryKeyRelatedField(source="assigned_worker", read_only=True)
    worker_name = serializers.CharField(source="assigned_worker.full_name", read_only=True, default=None)
    emergency_overdue = serializers.SerializerMethodField()
    plan_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "person", "person_name", "organization", "organization_name", "worker",
                  "worker_name", "assigned_on", "opened_at", "is_child_at_intake", "stage", "risk_level",
                  "emergency_measures_at", "closed_at", "closure_reason", "intake_summary", "outcome",
                  "emergency_overdue", "plan_overdue", "version"]

    def _deadlines(self, case):
        if not hasattr(case, "_api_deadlines"):
            case._api_deadlines = {d.kind: d for d in case_deadlines(case)}
        return case._api_deadlines

    @extend_schema_field(serializers.BooleanField())
    def get_emergency_overdue(self, case) -> bool:
        if hasattr(case, "emergency_overdue"):
            return bool(case.emergency_overdue)
        deadline = self._deadlines(case).get("emergency")
        return bool(deadline and deadline.overdue)

    @extend_schema_field(serializers.BooleanField())
    def get_plan_overdue(self, case) -> bool:
        if hasattr(case, "plan_overdue"):
            return bool(case.plan_overdue)
        deadline = self._deadlines(case).get("plan")
        return bool(deadline and deadline.overdue)


class DeadlineSerializer(serializers.Serializer):
    """Một thời hạn bảo vệ trẻ em: emergency (12 giờ) hoặc plan (5 ngày làm việc)."""

    kind = serializers.CharField()
    due = serializers.CharField(help_text=_("Thời hạn (ngày hoặc thời điểm, ISO 8601)."))
    met_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()


class CaseDetailSerializer(CaseSerializer):
    deadlines = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "deadlines"]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, case) -> list[dict]:
        return [{"kind": d.kind, "due": d.due.isoformat(),
                 "met_at": serializers.DateTimeField().to_representation(d.met_at) if d.met_at else None,
                 "overdue": d.overdue} for d in self._deadlines(case).values()]


class CaseCreateInput(InputSerializer):
    person = ScopedRelatedField(scoped_persons, help_text=_("Số định danh (id) của người cần trợ giúp."))
    organization = ScopedRelatedField(scoped_organizations, help_text=_("Tổ chức tiếp nhận (trong phạm vi)."))
    opened_at = serializers.DateTimeField(required=False,
                                          help_text=_("Thời điểm tiếp nhận (mặc định: bây giờ)."))
    intake_summary = serializers.CharField(required=False, allow_blank=True)
    risk_level = serializers.ChoiceField(RiskLevel.choices, required=False, allow_blank=True)
    worker = ScopedRelatedField(assignable_workers, required=False, allow_null=True,
                                help_text=_("Người quản lý trường hợp (tùy chọn)."))
    idempotency_key = serializers.CharField(required=False, allow_blank=True, max_length=64, help_text=_(
        "Khóa dùng một lần (hoặc tiêu đề Idempotency-Key): gửi lại cùng khóa không tạo hồ sơ thứ hai."))


class VersionedInput(InputSerializer):
    version = serializers.IntegerField(required=False, min_value=1, help_text=_(
        "Phiên bản hồ sơ đã đọc: nếu người khác đã sửa sau đó, trả về 409."))


class AssignInput(VersionedInput):
    worker = ScopedRelatedField(assignable_workers)
    on = IsoDateField(required=False, help_text=_("Ngày phân công (mặc định hôm nay)."))


class AdvanceInput(VersionedInput):
    to = serializers.ChoiceField(Stage.choices, help_text=_("Giai đoạn tiếp theo."))


class CloseInput(VersionedInput):
    reason = serializers.ChoiceField(ClosureReason.choices)
    outcome = serializers.CharField()
    at = serializers.DateTimeField(required=False)


class ReopenInput(VersionedInput):
    reason = serializers.CharField()


class EmergencyInput(VersionedInput):
    at = serializers.DateTimeField(help_text=_("Thời điểm áp dụng biện pháp (ISO 8601, có múi giờ)."))
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("Biện pháp đã áp dụng."))


class TransferInput(VersionedInput):
    to_org = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), help_text=_(
        "Số định danh (id) của tổ chức nhận hồ sơ."))
    reason = serializers.CharField()
    worker = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.all(), required=False, allow_null=True,
        help_text=_("Người quản lý trường hợp ở tổ chức nhận (tùy chọn)."))
    on = IsoDateField(required=False, help_text=_("Ngày chuyển (mặc định hôm nay)."))


# --- care plans


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = CarePlanGoal
        fields = ["id", "text", "status", "target_date"]


class CarePlanSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    is_approved = serializers.BooleanField(read_only=True)

    class Meta:
        model = CarePlan
        fields = ["id", "case", "drafted_at", "drafted_by", "note", "is_approved", "approved_at",
                  "approver_name", "decision_number", "approved_by", "goals"]


class PlanDraftInput(InputSerializer):
    goals = serializers.ListField(
        child=serializers.CharField(max_length=500, allow_blank=True), allow_empty=False,
        help_text=_("Các mục tiêu của kế hoạch, mỗi mục tiêu một chuỗi."))
    note = serializers.CharField(required=False, allow_blank=True)
    drafted_at = serializers.DateTimeField(required=False, help_text=_("Thời điểm lập (mặc định: bây giờ)."))
    drafted_by = ScopedRelatedField(assignable_workers, required=False, allow_null=True, help_text=_(
        "Người lập kế hoạch (mặc định: người làm công tác xã hội gắn với tài khoản)."))


class PlanApproveInput(InputSerializer):
    approver_name = serializers.CharField(max_length=200, help_text=_(
        "Họ tên, chức vụ người đứng đầu tổ chức đã phê duyệt."))
    decision_number = serializers.CharField(required=False, allow_blank=True, max_length=50,
                                            help_text=_("Số quyết định phê duyệt."))
    approved_at = serializers.DateTimeField(required=False, help_text=_("Thời điểm phê duyệt (mặc định: bây "
                                                                        "giờ)."))


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description=_("Khóa dùng một lần: gửi lại cùng khóa (nhấn đúp) trả về hồ sơ đã tạo, không tạo thêm."))
CASE_ID = id_parameter(_("Số định danh (id) của hồ sơ."))


def _action_schema(summary, request, description=""):
    return extend_schema(tags=[TAG_CASES], summary=summary, description=description, parameters=[CASE_ID],
                         request=request,
                         responses={200: CaseDetailSerializer, 400: BAD_INPUT, 409: ConflictSerializer})


@extend_schema_view(
    list=extend_schema(
        tags=[TAG_CASES], summary=_("Danh sách hồ sơ trường hợp"),
        description=_("Hồ sơ trong phạm vi của người dùng (nhân viên CTXH: hồ sơ được phân công). Mỗi lần "
                      "đọc được ghi vào nhật ký truy cập."),
        parameters=[CaseFilterSerializer], responses={200: CaseSerializer(many=True), 400: BAD_FILTERS},
    ),
    retrieve=extend_schema(tags=[TAG_CASES], summary=_("Chi tiết một hồ sơ"), parameters=[CASE_ID],
                           description=_("Với các thời hạn. Hồ sơ ngoài phạm vi trả về 404.")),
    create=extend_schema(
        tags=[TAG_CASES], summary=_("Tiếp nhận một trường hợp"), parameters=[IDEMPOTENCY_HEADER],
        request=CaseCreateInput, responses={201: CaseDetailSerializer, 200: CaseDetailSerializer,
                                            400: BAD_INPUT},
        description=_("Mở hồ sơ. Với khóa dùng một lần, lần gửi thứ hai trả về 200 với hồ sơ đã tạo."),
    ),
    assign=_action_schema(_("Phân công người quản lý trường hợp"), AssignInput),
    advance=_action_schema(_("Chuyển sang giai đoạn tiếp theo"), AdvanceInput,
                           _("Không được bỏ qua bước: trả về 400 nêu bước còn thiếu.")),
    close=_action_schema(_("Kết thúc hồ sơ"), CloseInput),
    reopen=_action_schema(_("Mở lại hồ sơ"), ReopenInput),
    emergency=_action_schema(_("Ghi biện pháp khẩn cấp"), EmergencyInput, _(
        "Trẻ em có nguy cơ nghiêm trọng: trong vòng 12 giờ kể từ khi tiếp nhận.")),
    transfer=_action_schema(_("Chuyển hồ sơ cho tổ chức khác"), TransferInput, _(
        "Chỉ cán bộ của tổ chức đang quản lý hồ sơ (hoặc cán bộ quản lý cấp tỉnh) mới chuyển được: 403 với "
        "vai trò khác.")),
    approve_plan=extend_schema(
        tags=[TAG_CASES], summary=_("Ghi nhận phê duyệt kế hoạch trợ giúp"),
        description=_("Quyết định của người đứng đầu tổ chức, do cán bộ của tổ chức đang quản lý hồ sơ ghi "
                      "nhận; kế hoạch đã phê duyệt thì không phê duyệt lại."),
        parameters=[CASE_ID, OpenApiParameter("plan_id", int, OpenApiParameter.PATH,
                                              description=_("Số định danh (id) của kế hoạch."))],
        request=PlanApproveInput, responses={200: CarePlanSerializer, 400: BAD_INPUT}),
)
class CaseViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [CASES_PERMISSION]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema: no database (the deadline calendar)
            return Case.objects.none()
        user = self.request.user
        if self.action == "list":
            return case_list(user=user, filters=validated_filters(CaseFilterSerializer, self.request))
        return scoped_cases(user).select_related("person", "organization", "assigned_worker")

    def get_serializer_class(self):
        return CaseSerializer if self.action == "list" else CaseDetailSerializer

    def _detail(self, case: Case, status_code=status.HTTP_200_OK) -> Response:
        case = Case.objects.select_related("person", "organization", "assigned_worker").get(pk=case.pk)
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        values = self.validated_input(CaseCreateInput)
        key = (request.headers.get("Idempotency-Key") or values.pop("idempotency_key", "") or "").strip()
        values.pop("idempotency_key", None)
        replay = bool(key) and Case.objects.filter(
            person=values["person"], opening_organization=values["organization"], idempotency_key=key[:64],
        ).exists()
        case = call_service(services.case_open, by=request.user, idempotency_key=key, **values)
        return self._detail(case, status.HTTP_200_OK if replay else status.HTTP_201_CREATED)

    def _run(self, function, serializer_class, **extra):
        case = self.get_object()
        values = self.validated_input(serializer_class)
        try:
            case = call_service(function, case=case, by=self.request.user, **extra, **values)
        except services.ConcurrentEditError as error:
            raise conflict_from(error, Case.objects.get(pk=case.pk), CaseSerializer,
                                self.get_serializer_context()) from None
        return self._detail(case)

    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._run(services.case_assign, AssignInput)

    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        return self._run(services.case_advance, AdvanceInput)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._run(services.case_close, CloseInput)

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._run(services.case_reopen, ReopenInput)

    @action(detail=True, methods=["post"])
    def emergency(self, request, pk=None):
        return self._run(services.emergency_measures_record, EmergencyInput)

    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        case = self.get_object()
        if not can_act_for(request.user, case.organization):
            raise PermissionDenied(_("Chỉ cán bộ của %(org)s mới chuyển được hồ sơ này cho tổ chức khác.")
                                   % {"org": case.organization.name})
        return self._run(services.case_transfer, TransferInput)

    def _plan_answer(self, plan: CarePlan, status_code=status.HTTP_200_OK) -> Response:
        plan = CarePlan.objects.select_related("case").prefetch_related("goals").get(pk=plan.pk)
        log_access(request_or_user=self.request, action=AccessAction.API_VIEW, obj=plan,
                   description=f"case={plan.case_id}")
        return Response(CarePlanSerializer(plan, context=self.get_serializer_context()).data,
                        status=status_code)

    @extend_schema(methods=["GET"], tags=[TAG_CASES], summary=_("Các kế hoạch trợ giúp của một hồ sơ"),
                   parameters=[CASE_ID], responses={200: CarePlanSerializer(many=True)},
                   description=_("Mỗi lần đọc được ghi vào nhật ký truy cập."))
    @extend_schema(methods=["POST"], tags=[TAG_CASES], summary=_("Lập kế hoạch trợ giúp"),
                   parameters=[CASE_ID], request=PlanDraftInput,
                   responses={201: CarePlanSerializer, 400: BAD_INPUT},
                   description=_("Khi hồ sơ ở giai đoạn lập kế hoạch hoặc rà soát. Hạn lập kế hoạch: 5 ngày "
                                 "làm việc kể từ khi tiếp nhận (không tính ngày nghỉ lễ, Tết)."))
    @action(detail=True, methods=["get", "post"])
    def plans(self, request, pk=None):
        case = self.get_object()
        if request.method == "GET":
            rows = list(case.plans.select_related("case").prefetch_related("goals")
                        .order_by("drafted_at", "pk"))
            log_access(request_or_user=request, action=AccessAction.API_LIST, objects=rows, model=CarePlan,
                       description=f"case={case.pk}")
            return Response(CarePlanSerializer(rows, many=True, context=self.get_serializer_context()).data)
        values = self.validated_input(PlanDraftInput)
        if values.get("drafted_by") is None:
            values["drafted_by"] = Worker.objects.filter(user=request.user).first()
        plan = call_service(services.plan_draft, case=case, by=request.user, **values)
        return self._plan_answer(plan, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path=r"plans/(?P<plan_id>[0-9]+)/approve")
    def approve_plan(self, request, pk=None, plan_id=None):
        case = self.get_object()
        plan = get_object_or_404(CarePlan, pk=plan_id, case=case)
        plan = call_service(services.plan_approve, plan=plan, by=request.user,
                            **self.validated_input(PlanApproveInput))
        return self._plan_answer(plan)


# ============================================================================ assessments and services

TAG_ASSESSMENTS = _("Đánh giá")
TAG_SERVICES = _("Dịch vụ đã cung cấp")


class CaseChildFilterSerializer(ParamMessagesMixin, FilterSerializer):
    case = id_filter(_("Số định danh (id) của hồ sơ."))


class AssessmentSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):

    class Meta:
        model = Assessment
        fields = ["id", "case", "assessed_on", "kind", "risk_level", "needs", "worker", "created_at"]


class AssessmentInput(InputSerializer):
    case = ScopedRelatedField(scoped_cases)
    kind = serializers.ChoiceField(AssessmentKind.choices)
    assessed_on = IsoDateField()
    risk_level = serializers.ChoiceField(RiskLevel.choices)
    needs = serializers.CharField(required=False, allow_blank=True)
    worker = ScopedRelatedField(assignable_workers, required=False, allow_null=True)


class ServiceSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):

    class Meta:
        model = ServiceDelivery
        fields = ["id", "case", "person", "service_type", "delivered_on", "provider", "worker",
                  "funding_source", "amount_vnd", "note", "created_at"]


class ServiceInput(InputSerializer):
    case = ScopedRelatedField(scoped_cases)
    service_type = serializers.ChoiceField(ServiceType.choices)
    delivered_on = IsoDateField()
    funding_source = serializers.ChoiceField(FundingSource.choices)
    provider = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                  allow_null=True)
    worker = ScopedRelatedField(assignable_workers, required=False, allow_null=True)
    amount_vnd = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True)


class _CaseChildViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [CASES_PERMISSION]
    model = None
    input_class = None
    service = None
    order = ()

    def get_queryset(self):
        rows = self.model.objects.filter(case__in=scoped_cases(self.request.user))
        if self.action == "list":
            filters = validated_filters(CaseChildFilterSerializer, self.request)
            if filters.get("case"):
                rows = rows.filter(case_id=filters["case"])
        return rows.order_by(*self.order)

    def create(self, request, *args, **kwargs):
        row = call_service(type(self).service, by=request.user, **self.validated_input(self.input_class))
        return Response(self.get_serializer_class()(row, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


def _child_schema(tag, noun, serializer, request):
    return extend_schema_view(
        list=extend_schema(tags=[tag], summary=_("Danh sách %(noun)s") % {"noun": noun},
                           parameters=[CaseChildFilterSerializer],
                           responses={200: serializer(many=True), 400: BAD_FILTERS}),
        retrieve=extend_schema(tags=[tag], summary=_("Chi tiết %(noun)s") % {"noun": noun},
                               parameters=[id_parameter(_("Số định danh (id)."))]),
        create=extend_schema(tags=[tag], summary=_("Ghi %(noun)s") % {"noun": noun}, request=request,
                             responses={201: serializer, 400: BAD_INPUT}),
    )


@_child_schema(TAG_ASSESSMENTS, _("đánh giá"), AssessmentSerializer, AssessmentInput)
class AssessmentViewSet(_CaseChildViewSet):
    serializer_class = AssessmentSerializer
    model = Assessment
    input_class = AssessmentInput
    service = staticmethod(services.assessment_add)
    order = ("-assessed_on", "pk")


@_child_schema(TAG_SERVICES, _("dịch vụ đã cung cấp"), ServiceSerializer, ServiceInput)
class ServiceDeliveryViewSet(_CaseChildViewSet):
    serializer_class = ServiceSerializer
    model = ServiceDelivery
    input_class = ServiceInput
    service = staticmethod(services.service_record)
    order = ("-delivered_on", "pk")


# ============================================================================================= referrals

TAG_REFERRALS = _("Chuyển tuyến")


class ReferralFilterSerializer(ParamMessagesMixin, FilterSerializer):
    direction = ChoiceParam([("incoming", _("đến")), ("outgoing", _("đi"))], noun=_("hướng"), required=False,
                            help_text=_("incoming: gửi đến các tổ chức của bạn; outgoing: do các tổ chức của "
                                        "bạn gửi đi."))
    status = ChoiceParam(ReferralStatus.choices, noun=_("tình trạng"), required=False,
                         help_text=_("Tình trạng."))
    case = id_filter(_("Số định danh (id) của hồ sơ."))


class ReferralSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer):
    sensitive_fields = {"reason": MaskKind.TEXT, "response_note": MaskKind.TEXT}
    case_number = serializers.CharField(source="case.number", read_only=True)
    from_org_name = serializers.CharField(source="from_org.name", read_only=True)
    to_org_name = serializers.CharField(source="to_org.name", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "case", "case_number", "from_org", "from_org_name", "to_org", "to_org_name", "reason",
                  "deadline", "status", "shares_data", "consent", "sent_at", "responded_at", "response_note",
                  "closed_at"]


class ReferralInput(InputSerializer):
    case = ScopedRelatedField(scoped_cases)
    to_org = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), help_text=_(
        "Số định danh (id) của tổ chức nhận."))
    reason = serializers.CharField()
    deadline = IsoDateField(required=False, allow_null=True)
    shares_data = serializers.BooleanField(required=False, default=False)
    consent = ScopedRelatedField(lambda user: Consent.objects.filter(person__in=scoped_persons(user)),
                                 required=False, allow_null=True)


class RespondInput(InputSerializer):
    accept = serializers.BooleanField(help_text=_("true: tiếp nhận; false: từ chối (ghi lý do ở note)."))
    note = serializers.CharField(required=False, allow_blank=True)


class NoteInput(InputSerializer):
    note = serializers.CharField(required=False, allow_blank=True)


class ReasonInput(InputSerializer):
    reason = serializers.CharField()


REFERRAL_ID = id_parameter(_("Số định danh (id) của chuyển tuyến."))


def _referral_action(summary, request):
    return extend_schema(tags=[TAG_REFERRALS], summary=summary, parameters=[REFERRAL_ID], request=request,
                         responses={200: ReferralSerializer, 400: BAD_INPUT})


@extend_schema_view(
    list=extend_schema(tags=[TAG_REFERRALS], summary=_("Danh sách chuyển tuyến"),
                       description=_("Chuyển tuyến đến và đi của các tổ chức của bạn, và của các hồ sơ bạn "
                                     "xem được."),
                       parameters=[ReferralFilterSerializer],
                       responses={200: ReferralSerializer(many=True), 400: BAD_FILTERS}),
    retrieve=extend_schema(tags=[TAG_REFERRALS], summary=_("Chi tiết một chuyển tuyến"),
                           parameters=[REFERRAL_ID]),
    create=extend_schema(tags=[TAG_REFERRALS], summary=_("Gửi chuyển tuyến"),
                         description=_("Không chuyển cho chính tổ chức đang quản lý hồ sơ; chia sẻ thông tin "
                                       "cần sự đồng ý còn hiệu lực."),
                         request=ReferralInput, responses={201: ReferralSerializer, 400: BAD_INPUT}),
    respond=_referral_action(_("Tiếp nhận hoặc từ chối chuyển tuyến"), RespondInput),
    complete=_referral_action(_("Xác nhận hoàn thành chuyển tuyến"), NoteInput),
    withdraw=_referral_action(_("Rút chuyển tuyến"), ReasonInput),
)
class ReferralViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [CASES_PERMISSION]
    serializer_class = ReferralSerializer

    def get_queryset(self):
        user = self.request.user
        referrals = Referral.objects.for_user(user).select_related("case", "from_org", "to_org")
        if self.action == "list":
            filters = validated_filters(ReferralFilterSerializer, self.request)
            mine = scoped_organizations(user).values("pk")
            if filters.get("direction") == "incoming":
                referrals = referrals.filter(to_org__in=mine)
            elif filters.get("direction") == "outgoing":
                referrals = referrals.filter(Q(from_org__in=mine) | Q(sent_by=user))
            if filters.get("status"):
                referrals = referrals.filter(status=filters["status"])
            if filters.get("case"):
                referrals = referrals.filter(case_id=filters["case"])
        return referrals.order_by("-sent_at", "pk")

    def _answer(self, referral, status_code=status.HTTP_200_OK):
        return Response(ReferralSerializer(referral, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        values = self.validated_input(ReferralInput)
        referral = call_service(services.referral_send, by=request.user, **values)
        return self._answer(referral, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        referral = self.get_object()
        return self._answer(call_service(services.referral_respond, referral=referral, by=request.user,
                                         **self.validated_input(RespondInput)))

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        referral = self.get_object()
        return self._answer(call_service(services.referral_complete, referral=referral, by=request.user,
                                         **self.validated_input(NoteInput)))

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        referral = self.get_object()
        return self._answer(call_service(services.referral_withdraw, referral=referral, by=request.user,
                                         **self.validated_input(ReasonInput)))
