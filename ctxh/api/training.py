"""/api/v1/courses/, /api/v1/sessions/, /api/v1/attendances/: social work training.

Reads go through the training app's doors (`Course.objects.for_user`, `Session.objects.for_user`,
`Attendance.objects.for_user`, `CountedAttendance.objects.for_user`) and its selectors, as the web pages do.
Writes need CHANGE_TRAINING and go through ctxh.training.services; a course's sessions and attendance lists
are kept by the organizations that organize or partner it (`managed_by`): a session another organization keeps
is "not found" for writing, as an id outside the scope is.
"""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from ctxh.accounts.roles import Capability
from ctxh.api.common import (
    ApiViewMixin,
    BooleanParam,
    ChoiceParam,
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
    retrieve_schema,
    use_messages,
    validated_filters,
    write_schema,
)
from ctxh.api.organizations import OrganizationRefSerializer
from ctxh.api.units import UnitRefSerializer
from ctxh.api.workforce import WorkerRefSerializer
from ctxh.core.reference import Sex
from ctxh.orgs.models import Organization
from ctxh.training import selectors, services
from ctxh.training.models import Attendance, Course, CourseLevel, FundingSource, Session, Topic
from ctxh.workforce.models import Worker

PERMISSIONS = [capability_permission(Capability.VIEW_TRAINING, Capability.CHANGE_TRAINING)]


# ---------------------------------------------------------------------------------------------- shared


