"""/api/v1/workers/, /api/v1/positions/, /api/v1/base-salaries/: the social work workforce.

Reads go through the one door (`Worker.objects.for_user`, `Position.objects.for_user`); writes go through
ctxh.workforce.services, which validate and write nothing on bad input. A worker is changed with the `version`
it was read at: a stale version answers 409 with the fields the other person changed.

The CCCD number is personal data: it is shown whole only to users who may change the workforce
(CHANGE_WORKFORCE), and masked to its last four digits for everyone else.

The pieces every writing resource shares (strict input serializers, capability permissions, service errors as
400/409) are in ctxh/api/common.py.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ctxh.accounts.roles import Capability
from ctxh.accounts.scoping import scope_for, unit_closure
from ctxh.api.common import (
    ApiViewMixin,
    ChoiceParam,
    Conflict,
    FilterSerializer,
    InputSerializer,
    IsoDateField,
    IsoDateParam,
    ParamMessagesMixin,
    ScopedRelatedField,
    call_service,
    capability_permission,
    id_filter,
    in_scope_or_400,
    list_schema,
    not_found_at,
    retrieve_schema,
    today,
    validated_filters,
    write_schema,
)
from ctxh.api.organizations import OrganizationRefSerializer
from ctxh.audit.masking import mask_cccd
from ctxh.core.models import Ethnicity
from ctxh.core.reference import Sex
from ctxh.core.text import fold
from ctxh.geo import selectors as geo_selectors
from ctxh.orgs.models import Organization, OrganizationLocation
from ctxh.workforce import services
from ctxh.workforce.models import (
    AllowanceChange,
    BaseSalary,
    Category,
    Dedication,
    Position,
    ProfessionalTitle,
    Qualification,
    Worker,
)

# ==================================================================================== query parameters


def unit_param(attrs: dict, day: dt.date, param: str = "unit") -> None:
    """Replace a unit code read as of `day` by the unit, or 400 naming the parameter."""
    if param in attrs:
        try:
            attrs[param] = geo_selectors.unit_by_code(attrs[param], day)
        except geo_selectors.UnitNotFound:
            raise not_found_at(param, attrs[param], day) from None


def located_in(unit, as_of: dt.date | None):
    """Ids of organizations located in the unit's subtree across successions (on `as_of` when given)."""
    locations = OrganizationLocation.objects.filter(unit_id__in=unit_closure([unit.pk]))
    if as_of:
        locations = locations.as_of(as_of)
    return locations.values("organization_id")


# ============================================================================================== workers

TAG_WORKERS = _("Người làm công tác xã hội")


class WorkerFilterSerializer(ParamMessagesMixin, FilterSerializer):
    q = serializers.CharField(required=False, max_length=200, help_text=_(
        "Tìm theo họ tên, không phân biệt dấu (“nguyen van a” tìm được “Nguyễn Văn A”); mọi từ phải có mặt. "
        "Người có quyền sửa danh sách cũng tìm được theo số CCCD đầy đủ."
    ))
    organization = id_filter(_(
        "Số định danh (id) của tổ chức: người giữ (hoặc đã giữ) vị trí tại tổ chức này; với as_of, người giữ "
        "vị trí vào ngày đó."
    ))
    unit = serializers.CharField(required=False, max_length=10, help_text=_(
        "Mã đơn vị hành chính, hiểu theo ngày as_of (mặc định hôm nay): người có vị trí tại các tổ chức "
        "đặt ở đơn vị đó, ở các đơn vị trực thuộc và ở các đơn vị cũ đã nhập vào."
    ))
    as_of = IsoDateParam(required=False, help_text=_(
        "Ngày (YYYY-MM-DD): chỉ những người đang giữ một vị trí vào ngày này; cũng là ngày dùng để hiểu mã "
        "trong tham số unit."
    ))
    sex = ChoiceParam(Sex.choices, noun=_("giới tính"), required=False, help_text=_("Giới tính."))
    sw_qualification = ChoiceParam(Qualification.choices, noun=_("trình độ đào tạo công tác xã hội"),
                                   required=False, help_text=_("Trình độ đào tạo công tác xã hội."))
    professional_title = ChoiceParam(ProfessionalTitle.choices, noun=_("chức danh nghề nghiệp"),
                                     required=False, help_text=_("Chức danh nghề nghiệp công tác xã hội."))

    def validate(self, attrs):
        unit_param(attrs, attrs.get("as_of") or today())
        if "organization" in attrs:
            user = self.context["request"].user
            attrs["organization"] = in_scope_or_400(
                Organization.objects.for_user(user), attrs["organization"], "organization", _("tổ chức"))
        return attrs


