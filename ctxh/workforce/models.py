"""The social work workforce: people, their positions in organizations, allowances, the statutory base salary.

Dates are inclusive (a position's `end_date` is its last day). Money is integer VND.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ctxh.core.cccd import normalize_cccd, validate_cccd, validate_cccd_number
from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc
from ctxh.orgs.models import OrgKind


def _short(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


class Qualification(models.TextChoices):
    NONE = "none", _("Chưa qua đào tạo công tác xã hội")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    BACHELOR = "bachelor", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")


class ProfessionalTitle(models.TextChoices):
    """Chức danh nghề nghiệp công tác xã hội (Circular 26/2022/TT-BLĐTBXH)."""

    NONE = "none", _("Chưa được bổ nhiệm")
    GRADE_II = "grade_ii", _("Công tác xã hội viên chính (hạng II)")
    GRADE_III = "grade_iii", _("Công tác xã hội viên (hạng III)")
    GRADE_IV = "grade_iv", _("Nhân viên công tác xã hội (hạng IV)")


class Category(models.TextChoices):
    OFFICIAL = "official", _("Cán bộ")
    CIVIL_SERVANT = "civil_servant", _("Công chức")
    PUBLIC_EMPLOYEE = "public_employee", _("Viên chức")
    STAFF = "staff", _("Nhân viên")
    COLLABORATOR = "collaborator", _("Cộng tác viên")


class Dedication(models.TextChoices):
    FULL_TIME = "full_time", _("Chuyên trách")
    PART_TIME = "part_time", _("Không chuyên trách, kiêm nhiệm")
    COLLABORATOR = "collaborator", _("Cộng tác viên")


# The dedications that count for the STAFFING indicator (Plan 154, section I.2): all three today; a position
# of another kind, if one is ever added, would not count.
QUALIFYING_DEDICATIONS: frozenset[str] = frozenset(Dedication.values)


class WorkerQuerySet(models.QuerySet):
    def search(self, text: str):
        """Diacritic-insensitive name search ("nguyen van a" finds "Nguyễn Văn A"), or a CCCD number."""
        condition = Q(search_name__contains=fold(text))
        number = normalize_cccd(text)
        if number.isdigit():
            condition |= Q(cccd=number)
        return self.filter(condition)

    def for_user(self, user):
        """The one door: workers holding (or having held) a position in an organization of the user's scope.

        A worker registered without any position is visible only to users with an unrestricted scope.
        """
        from ctxh.accounts.scoping import scope_for
        from ctxh.orgs.models import Organization

        if scope_for(user).unrestricted:
            return self
        organizations = Organization.objects.for_user(user).values("pk")
        return self.filter(
            Exists(Position.objects.filter(worker=OuterRef("pk"), organization__in=organizations))
        )


class Worker(models.Model):
    """A person of the social work workforce (cán bộ, công chức, viên chức, nhân viên, cộng tác viên CTXH)."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    search_name = models.CharField(max_length=150, editable=False, db_index=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("ngày sinh"))
    ethnicity = models.ForeignKey(
        "core.Ethnicity", verbose_name=_("dân tộc"), null=True, blank=True, on_delete=models.PROTECT
    )
    cccd = models.CharField(
        _("số CCCD"), max_length=12, unique=True, null=True, blank=True, validators=[validate_cccd_number],
        error_messages={"unique": _("Số CCCD này đã có trong danh sách, ghi cho một người khác.")},
    )
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    sw_qualification = models.CharField(
        _("trình độ đào tạo công tác xã hội"), max_length=20, choices=Qualification.choices,
        default=Qualification.NONE,
    )
    qualification_field = models.CharField(
        _("trình độ chuyên môn ngành khác"), max_length=200, blank=True,
        help_text=_("Ví dụ: cử nhân luật, y sĩ đa khoa."),
    )
    professional_title = models.CharField(
        _("chức danh nghề nghiệp công tác xã hội"), max_length=20, choices=ProfessionalTitle.choices,
        default=ProfessionalTitle.NONE,
    )
    note = models.TextField(_("ghi chú"), blank=True)
    # The worker's account, if they sign in: a social worker sees the cases assigned to this worker.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("tài khoản đăng nhập"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="worker",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save carries the version it was read at; a stale save is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("người làm công tác xã hội")
        verbose_name_plural = _("người làm công tác xã hội")
        ordering = ["search_name", "date_of_birth", "pk"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.full_name = nfc(self.full_name)
        self.search_name = fold(self.full_name)
        self.cccd = normalize_cccd(self.cccd) or None
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        self.full_name = nfc(self.full_name)
        self.cccd = normalize_cccd(self.cccd) or None
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.date_of_birth and self.date_of_birth > dt.date.today():
            errors["date_of_birth"] = _("Ngày sinh không được sau ngày hôm nay.")
        if self.cccd:
            try:
                validate_cccd_number(self.cccd)
            except ValidationError:
                pass  # the field's own validator already reported it; say it once
            else:
                try:
                    self.cccd = validate_cccd(self.cccd, sex=self.sex or None, birth_date=self.date_of_birth)
                except ValidationError as error:
                    errors["cccd"] = error.messages
        if errors:
            raise ValidationError(errors)


class PositionQuerySet(models.QuerySet):
    def active_on(self, day):
        """Positions held on `day` (a date or an expression such as OuterRef)."""
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def for_user(self, user):
        from ctxh.orgs.models import Organization

        return self.filter(organization__in=Organization.objects.for_user(user).values("pk"))


class Position(models.Model):
    """A worker's position in an organization, `start_date` to `end_date` (inclusive; empty: still held)."""

    worker = models.ForeignKey(Worker, verbose_name=_("người làm CTXH"), on_delete=models.PROTECT,
                               related_name="positions")
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("tổ chức"), on_delete=models.PROTECT,
                                     related_name="sw_positions")
    category = models.CharField(_("loại cán bộ"), max_length=20, choices=Category.choices)
    dedication = models.CharField(_("hình thức làm việc"), max_length=20, choices=Dedication.choices)
    title = models.CharField(_("chức vụ, công việc"), max_length=200, blank=True)
    start_date = models.DateField(_("ngày bắt đầu"))
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True,
                                help_text=_("Ngày làm việc cuối cùng; để trống nếu vẫn đang làm."))
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()
    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("vị trí công tác")
        verbose_name_plural = _("vị trí công tác")
        ordering = ["-start_date", "pk"]
        indexes = [
            models.Index(fields=["organization", "start_date"]),
            models.Index(fields=["worker", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.worker} – {self.organization}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Ngày kết thúc không được trước ngày bắt đầu (%(day)s).") % {
                "day": _short(self.start_date)}
        org = self.organization if self.organization_id else None
        if org and self.start_date and not org.is_valid_on(self.start_date):
            errors["start_date"] = _("Tổ chức “%(org)s” không hoạt động vào ngày bắt đầu %(day)s.") % {
                "org": org.name, "day": _short(self.start_date)}
        elif org and org.valid_to and (self.end_date is None or self.end_date > org.valid_to):
            errors.setdefault("end_date", _(
                "Tổ chức “%(org)s” chấm dứt hoạt động ngày %(day)s: ngày kết thúc vị trí không được sau "
                "ngày đó."
            ) % {"org": org.name, "day": _short(org.valid_to)})
        if errors:
            raise ValidationError(errors)


class AllowanceChange(models.Model):
    """The monthly allowance of a position from `effective_date` on, until the next change.

    A change of allowance is a new row: the history of what was paid is kept, never overwritten.
    """

    position = models.ForeignKey(Position, verbose_name=_("vị trí công tác"), on_delete=models.CASCADE,
                                 related_name="allowances")
    effective_date = models.DateField(_("áp dụng từ ngày"))
    monthly_allowance_vnd = models.PositiveBigIntegerField(_("phụ cấp hằng tháng (đồng)"))
    note = models.CharField(_("ghi chú, căn cứ"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mức phụ cấp")
        verbose_name_plural = _("mức phụ cấp")
        ordering = ["position", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["position", "effective_date"], name="workforce_allowance_one_per_day",
                violation_error_message=_("Vị trí này đã có một mức phụ cấp áp dụng từ ngày này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.monthly_allowance_vnd} ({_short(self.effective_date)})"


class BaseSalary(models.Model):
    """The statutory base salary (mức lương cơ sở) in force from `effective_date` until the next row."""

    effective_date = models.DateField(_("áp dụng từ ngày"), unique=True, error_messages={
        "unique": _("Đã có mức lương cơ sở áp dụng từ ngày này.")})
    amount_vnd = models.PositiveBigIntegerField(_("mức lương cơ sở (đồng/tháng)"))
    instrument = models.CharField(_("văn bản quy định"), max_length=200, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    confirmed = models.BooleanField(
        _("đã xác nhận"), default=True,
        help_text=_("Bỏ chọn nếu mức này mới được công bố, chưa có văn bản chính thức."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mức lương cơ sở")
        verbose_name_plural = _("mức lương cơ sở")
        ordering = ["-effective_date"]

    def __str__(self) -> str:
        return f"{self.amount_vnd} ({_short(self.effective_date)})"


class ProgrammePhase(models.Model):
    """A phase of the programme (giai đoạn): phase 1 is 2021-2025, phase 2 is 2026-2030.

    Deliberately minimal: the monitoring work (programmes, several at once, targets) will own programmes and
    phases; until then STAFFING rules and targets are keyed by this phase code.
    """

    code = models.CharField(_("mã giai đoạn"), max_length=10, unique=True)
    name = models.CharField(_("tên giai đoạn"), max_length=100)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("giai đoạn")
        verbose_name_plural = _("giai đoạn")
        ordering = ["start_date"]

    def __str__(self) -> str:
        return self.name

    def contains(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


class StaffingRule(models.Model):
    """How many qualifying people an organization needs to count as staffed, per phase and organization kind.

    A rule with an empty `org_kind` is the phase's default; without any rule, one person is enough.
    """

    phase = models.ForeignKey(ProgrammePhase, verbose_name=_("giai đoạn"), on_delete=models.CASCADE,
                              related_name="staffing_rules")
    org_kind = models.CharField(
        _("loại tổ chức"), max_length=30, choices=OrgKind.choices, blank=True,
        help_text=_("Để trống: áp dụng cho mọi loại tổ chức không có quy định riêng."),
    )
    required_positions = models.PositiveSmallIntegerField(_("số người tối thiểu"), default=1)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("định mức bố trí người làm CTXH")
        verbose_name_plural = _("định mức bố trí người làm CTXH")
        ordering = ["phase", "org_kind"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "org_kind"], name="workforce_staffing_rule_unique"),
            models.CheckConstraint(condition=Q(required_positions__gte=1),
                                   name="workforce_staffing_rule_min_1"),
        ]

    def __str__(self) -> str:
        kind = self.get_org_kind_display() or _("mặc định")
        return f"{self.phase}: {kind} ≥ {self.required_positions}"