class TopicSerializer(serializers.Serializer):
    """Chủ đề đào tạo (mục II.4 của Kế hoạch; danh mục có thể bổ sung)."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class StatsSerializer(serializers.Serializer):
    """Số liệu dự lớp mà người dùng được xem (trong phạm vi của họ)."""

    named = serializers.IntegerField(read_only=True, help_text=_("Số người có tên trong danh sách dự lớp."))
    named_completed = serializers.IntegerField(read_only=True,
                                               help_text=_("Trong đó: số người đã hoàn thành."))
    counted = serializers.IntegerField(read_only=True, help_text=_(
        "Số lượt người hoàn thành được ghi theo số lượng (không có danh sách tên)."))
    completed = serializers.IntegerField(read_only=True, help_text=_(
        "Số lượt người hoàn thành: người có tên đã hoàn thành và số lượt ghi theo số lượng."))


class CourseStatsSerializer(StatsSerializer):
    sessions = serializers.IntegerField(read_only=True, help_text=_("Số lớp (đợt) của khóa."))
    first_day = serializers.DateField(read_only=True, allow_null=True,
                                      help_text=_("Ngày khai giảng lớp đầu."))
    last_day = serializers.DateField(read_only=True, allow_null=True,
                                     help_text=_("Ngày khai giảng lớp gần nhất."))


class StatsMixin:
    """Statistics of a page of rows, read in a few grouped queries (never one query per row)."""

    stats_of: Callable[..., dict] | None = None

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {**self.get_serializer_context(),
                   "stats": type(self).stats_of(user=request.user, ids=[row.pk for row in page])}
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)

    def get_serializer(self, *args, context=None, **kwargs):
        if context is None:
            context = self.get_serializer_context()
            instance = args[0] if args else None
            if isinstance(instance, self.get_queryset().model):
                context["stats"] = type(self).stats_of(user=self.request.user, ids=[instance.pk])
        return self.get_serializer_class()(*args, context=context, **kwargs)


def _course_stats(*, user, ids):
    return selectors.course_stats(user=user, course_ids=ids)


def _session_stats(*, user, ids):
    return selectors.session_stats(user=user, session_ids=ids)


# ---------------------------------------------------------------------------------------------- courses

TAG_COURSES = _("Khóa đào tạo")


class CourseFilterSerializer(ParamMessagesMixin, FilterSerializer):
    q = serializers.CharField(required=False, max_length=200, help_text=_(
        "Tìm theo tên khóa, không phân biệt dấu; mọi từ phải có mặt."))
    topic = serializers.CharField(required=False, max_length=40, help_text=_("Mã chủ đề (ví dụ SW_SKILLS)."))
    organizer = id_filter(_("Số định danh (id) của đơn vị tổ chức."))
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2100, help_text=_(
        "Năm: các khóa có lớp khai giảng trong năm này."))
    level = ChoiceParam(CourseLevel.choices, noun=_("trình độ"), required=False, help_text=_("Trình độ."))
    funding_source = ChoiceParam(FundingSource.choices, noun=_("nguồn kinh phí"), required=False,
                                 help_text=_("Nguồn kinh phí."))

    def get_fields(self):
        fields = super().get_fields()
        use_messages(fields["year"], dict.fromkeys(
            ("invalid", "min_value", "max_value", "max_string_length"),
            _("Tham số year: hãy dùng một năm có bốn chữ số (ví dụ 2025)."),
        ))
        return fields

    def validate_topic(self, value):
        topic = Topic.objects.filter(code=value.strip().upper()).first()
        if topic is None:
            codes = ", ".join(Topic.objects.order_by("sort_order", "code").values_list("code", flat=True))
            raise serializers.ValidationError(
                _("Tham số topic: “%(value)s” không phải mã chủ đề. Các mã: %(codes)s.")
                % {"value": value, "codes": codes})
        return topic

    def validate(self, attrs):
        if "organizer" in attrs:
            user = self.context["request"].user
            attrs["organizer"] = in_scope_or_400(Organization.objects.for_user(user), attrs["organizer"],
                                                 "organizer", _("tổ chức"))
        return attrs


class CourseSerializer(serializers.ModelSerializer):
    topics = TopicSerializer(many=True, read_only=True, help_text=_("Chủ đề."))
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    organizer = OrganizationRefSerializer(read_only=True, help_text=_("Đơn vị tổ chức."))
    partner = OrganizationRefSerializer(read_only=True, allow_null=True,
                                        help_text=_("Cơ sở đào tạo phối hợp."))
    funding_source_label = serializers.CharField(source="get_funding_source_display", read_only=True)
    stats = serializers.SerializerMethodField(help_text=_("Số lớp và số người dự (trong phạm vi của bạn)."))

    class Meta:
        model = Course
        fields = ["id", "title", "topics", "level", "level_label", "organizer", "partner", "funding_source",
                  "funding_source_label", "note", "created_at", "version", "stats"]
        read_only_fields = fields

    @extend_schema_field(CourseStatsSerializer)
    def get_stats(self, course: Course):
        stats = self.context.get("stats", {}).get(course.pk)
        if stats is None:
            return None
        return CourseStatsSerializer({**vars(stats), "completed": stats.completed}).data


class SessionBriefSerializer(serializers.ModelSerializer):
    """Một lớp (đợt) của khóa."""

    class Meta:
        model = Session
        fields = ["id", "start_date", "end_date", "place"]
        read_only_fields = fields


class CourseDetailSerializer(CourseSerializer):
    sessions = serializers.SerializerMethodField(
        help_text=_("Các lớp của khóa mà bạn được xem, mới nhất trước."))

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "sessions"]
        read_only_fields = fields

    @extend_schema_field(SessionBriefSerializer(many=True))
    def get_sessions(self, course: Course):
        rows = selectors.course_sessions(user=self.context["request"].user, course=course)
        return SessionBriefSerializer(rows, many=True).data


class CourseInput(InputSerializer):
    title = serializers.CharField(max_length=300, help_text=_("Tên khóa, lớp."))
    organizer = ScopedRelatedField(
        lambda user: Organization.objects.for_user(user),
        help_text=_("Số định danh (id) của đơn vị tổ chức (trong phạm vi của bạn)."))
    partner = ScopedRelatedField(
        lambda user: Organization.objects.for_user(user), required=False, allow_null=True,
        help_text=_("Số định danh (id) của cơ sở đào tạo phối hợp."))
    level = serializers.ChoiceField(CourseLevel.choices, required=False, help_text=_("Trình độ."))
    topics = serializers.SlugRelatedField(
        slug_field="code", queryset=Topic.objects.all(), many=True, required=False,
        help_text=_("Các mã chủ đề, ví dụ [\"SW_SKILLS\", \"LAW\"]."))
    funding_source = serializers.ChoiceField(FundingSource.choices, required=False,
                                             help_text=_("Nguồn kinh phí."))
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("Ghi chú."))


@extend_schema_view(
    list=list_schema(
        TAG_COURSES, _("Danh sách khóa đào tạo"),
        _("Các khóa do tổ chức trong phạm vi của người dùng tổ chức hoặc phối hợp, hoặc có người trong phạm "
          "vi dự; lớp gần nhất trước."),
        filters=CourseFilterSerializer, serializer=CourseSerializer,
    ),
    retrieve=retrieve_schema(
        TAG_COURSES, _("Chi tiết một khóa đào tạo"),
        _("Với các lớp của khóa. Khóa ngoài phạm vi của người dùng trả về 404."),
        id_description=_("Số định danh (id) của khóa."),
    ),
    create=write_schema(
        TAG_COURSES, _("Thêm một khóa đào tạo"),
        _("Cần quyền quản lý đào tạo; đơn vị tổ chức phải trong phạm vi của bạn."),
        request=CourseInput, response=CourseDetailSerializer,
    ),
)
class CourseViewSet(StatsMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = PERMISSIONS
    stats_of = _course_stats

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            filters = validated_filters(CourseFilterSerializer, self.request)
            courses = selectors.course_list(user=user, filters=filters)
            if filters.get("level"):
                courses = courses.filter(level=filters["level"])
            return courses
        return Course.objects.for_user(user).select_related("organizer", "partner").prefetch_related("topics")

    def get_serializer_class(self):
        return CourseSerializer if self.action == "list" else CourseDetailSerializer

    def create(self, request, *args, **kwargs):
        values = self.validated_input(CourseInput)
        course = call_service(services.course_create, **values)
        course = self.get_queryset().get(pk=course.pk)
        return Response(self.get_serializer(course).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------- sessions

TAG_SESSIONS = _("Lớp đào tạo")


class SessionFilterSerializer(ParamMessagesMixin, FilterSerializer):
    course = id_filter(_("Số định danh (id) của khóa."))
    date_from = IsoDateParam(required=False, help_text=_("Khai giảng từ ngày (YYYY-MM-DD)."))
    date_to = IsoDateParam(required=False, help_text=_("Khai giảng đến ngày (YYYY-MM-DD), tính cả ngày này."))

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_(
                "Tham số date_to: ngày %(to)s trước ngày date_from %(start)s."
            ) % {"to": attrs["date_to"].isoformat(), "start": attrs["date_from"].isoformat()}]})
        return attrs


def session_list(*, user, filters: dict):
    sessions = Session.objects.for_user(user)
    if filters.get("course"):
        sessions = sessions.filter(course_id=filters["course"])
    if filters.get("date_from"):
        sessions = sessions.filter(start_date__gte=filters["date_from"])
    if filters.get("date_to"):
        sessions = sessions.filter(start_date__lte=filters["date_to"])
    return sessions


class CourseBriefSerializer(serializers.Serializer):
    """Tham chiếu ngắn tới một khóa đào tạo."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class SessionSerializer(serializers.ModelSerializer):
    course = CourseBriefSerializer(read_only=True, help_text=_("Khóa đào tạo."))
    trainers = WorkerRefSerializer(many=True, read_only=True, help_text=_("Giảng viên có trong danh sách."))
    stats = serializers.SerializerMethodField(help_text=_("Số người dự (trong phạm vi của bạn)."))

    class Meta:
        model = Session
        fields = ["id", "course", "start_date", "end_date", "place", "trainers", "trainer_names", "note",
                  "stats"]
        read_only_fields = fields

    @extend_schema_field(StatsSerializer)
    def get_stats(self, session: Session):
        stats = self.context.get("stats", {}).get(session.pk)
        if stats is None:
            return None
        return StatsSerializer({**vars(stats), "completed": stats.completed}).data