def worker_list(*, user, filters: dict):
    """The user's workers narrowed by `filters` (see WorkerFilterSerializer)."""
    workers = Worker.objects.for_user(user).select_related("ethnicity")
    text = filters.get("q") or ""
    if text.strip():
        condition = Q()
        for word in fold(text).split():
            condition &= Q(search_name__contains=word)
        number = "".join(text.split())
        if number.isdigit() and user.can(Capability.CHANGE_WORKFORCE):  # the full number is not for all eyes
            condition |= Q(cccd=number)
        workers = workers.filter(condition)
    for name in ("sex", "sw_qualification", "professional_title"):
        if filters.get(name):
            workers = workers.filter(**{name: filters[name]})
    as_of = filters.get("as_of")
    if filters.get("organization") or filters.get("unit") or as_of:
        positions = Position.objects.for_user(user)
        if filters.get("organization"):
            positions = positions.filter(organization=filters["organization"])
        if filters.get("unit"):
            positions = positions.filter(organization_id__in=located_in(filters["unit"], as_of))
        if as_of:
            positions = positions.active_on(as_of)
        workers = workers.filter(Exists(positions.filter(worker=OuterRef("pk"))))
    return workers.order_by("search_name", "date_of_birth", "pk")


class EthnicitySerializer(serializers.Serializer):
    """Dân tộc (danh mục 54 dân tộc của Tổng cục Thống kê)."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class WorkerRefSerializer(serializers.Serializer):
    """Tham chiếu ngắn tới một người làm công tác xã hội."""

    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class WorkerSerializer(serializers.ModelSerializer):
    sex_label = serializers.CharField(source="get_sex_display", read_only=True)
    ethnicity = EthnicitySerializer(read_only=True, allow_null=True, help_text=_("Dân tộc."))
    cccd = serializers.SerializerMethodField(help_text=_(
        "Số CCCD: đầy đủ với người có quyền sửa danh sách người làm CTXH, nếu không chỉ hiện 4 số cuối."
    ))
    sw_qualification_label = serializers.CharField(source="get_sw_qualification_display", read_only=True)
    professional_title_label = serializers.CharField(source="get_professional_title_display", read_only=True)
    version = serializers.IntegerField(read_only=True, help_text=_(
        "Phiên bản của bản ghi: gửi lại khi sửa (PATCH) để không ghi đè thay đổi của người khác."
    ))

    class Meta:
        model = Worker
        fields = [
            "id", "full_name", "sex", "sex_label", "date_of_birth", "ethnicity", "cccd", "phone",
            "sw_qualification", "sw_qualification_label", "qualification_field", "professional_title",
            "professional_title_label", "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cccd(self, worker: Worker) -> str | None:
        request = self.context.get("request")
        if request is not None and request.user.can(Capability.CHANGE_WORKFORCE):
            return worker.cccd
        return mask_cccd(worker.cccd) or None


class AllowanceSerializer(serializers.ModelSerializer):
    """Một mức phụ cấp hằng tháng của vị trí, áp dụng từ effective_date đến lần thay đổi sau."""

    class Meta:
        model = AllowanceChange
        fields = ["id", "effective_date", "monthly_allowance_vnd", "note"]
        read_only_fields = fields


class PositionSerializer(serializers.ModelSerializer):
    worker = WorkerRefSerializer(read_only=True, help_text=_("Người giữ vị trí."))
    organization = OrganizationRefSerializer(read_only=True, help_text=_("Tổ chức."))
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    dedication_label = serializers.CharField(source="get_dedication_display", read_only=True)
    active = serializers.SerializerMethodField(help_text=_("Vị trí còn giữ hôm nay."))
    monthly_allowance_vnd = serializers.SerializerMethodField(help_text=_(
        "Phụ cấp hằng tháng (đồng) áp dụng hôm nay, hoặc vào ngày cuối của vị trí đã kết thúc; null nếu "
        "chưa ghi nhận."
    ))
    allowances = serializers.SerializerMethodField(help_text=_(
        "Lịch sử phụ cấp, mới nhất trước: mỗi lần thay đổi là một dòng, không ghi đè."
    ))

    class Meta:
        model = Position
        fields = [
            "id", "worker", "organization", "category", "category_label", "dedication", "dedication_label",
            "title", "start_date", "end_date", "active", "monthly_allowance_vnd", "allowances", "note",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_active(self, position: Position) -> bool:
        return position.is_active_on(today())

    def _history(self, position: Position) -> list[AllowanceChange]:
        # Prefetched (see POSITION_PREFETCH): no query per position.
        return sorted(position.allowances.all(), key=lambda change: change.effective_date, reverse=True)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_monthly_allowance_vnd(self, position: Position) -> int | None:
        day = min(today(), position.end_date) if position.end_date else today()
        current = next((c for c in self._history(position) if c.effective_date <= day), None)
        return current.monthly_allowance_vnd if current else None

    @extend_schema_field(AllowanceSerializer(many=True))
    def get_allowances(self, position: Position):
        return AllowanceSerializer(self._history(position), many=True).data


POSITION_PREFETCH = Prefetch("allowances", queryset=AllowanceChange.objects.order_by("-effective_date"))


class WorkerTrainingSerializer(serializers.Serializer):
    """Một lần dự lớp đào tạo của người làm CTXH."""

    attendance_id = serializers.IntegerField(source="id", read_only=True)
    session_id = serializers.IntegerField(source="session.id", read_only=True)
    course_id = serializers.IntegerField(source="session.course.id", read_only=True)
    course_title = serializers.CharField(source="session.course.title", read_only=True)
    start_date = serializers.DateField(source="session.start_date", read_only=True)
    end_date = serializers.DateField(source="session.end_date", read_only=True)
    completed = serializers.BooleanField(read_only=True)
    certificate_number = serializers.CharField(read_only=True)


class WorkerDetailSerializer(WorkerSerializer):
    """Positions are listed only in organizations of the user's scope (the one door holds here too)."""

    positions = serializers.SerializerMethodField(help_text=_(
        "Các vị trí công tác (tại các tổ chức trong phạm vi của bạn), mới nhất trước, với lịch sử phụ cấp."
    ))
    trainings = serializers.SerializerMethodField(help_text=_("Các lớp đào tạo đã dự, mới nhất trước."))

    class Meta(WorkerSerializer.Meta):
        fields = [*WorkerSerializer.Meta.fields, "note", "created_at", "updated_at", "positions", "trainings"]
        read_only_fields = fields

    @extend_schema_field(PositionSerializer(many=True))
    def get_positions(self, worker: Worker):
        user = self.context["request"].user
        rows = (Position.objects.for_user(user).filter(worker=worker)
                .select_related("worker", "organization").prefetch_related(POSITION_PREFETCH)
                .order_by("-start_date", "pk"))
        return PositionSerializer(rows, many=True, context=self.context).data

    @extend_schema_field(WorkerTrainingSerializer(many=True))
    def get_trainings(self, worker: Worker):
        from ctxh.training.selectors import worker_trainings

        return WorkerTrainingSerializer(worker_trainings(worker), many=True).data


