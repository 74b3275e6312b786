"""Social work training: courses, sessions, and who attended (named, or counted where only numbers exist)."""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc
from ctxh.orgs.models import OrgKind


class Topic(models.Model):
    """A training topic; the list covers section II.4 of Plan 154 and can be extended (data, not code)."""

    code = models.CharField(_("mã chủ đề"), max_length=40, unique=True)
    name = models.CharField(_("tên chủ đề"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("chủ đề đào tạo")
        verbose_name_plural = _("chủ đề đào tạo")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class CourseLevel(models.TextChoices):
    BASIC = "basic", _("Tập huấn, bồi dưỡng cơ bản")
    ADVANCED = "advanced", _("Tập huấn, bồi dưỡng nâng cao")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    UNIVERSITY = "university", _("Đại học")
    OTHER = "other", _("Khác")


class FundingSource(models.TextChoices):
    STATE_BUDGET = "state_budget", _("Ngân sách nhà nước")
    SOCIAL_MOBILIZATION = "social_mobilization", _("Xã hội hóa")
    ODA = "oda", _("Vốn ODA, viện trợ")
    INTEGRATED = "integrated", _("Lồng ghép chương trình, dự án khác")
    OTHER = "other", _("Khác")


class CourseQuerySet(models.QuerySet):
    def search(self, text: str):
        return self.filter(search_name__contains=fold(text))

    def for_user(self, user):
        """The one door: courses organized or co-organized by an organization in the user's scope, or attended
        by people of the user's organizations (named or counted in the user's units)."""
        from ctxh.accounts.scoping import scope_for
        from ctxh.orgs.models import Organization
        from ctxh.workforce.models import Worker

        scope = scope_for(user)
        if scope.unrestricted:
            return self
        organizations = Organization.objects.for_user(user).values("pk")
        attended = Attendance.objects.filter(session__course=OuterRef("pk")).filter(
            Q(organization__in=organizations) | Q(worker__in=Worker.objects.for_user(user).values("pk"))
        )
        counted = CountedAttendance.objects.filter(session__course=OuterRef("pk"), unit_id__in=scope.unit_ids)
        return self.filter(
            Q(organizer__in=organizations) | Q(partner__in=organizations) | Exists(attended) | Exists(counted)
        )

    def managed_by(self, user):
        """Courses the user's organizations organize or partner: their trainers keep the courses' records."""
        return self.filter(_managed_condition(user, "")) if not _unrestricted(user) else self


def _unrestricted(user) -> bool:
    from ctxh.accounts.scoping import scope_for

    return scope_for(user).unrestricted


def _managed_condition(user, prefix: str) -> Q:
    """`<prefix>organizer` or `<prefix>partner` is an organization of the user's scope."""
    from ctxh.orgs.models import Organization

    organizations = Organization.objects.for_user(user).values("pk")
    return Q(**{f"{prefix}organizer__in": organizations}) | Q(**{f"{prefix}partner__in": organizations})


def _participant_condition(user, prefix: str = "") -> Q:
    """The attendance's participant belongs to the user's scope: by the organization recorded on it, or
    (a registered worker) by a position in an organization of the scope."""
    from ctxh.orgs.models import Organization
    from ctxh.workforce.models import Worker

    return (Q(**{f"{prefix}organization__in": Organization.objects.for_user(user).values("pk")})
            | Q(**{f"{prefix}worker__in": Worker.objects.for_user(user).values("pk")}))


class SessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """The one door: sessions of courses the user's organizations organize or partner, and sessions
        attended by people of the user's scope (named, or counted in the user's units).

        A course is visible (Course.objects.for_user) exactly when at least one of its sessions is, or when
        the user's organizations organize or partner it.
        """
        from ctxh.accounts.scoping import scope_for

        scope = scope_for(user)
        if scope.unrestricted:
            return self
        attended = Attendance.objects.filter(session=OuterRef("pk")).filter(_participant_condition(user))
        counted = CountedAttendance.objects.filter(session=OuterRef("pk"), unit_id__in=scope.unit_ids)
        return self.filter(_managed_condition(user, "course__") | Exists(attended) | Exists(counted))

    def managed_by(self, user):
        """Sessions whose attendance the user's organizations keep (organizer or partner of the course)."""
        return self if _unrestricted(user) else self.filter(_managed_condition(user, "course__"))


class Course(models.Model):
    title = models.CharField(_("tên khóa, lớp"), max_length=300)
    search_name = models.CharField(max_length=300, editable=False, db_index=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("chủ đề"), blank=True, related_name="courses")
    level = models.CharField(_("trình độ"), max_length=20, choices=CourseLevel.choices,
                             default=CourseLevel.BASIC)
    organizer = models.ForeignKey("orgs.Organization", verbose_name=_("đơn vị tổ chức"),
                                  on_delete=models.PROTECT, related_name="organized_courses")
    partner = models.ForeignKey(
        "orgs.Organization", verbose_name=_("cơ sở đào tạo phối hợp"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="partnered_courses",
        help_text=_("Ví dụ: Trường Đại học Tân Trào."),
    )
    funding_source = models.CharField(_("nguồn kinh phí"), max_length=30, choices=FundingSource.choices,
                                      default=FundingSource.STATE_BUDGET)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("khóa đào tạo")
        verbose_name_plural = _("khóa đào tạo")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.title = nfc(self.title)
        self.search_name = fold(self.title)
        super().save(*args, **kwargs)


class Session(models.Model):
    """One run of a course (lớp), from `start_date` to `end_date` (inclusive).

    Attendance is dated by `start_date`: a session that spans two years counts in the year it started.
    """

    course = models.ForeignKey(Course, verbose_name=_("khóa đào tạo"), on_delete=models.PROTECT,
                               related_name="sessions")
    start_date = models.DateField(_("ngày bắt đầu"), db_index=True)
    end_date = models.DateField(_("ngày kết thúc"))
    place = models.CharField(_("địa điểm"), max_length=300, blank=True)
    trainers = models.ManyToManyField("workforce.Worker", verbose_name=_("giảng viên (trong danh sách)"),
                                      blank=True, related_name="sessions_trained")
    trainer_names = models.CharField(
        _("giảng viên khác"), max_length=500, blank=True,
        help_text=_("Họ tên giảng viên không có trong danh sách, cách nhau bởi dấu phẩy."),
    )
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()
    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("lớp đào tạo")
        verbose_name_plural = _("lớp đào tạo")
        ordering = ["-start_date", "pk"]

    def __str__(self) -> str:
        return f"{self.course} ({self.start_date:%d/%m/%Y})"


def organization_key(organization_id: int | None, organization_name: str) -> str:
    """What tells two external people of the same name apart: their organization, or its name as typed."""
    return f"org:{organization_id}" if organization_id else f"name:{fold(organization_name)}"


class AttendanceQuerySet(models.QuerySet):
    def for_user(self, user):
        """The one door: the whole list of sessions the user's organizations keep (organizer or partner of
        the course); elsewhere only the participants of the user's scope."""
        if _unrestricted(user):
            return self
        return self.filter(_managed_condition(user, "session__course__") | _participant_condition(user))


class Attendance(models.Model):
    """One person in one session: a registered worker, or an external person named here."""

    session = models.ForeignKey(Session, verbose_name=_("lớp đào tạo"), on_delete=models.CASCADE,
                                related_name="attendances")
    worker = models.ForeignKey("workforce.Worker", verbose_name=_("người làm CTXH"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="attendances")
    person_name = models.CharField(_("họ và tên"), max_length=150, blank=True,
                                   help_text=_("Chỉ nhập với người không có trong danh sách người làm CTXH."))
    person_search_name = models.CharField(max_length=150, editable=False, blank=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("tổ chức"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="training_attendances",
        help_text=_("Để trống với người làm CTXH: lấy tổ chức nơi người đó giữ vị trí vào ngày khai giảng."),
    )
    organization_name = models.CharField(_("tên cơ quan, đơn vị (nếu chưa có trong danh sách)"),
                                         max_length=255, blank=True)
    organization_key = models.CharField(max_length=300, editable=False, blank=True)
    position_title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices, blank=True)
    completed = models.BooleanField(_("hoàn thành"), default=False)
    certificate_number = models.CharField(_("số chứng chỉ, giấy chứng nhận"), max_length=100, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("người dự lớp")
        verbose_name_plural = _("người dự lớp")
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "worker"], condition=Q(worker__isnull=False),
                name="training_attendance_worker_once",
                violation_error_message=_("Người này đã có trong danh sách dự lớp này."),
            ),
            models.UniqueConstraint(
                fields=["session", "person_search_name", "organization_key"],
                condition=Q(worker__isnull=True),
                name="training_attendance_person_once",
                violation_error_message=_("Người này đã có trong danh sách dự lớp này."),
            ),
            models.CheckConstraint(
                condition=Q(worker__isnull=False) | ~Q(person_name=""), name="training_attendance_has_person",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.person_name = nfc(self.person_name)
        self.person_search_name = fold(self.person_name)
        self.organization_name = nfc(self.organization_name)
        self.organization_key = organization_key(self.organization_id, self.organization_name)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.worker.full_name if self.worker_id else self.person_name


class CountedAttendanceQuerySet(models.QuerySet):
    def for_user(self, user):
        """The one door: every count of the sessions the user's organizations keep; elsewhere the counts
        attributed to the user's units."""
        from ctxh.accounts.scoping import scope_for

        scope = scope_for(user)
        if scope.unrestricted:
            return self
        return self.filter(_managed_condition(user, "session__course__") | Q(unit_id__in=scope.unit_ids))


class CountedAttendance(models.Model):
    """Where only numbers were kept: how many people completed a session, by unit, organization kind, sex."""

    session = models.ForeignKey(Session, verbose_name=_("lớp đào tạo"), on_delete=models.CASCADE,
                                related_name="counts")
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT,
        help_text=_("Nơi đặt trụ sở của các tổ chức có người dự lớp, vào ngày khai giảng."),
    )
    org_kind = models.CharField(_("loại tổ chức"), max_length=30, choices=OrgKind.choices, blank=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices, blank=True)
    count = models.PositiveIntegerField(_("số lượt người hoàn thành"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = CountedAttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("số người dự lớp (chỉ có số liệu)")
        verbose_name_plural = _("số người dự lớp (chỉ có số liệu)")
        ordering = ["session", "unit", "org_kind", "sex"]
        constraints = [
            models.UniqueConstraint(fields=["session", "unit", "org_kind", "sex"],
                                    name="training_counted_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.count}"