class CountedAttendanceSerializer(serializers.Serializer):
    """Số lượt người hoàn thành, ghi theo số lượng (không có danh sách tên)."""

    unit = UnitRefSerializer(read_only=True, help_text=_("Đơn vị hành chính vào ngày khai giảng."))
    org_kind = serializers.CharField(read_only=True, help_text=_("Loại tổ chức (rỗng: không rõ)."))
    org_kind_label = serializers.CharField(source="get_org_kind_display", read_only=True)
    sex = serializers.CharField(read_only=True, help_text=_("Giới tính (rỗng: không rõ)."))
    count = serializers.IntegerField(read_only=True)


class SessionDetailSerializer(SessionSerializer):
    counts = serializers.SerializerMethodField(help_text=_(
        "Số lượt người hoàn thành ghi theo số lượng, theo đơn vị hành chính, loại tổ chức và giới tính."))

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "counts"]
        read_only_fields = fields

    @extend_schema_field(CountedAttendanceSerializer(many=True))
    def get_counts(self, session: Session):
        rows = selectors.session_counts(user=self.context["request"].user, session=session)
        return CountedAttendanceSerializer(rows, many=True).data


class SessionInput(InputSerializer):
    course = ScopedRelatedField(lambda user: Course.objects.for_user(user).managed_by(user), help_text=_(
        "Số định danh (id) của khóa, do tổ chức trong phạm vi của bạn tổ chức hoặc phối hợp."))
    start_date = IsoDateField(help_text=_("Ngày khai giảng (YYYY-MM-DD)."))
    end_date = IsoDateField(required=False, allow_null=True,
                            help_text=_("Ngày kết thúc (YYYY-MM-DD); mặc định bằng ngày khai giảng."))
    place = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text=_("Địa điểm."))
    trainers = ScopedRelatedField(lambda user: Worker.objects.for_user(user), many=True, required=False,
                                  help_text=_("Các số định danh (id) giảng viên có trong danh sách."))
    trainer_names = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text=_(
        "Họ tên giảng viên khác, cách nhau bởi dấu phẩy."))
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("Ghi chú."))