# --- input


class PositionInput(InputSerializer):
    worker = ScopedRelatedField(lambda user: Worker.objects.for_user(user),
                                help_text=_("Số định danh (id) của người làm CTXH."))
    organization = ScopedRelatedField(lambda user: Organization.objects.for_user(user),
                                      help_text=_("Số định danh (id) của tổ chức."))
    category = serializers.ChoiceField(Category.choices, help_text=_("Loại cán bộ."))
    dedication = serializers.ChoiceField(Dedication.choices, help_text=_("Hình thức làm việc."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text=_("Chức vụ, công việc."))
    start_date = IsoDateField(help_text=_("Ngày bắt đầu (YYYY-MM-DD)."))
    end_date = IsoDateField(required=False, allow_null=True, help_text=_(
        "Ngày làm việc cuối cùng (YYYY-MM-DD); bỏ trống nếu vẫn đang làm."))
    monthly_allowance_vnd = serializers.IntegerField(
        required=False, allow_null=True, min_value=0,
        help_text=_("Phụ cấp hằng tháng (đồng, số nguyên), áp dụng từ ngày bắt đầu."))
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("Ghi chú."))


class FirstPositionInput(PositionInput):
    """Vị trí công tác đầu tiên, ghi cùng lúc với người làm CTXH."""

    worker = None  # the worker being created