@extend_schema_view(
    list=list_schema(
        TAG_SESSIONS, _("Danh sách lớp đào tạo"),
        _("Các lớp mà người dùng được xem, khai giảng gần nhất trước."),
        filters=SessionFilterSerializer, serializer=SessionSerializer,
    ),
    retrieve=retrieve_schema(
        TAG_SESSIONS, _("Chi tiết một lớp đào tạo"),
        _("Với số lượt người ghi theo số lượng. Lớp ngoài phạm vi của người dùng trả về 404."),
        id_description=_("Số định danh (id) của lớp."),
    ),
    create=write_schema(
        TAG_SESSIONS, _("Thêm một lớp đào tạo"),
        _("Cần quyền quản lý đào tạo; khóa phải do tổ chức trong phạm vi của bạn tổ chức hoặc phối hợp."),
        request=SessionInput, response=SessionDetailSerializer,
    ),
)
class SessionViewSet(StatsMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = PERMISSIONS
    stats_of = _session_stats

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            filters = validated_filters(SessionFilterSerializer, self.request)
            sessions = session_list(user=user, filters=filters)
        else:
            sessions = Session.objects.for_user(user)
        return sessions.select_related("course").prefetch_related("trainers").order_by("-start_date", "pk")

    def get_serializer_class(self):
        return SessionSerializer if self.action == "list" else SessionDetailSerializer

    def create(self, request, *args, **kwargs):
        values = self.validated_input(SessionInput)
        if values.get("end_date") is None:
            values.pop("end_date", None)
        session = call_service(services.session_create, **values)
        session = self.get_queryset().get(pk=session.pk)
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------ attendances

TAG_ATTENDANCES = _("Người dự lớp")


class AttendanceFilterSerializer(ParamMessagesMixin, FilterSerializer):
    session = id_filter(_("Số định danh (id) của lớp."))
    course = id_filter(_("Số định danh (id) của khóa."))
    worker = id_filter(_("Số định danh (id) của người làm CTXH."))
    organization = id_filter(_("Số định danh (id) của tổ chức ghi trên danh sách dự lớp."))
    completed = BooleanParam(required=False, help_text=_("true: chỉ người đã hoàn thành; false: chưa."))


def attendance_list(*, user, filters: dict):
    attendances = Attendance.objects.for_user(user)
    for name, lookup in (("session", "session_id"), ("course", "session__course_id"), ("worker", "worker_id"),
                         ("organization", "organization_id")):
        if filters.get(name):
            attendances = attendances.filter(**{lookup: filters[name]})
    if filters.get("completed") is not None:
        attendances = attendances.filter(completed=filters["completed"])
    return attendances


class SessionRefSerializer(serializers.Serializer):
    """Lớp đào tạo: số định danh, ngày khai giảng và khóa."""

    id = serializers.IntegerField(read_only=True)
    start_date = serializers.DateField(read_only=True)
    course = CourseBriefSerializer(read_only=True)


class AttendanceSerializer(serializers.ModelSerializer):
    session = SessionRefSerializer(read_only=True, help_text=_("Lớp đào tạo."))
    worker = WorkerRefSerializer(read_only=True, allow_null=True, help_text=_(
        "Người làm CTXH có trong danh sách; null với người ngoài danh sách."))
    name = serializers.CharField(source="display_name", read_only=True, help_text=_("Họ và tên người dự."))
    organization = OrganizationRefSerializer(read_only=True, allow_null=True, help_text=_(
        "Tổ chức ghi trên danh sách dự lớp; null: với người làm CTXH, lấy tổ chức nơi người đó công tác "
        "vào ngày khai giảng."))
    sex = serializers.SerializerMethodField(help_text=_("Giới tính (của người làm CTXH, hoặc như đã ghi)."))

    class Meta:
        model = Attendance
        fields = ["id", "session", "worker", "name", "organization", "organization_name", "position_title",
                  "sex", "completed", "certificate_number", "note"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(Sex.choices, allow_blank=True))
    def get_sex(self, attendance: Attendance) -> str:
        return attendance.worker.sex if attendance.worker_id else attendance.sex


class AttendanceInput(InputSerializer):
    session = ScopedRelatedField(lambda user: Session.objects.for_user(user).managed_by(user), help_text=_(
        "Số định danh (id) của lớp, thuộc khóa do tổ chức trong phạm vi của bạn tổ chức hoặc phối hợp."))
    worker = ScopedRelatedField(lambda user: Worker.objects.for_user(user), required=False, allow_null=True,
                                help_text=_("Số định danh (id) của người làm CTXH có trong danh sách."))
    person_name = serializers.CharField(required=False, allow_blank=True, max_length=150, help_text=_(
        "Họ và tên người dự không có trong danh sách (khi không gửi worker)."))
    sex = serializers.ChoiceField(Sex.choices, required=False, allow_blank=True, help_text=_(
        "Giới tính người dự không có trong danh sách."))
    organization = ScopedRelatedField(lambda user: Organization.objects.for_user(user), required=False,
                                      allow_null=True, help_text=_("Số định danh (id) của tổ chức người dự."))
    organization_name = serializers.CharField(required=False, allow_blank=True, max_length=255, help_text=_(
        "Tên cơ quan, đơn vị nếu chưa có trong danh sách tổ chức."))
    position_title = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                           help_text=_("Chức vụ."))
    completed = serializers.BooleanField(required=False, default=False, help_text=_("Đã hoàn thành lớp."))
    certificate_number = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                               help_text=_("Số chứng chỉ, giấy chứng nhận."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text=_("Ghi chú."))