class WorkerInput(InputSerializer):
    full_name = serializers.CharField(max_length=150, help_text=_("Họ và tên."))
    sex = serializers.ChoiceField(Sex.choices, help_text=_("Giới tính."))
    date_of_birth = IsoDateField(help_text=_("Ngày sinh (YYYY-MM-DD)."))
    ethnicity = serializers.SlugRelatedField(
        slug_field="code", queryset=Ethnicity.objects.all(), required=False, allow_null=True,
        help_text=_("Mã dân tộc theo danh mục của Tổng cục Thống kê (01 Kinh, 02 Tày, ...)."),
    )
    cccd = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=20,
        help_text=_("Số CCCD 12 chữ số (không bắt buộc); được kiểm tra với giới tính và năm sinh."))
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30, help_text=_("Điện thoại."))
    sw_qualification = serializers.ChoiceField(Qualification.choices, required=False,
                                               help_text=_("Trình độ đào tạo công tác xã hội."))
    qualification_field = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                                help_text=_("Trình độ chuyên môn ngành khác."))
    professional_title = serializers.ChoiceField(ProfessionalTitle.choices, required=False,
                                                 help_text=_("Chức danh nghề nghiệp công tác xã hội."))
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("Ghi chú."))


class WorkerCreateInput(WorkerInput):
    position = FirstPositionInput(required=False, help_text=_(
        "Vị trí công tác đầu tiên. Bắt buộc với người dùng có phạm vi giới hạn (xã, tổ chức): một người "
        "chưa có vị trí nào tại tổ chức trong phạm vi của bạn thì bạn không xem được."
    ))


class WorkerUpdateInput(WorkerInput):
    version = serializers.IntegerField(min_value=1, help_text=_(
        "Phiên bản đã đọc (trường version của bản ghi). Nếu người khác đã sửa sau đó: 409."))

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "version":
                field.required = False
        return fields


def _change_rows(current: Worker, changes, context) -> list[dict]:
    shown = WorkerDetailSerializer(current, context=context).data
    return [{"field": change.field, "label": change.label, "value": shown.get(change.field)}
            for change in changes]


# --- views


@extend_schema_view(
    list=list_schema(
        TAG_WORKERS, _("Danh sách người làm công tác xã hội"),
        _("Những người có vị trí tại các tổ chức trong phạm vi của người dùng. Số CCCD chỉ hiện 4 số cuối "
          "với người không có quyền sửa danh sách."),
        filters=WorkerFilterSerializer, serializer=WorkerSerializer,
    ),
    retrieve=retrieve_schema(
        TAG_WORKERS, _("Chi tiết một người làm công tác xã hội"),
        _("Với các vị trí công tác (và lịch sử phụ cấp) và các lớp đào tạo đã dự. Người ngoài phạm vi của "
          "người dùng trả về 404."),
        id_description=_("Số định danh (id) của người làm CTXH, lấy từ danh sách."),
    ),
    create=write_schema(
        TAG_WORKERS, _("Thêm một người làm công tác xã hội"),
        _("Cần quyền sửa danh sách người làm CTXH. Dữ liệu sai trả về 400, nêu tên trường; không có gì được "
          "ghi."),
        request=WorkerCreateInput, response=WorkerDetailSerializer,
    ),
    partial_update=write_schema(
        TAG_WORKERS, _("Sửa thông tin một người làm công tác xã hội"),
        _("Gửi các trường cần sửa cùng với version đã đọc. Nếu người khác đã sửa sau khi bạn đọc, trả về 409 "
          "với các trường họ đã sửa; không có gì được ghi."),
        request=WorkerUpdateInput, response=WorkerDetailSerializer, status_code=status.HTTP_200_OK,
        id_description=_("Số định danh (id) của người làm CTXH."), conflict=True,
    ),
)
class WorkerViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [capability_permission(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return worker_list(user=user, filters=validated_filters(WorkerFilterSerializer, self.request))
        return Worker.objects.for_user(user).select_related("ethnicity")

    def get_serializer_class(self):
        return WorkerSerializer if self.action == "list" else WorkerDetailSerializer

    def _detail(self, worker: Worker, status_code=status.HTTP_200_OK) -> Response:
        worker = Worker.objects.select_related("ethnicity").get(pk=worker.pk)
        return Response(WorkerDetailSerializer(worker, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        values = self.validated_input(WorkerCreateInput)
        position = values.pop("position", None)
        if position is None and not scope_for(request.user).unrestricted:
            raise serializers.ValidationError({"position": [_(
                "Hãy ghi vị trí công tác đầu tiên (trường position) tại một tổ chức trong phạm vi của bạn: "
                "nếu không, bạn sẽ không xem được người vừa thêm."
            )]})
        values["cccd"] = values.get("cccd") or ""
        with transaction.atomic():
            worker = call_service(services.worker_create, **values)
            if position is not None:
                call_service(services.position_create, prefix="position", worker=worker, **position)
        return self._detail(worker, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        worker = self.get_object()
        values = self.validated_input(WorkerUpdateInput)
        version = values.pop("version")
        if "cccd" in values:
            values["cccd"] = values["cccd"] or ""
        try:
            worker = call_service(services.worker_update, worker=worker, version=version, data=values)
        except services.ConcurrentEditError as error:
            current = Worker.objects.select_related("ethnicity").get(pk=worker.pk)
            context = self.get_serializer_context()
            raise Conflict(
                message=error.message % error.params, version=current.version,
                changes=_change_rows(current, error.changes, context),
                current=WorkerSerializer(current, context=context).data,
            ) from None
        return self._detail(worker)


# ============================================================================================ positions

TAG_POSITIONS = _("Vị trí công tác")


class PositionFilterSerializer(ParamMessagesMixin, FilterSerializer):
    worker = id_filter(_("Số định danh (id) của người làm CTXH."))
    organization = id_filter(_("Số định danh (id) của tổ chức."))
    unit = serializers.CharField(required=False, max_length=10, help_text=_(
        "Mã đơn vị hành chính, hiểu theo ngày as_of (mặc định hôm nay): vị trí tại các tổ chức đặt ở đơn "
        "vị đó, ở các đơn vị trực thuộc và ở các đơn vị cũ đã nhập vào."
    ))
    as_of = IsoDateParam(required=False, help_text=_(
        "Ngày (YYYY-MM-DD): chỉ các vị trí còn giữ vào ngày này; cũng là ngày dùng để hiểu mã trong "
        "tham số unit."
    ))
    dedication = ChoiceParam(Dedication.choices, noun=_("hình thức làm việc"), required=False,
                             help_text=_("Hình thức làm việc."))
    category = ChoiceParam(Category.choices, noun=_("loại cán bộ"), required=False,
                           help_text=_("Loại cán bộ."))

    def validate(self, attrs):
        unit_param(attrs, attrs.get("as_of") or today())
        return attrs


def position_list(*, user, filters: dict):
    positions = Position.objects.for_user(user)
    for name in ("worker", "organization"):
        if filters.get(name):
            positions = positions.filter(**{f"{name}_id": filters[name]})
    for name in ("dedication", "category"):
        if filters.get(name):
            positions = positions.filter(**{name: filters[name]})
    if filters.get("unit"):
        positions = positions.filter(organization_id__in=located_in(filters["unit"], filters.get("as_of")))
    if filters.get("as_of"):
        positions = positions.active_on(filters["as_of"])
    return positions


class PositionUpdateInput(InputSerializer):
    """Người, tổ chức và ngày bắt đầu xác định một vị trí: không sửa được (đó là một vị trí khác)."""

    category = serializers.ChoiceField(Category.choices, required=False, help_text=_("Loại cán bộ."))
    dedication = serializers.ChoiceField(Dedication.choices, required=False,
                                         help_text=_("Hình thức làm việc."))
    title = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                  help_text=_("Chức vụ, công việc."))
    end_date = IsoDateField(required=False, allow_null=True, help_text=_(
        "Ngày làm việc cuối cùng (YYYY-MM-DD); null nếu vẫn đang làm."))
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("Ghi chú."))

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": [_(
                "Hãy gửi ít nhất một trường cần sửa: category, dedication, title, end_date, note."
            )]})
        return attrs