@extend_schema_view(
    list=list_schema(
        TAG_ATTENDANCES, _("Danh sách người dự lớp"),
        _("Toàn bộ danh sách của các lớp do tổ chức trong phạm vi của người dùng tổ chức hoặc phối hợp; ở "
          "các lớp khác, chỉ những người trong phạm vi."),
        filters=AttendanceFilterSerializer, serializer=AttendanceSerializer,
    ),
    retrieve=retrieve_schema(
        TAG_ATTENDANCES, _("Một người dự lớp"), _("Ngoài phạm vi của người dùng trả về 404."),
        id_description=_("Số định danh (id) của dòng danh sách dự lớp."),
    ),
    create=write_schema(
        TAG_ATTENDANCES, _("Thêm một người vào danh sách dự lớp"),
        _("Cần quyền quản lý đào tạo. Gửi worker (người có trong danh sách), hoặc person_name và sex (người "
          "ngoài danh sách). Một người đã có trong danh sách lớp thì trả về 400 nêu trường worker hoặc "
          "person_name."),
        request=AttendanceInput, response=AttendanceSerializer,
        bad_input=OpenApiResponse(description=_("Dữ liệu không hợp lệ hoặc trùng (nêu tên trường).")),
    ),
)
class AttendanceViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AttendanceSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            attendances = attendance_list(user=user, filters=validated_filters(AttendanceFilterSerializer,
                                                                               self.request))
        else:
            attendances = Attendance.objects.for_user(user)
        return (attendances.select_related("session__course", "worker", "organization")
                .order_by("-session__start_date", "session_id", "pk"))

    def create(self, request, *args, **kwargs):
        values = self.validated_input(AttendanceInput)
        session = values.pop("session")
        entry = services.AttendanceEntry(**values)
        attendance = call_service(services.attendance_add, session=session, entry=entry)
        attendance = self.get_queryset().get(pk=attendance.pk)
        return Response(self.get_serializer(attendance).data, status=status.HTTP_201_CREATED)