class AllowanceInput(InputSerializer):
    effective_date = IsoDateField(help_text=_("Áp dụng từ ngày (YYYY-MM-DD), trong thời gian giữ vị trí."))
    monthly_allowance_vnd = serializers.IntegerField(min_value=0, help_text=_(
        "Phụ cấp hằng tháng (đồng, số nguyên không âm)."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                 help_text=_("Ghi chú, căn cứ (ví dụ số quyết định)."))


@extend_schema_view(
    list=list_schema(
        TAG_POSITIONS, _("Danh sách vị trí công tác"),
        _("Các vị trí tại các tổ chức trong phạm vi của người dùng, với lịch sử phụ cấp."),
        filters=PositionFilterSerializer, serializer=PositionSerializer,
    ),
    retrieve=retrieve_schema(
        TAG_POSITIONS, _("Chi tiết một vị trí công tác"),
        _("Vị trí tại tổ chức ngoài phạm vi của người dùng trả về 404."),
        id_description=_("Số định danh (id) của vị trí công tác."),
    ),
    create=write_schema(
        TAG_POSITIONS, _("Thêm một vị trí công tác"),
        _("Cần quyền sửa danh sách người làm CTXH; người và tổ chức phải trong phạm vi của bạn. Tổ chức phải "
          "đang hoạt động vào ngày bắt đầu."),
        request=PositionInput, response=PositionSerializer,
    ),
    partial_update=write_schema(
        TAG_POSITIONS, _("Sửa một vị trí công tác, hoặc kết thúc nó"),
        _("Gửi các trường cần sửa; kết thúc vị trí bằng ngày làm việc cuối cùng (end_date). Mức phụ cấp thay "
          "đổi qua POST /api/v1/positions/{id}/allowances/, không sửa ở đây."),
        request=PositionUpdateInput, response=PositionSerializer, status_code=status.HTTP_200_OK,
        id_description=_("Số định danh (id) của vị trí công tác."),
    ),
    allowances=write_schema(
        TAG_POSITIONS, _("Ghi một lần thay đổi phụ cấp"),
        _("Mức phụ cấp mới áp dụng từ effective_date; mức cũ được giữ trong lịch sử."),
        request=AllowanceInput, response=PositionSerializer,
        id_description=_("Số định danh (id) của vị trí công tác."),
    ),
)
class PositionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PositionSerializer
    permission_classes = [capability_permission(Capability.VIEW_WORKFORCE, Capability.CHANGE_WORKFORCE)]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            positions = position_list(user=user, filters=validated_filters(PositionFilterSerializer,
                                                                           self.request))
        else:
            positions = Position.objects.for_user(user)
        return (positions.select_related("worker", "organization").prefetch_related(POSITION_PREFETCH)
                .order_by("-start_date", "pk"))

    def _detail(self, position: Position, status_code=status.HTTP_200_OK) -> Response:
        position = (Position.objects.select_related("worker", "organization")
                    .prefetch_related(POSITION_PREFETCH).get(pk=position.pk))
        return Response(PositionSerializer(position, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        values = self.validated_input(PositionInput)
        position = call_service(services.position_create, **values)
        return self._detail(position, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        position = self.get_object()
        values = self.validated_input(PositionUpdateInput)
        call_service(services.position_update, position=position, data=values)
        return self._detail(position)

    @action(detail=True, methods=["post"])
    def allowances(self, request, pk=None):
        position = self.get_object()
        values = self.validated_input(AllowanceInput)
        call_service(services.allowance_set, position=position, **values)
        return self._detail(position, status.HTTP_201_CREATED)


# ======================================================================================== base salaries

TAG_BASE_SALARY = _("Mức lương cơ sở")


class BaseSalaryHistorySerializer(serializers.Serializer):
    """Một lần ghi của mức lương cơ sở (giá trị sau lần ghi đó)."""

    changed_at = serializers.DateTimeField(source="history_date", read_only=True)
    change = serializers.SerializerMethodField(
        help_text=_("created (thêm), changed (sửa) hoặc deleted (xóa)."))
    changed_by = serializers.SerializerMethodField(help_text=_("Người ghi, nếu biết."))
    amount_vnd = serializers.IntegerField(read_only=True)
    instrument = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    confirmed = serializers.BooleanField(read_only=True)

    @extend_schema_field(serializers.CharField())
    def get_change(self, record) -> str:
        return {"+": "created", "~": "changed", "-": "deleted"}.get(record.history_type, "changed")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_changed_by(self, record) -> str | None:
        user = record.history_user
        return (user.full_name or user.username) if user else None


class BaseSalarySerializer(serializers.ModelSerializer):
    class Meta:
        model = BaseSalary
        fields = ["id", "effective_date", "amount_vnd", "instrument", "note", "confirmed"]
        read_only_fields = fields


class BaseSalaryDetailSerializer(BaseSalarySerializer):
    history = serializers.SerializerMethodField(help_text=_("Lịch sử ghi và sửa, mới nhất trước."))

    class Meta(BaseSalarySerializer.Meta):
        fields = [*BaseSalarySerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(BaseSalaryHistorySerializer(many=True))
    def get_history(self, row: BaseSalary):
        records = row.history.select_related("history_user").order_by("-history_id")
        return BaseSalaryHistorySerializer(records, many=True).data


class BaseSalaryCreateInput(InputSerializer):
    effective_date = IsoDateField(help_text=_("Áp dụng từ ngày (YYYY-MM-DD)."))
    amount_vnd = serializers.IntegerField(min_value=1, help_text=_("Mức lương cơ sở (đồng/tháng)."))
    instrument = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                       help_text=_("Văn bản quy định (ví dụ Nghị định 73/2024/NĐ-CP)."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text=_("Ghi chú."))
    confirmed = serializers.BooleanField(required=False, default=True, help_text=_(
        "false nếu mức này mới được công bố, chưa có văn bản chính thức."))

    def validate_effective_date(self, value):
        existing = BaseSalary.objects.filter(effective_date=value).first()
        if existing is not None:
            raise serializers.ValidationError(_(
                "Trường effective_date: đã có mức lương cơ sở áp dụng từ ngày %(day)s (id %(id)s); hãy sửa "
                "mức đó (PATCH /api/v1/base-salaries/%(id)s/)."
            ) % {"day": value.isoformat(), "id": existing.pk})
        return value


class BaseSalaryUpdateInput(InputSerializer):
    amount_vnd = serializers.IntegerField(required=False, min_value=1,
                                          help_text=_("Mức lương cơ sở (đồng/tháng)."))
    instrument = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                       help_text=_("Văn bản quy định."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text=_("Ghi chú."))
    confirmed = serializers.BooleanField(required=False, help_text=_("Đã có văn bản chính thức."))


@extend_schema_view(
    list=list_schema(
        TAG_BASE_SALARY, _("Bảng mức lương cơ sở"),
        _("Các mức lương cơ sở theo ngày áp dụng, mới nhất trước; mỗi mức áp dụng đến ngày trước mức sau. "
          "Mọi người dùng đã đăng nhập đều xem được."),
        serializer=BaseSalarySerializer,
    ),
    retrieve=retrieve_schema(
        TAG_BASE_SALARY, _("Một mức lương cơ sở, với lịch sử sửa"),
        _("Mức lương cơ sở áp dụng từ một ngày, với lịch sử các lần ghi và sửa."),
        id_description=_("Số định danh (id) của mức lương cơ sở."),
    ),
    create=write_schema(
        TAG_BASE_SALARY, _("Thêm một mức lương cơ sở"),
        _("Cần quyền quản lý mức lương cơ sở. Ngày áp dụng đã có mức thì trả về 400."),
        request=BaseSalaryCreateInput, response=BaseSalaryDetailSerializer,
    ),
    partial_update=write_schema(
        TAG_BASE_SALARY, _("Sửa một mức lương cơ sở"),
        _("Cần quyền quản lý mức lương cơ sở; giá trị cũ được giữ trong lịch sử. Không sửa được ngày áp "
          "dụng: hãy thêm một mức mới."),
        request=BaseSalaryUpdateInput, response=BaseSalaryDetailSerializer, status_code=status.HTTP_200_OK,
        id_description=_("Số định danh (id) của mức lương cơ sở."),
    ),
)
class BaseSalaryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [capability_permission(None, Capability.MANAGE_BASE_SALARY)]
    queryset = BaseSalary.objects.order_by("-effective_date")

    def get_serializer_class(self):
        return BaseSalarySerializer if self.action == "list" else BaseSalaryDetailSerializer

    def _detail(self, row: BaseSalary, status_code=status.HTTP_200_OK) -> Response:
        row = BaseSalary.objects.get(pk=row.pk)
        return Response(BaseSalaryDetailSerializer(row).data, status=status_code)

    def create(self, request, *args, **kwargs):
        values = self.validated_input(BaseSalaryCreateInput)
        row = call_service(services.base_salary_upsert, **values)
        return self._detail(row, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        changes = self.validated_input(BaseSalaryUpdateInput)
        values = {"amount_vnd": row.amount_vnd, "instrument": row.instrument, "note": row.note,
                  "confirmed": row.confirmed, **changes}
        row = call_service(services.base_salary_upsert, effective_date=row.effective_date, **values)
        return self._detail(row)
