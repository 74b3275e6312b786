"""The registry of people in need and the social work cases opened for them.

Every fact is dated: an address unit, a household membership and a vulnerability status hold from a first day
to a last day (inclusive; an empty end means "still"); a case, its events, assessments, plans, services,
referrals and consents carry the day or the moment they happened. Money is integer VND. Names are NFC and
keep a diacritic-folded `search_name`. Nothing here is hard-deleted: a case is closed, a status ended, a
duplicate person merged into the record that is kept (`merged_into`), a consent withdrawn.

Indicators (issue 5) count from these tables set-based: see ctxh.cases.selectors for the querysets they need
(disadvantaged people on a day, children on a day, the statuses of the plan's six groups, services).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ctxh.core.cccd import normalize_cccd, validate_cccd_number
from ctxh.core.models import Validity, ValidityQuerySet
from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc

CHILD_AGE = 16  # Law on Children 2016, Art. 1: a child is a person under 16.
CONSENT_AGE = 7  # Law 91/2025/QH15: from 7, the child's own consent is needed too.


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def child_condition(day: dt.date, prefix: str = "") -> Q:
    """A Q for "under 16 on `day`" on Person fields (with `prefix`, e.g. "person__", from another model).

    With the birth date: born after the day 16 years before. With the birth year only, the person is taken as
    born on 1 January of that year (the usual convention of civil records when the day is unknown), so they
    stop being a child on 1 January of the year they turn 16.
    """
    born_after = years_before(day, CHILD_AGE)
    return Q(**{f"{prefix}date_of_birth__gt": born_after}) | Q(
        **{f"{prefix}date_of_birth__isnull": True, f"{prefix}birth_year__gt": day.year - CHILD_AGE}
    )


# --- reference: vulnerability categories ---


class CategoryGroup(models.TextChoices):
    CHILD_SPECIAL = "child_special", _("Trẻ em có hoàn cảnh đặc biệt (Điều 10 Luật Trẻ em)")
    PLAN154_CHILD = "plan154_child", _("Nhóm trẻ em riêng của Kế hoạch 154")
    SOCIAL_PROTECTION = "social_protection", _("Đối tượng bảo trợ xã hội (Nghị định 20/2021/NĐ-CP)")
    OTHER = "other", _("Nhóm yếu thế khác")


class Plan154ChildGroup(models.TextChoices):
    """The six groups of children of the CHILDREN indicator (Plan 154, section I.2)."""

    ORPHAN_ALONE = "orphan_alone", _("Trẻ em mồ côi không nơi nương tựa")
    ABANDONED = "abandoned", _("Trẻ em bị bỏ rơi")
    HIV = "hiv", _("Trẻ em nhiễm HIV/AIDS")
    TOXIC_CHEMICALS = "toxic_chemicals", _("Trẻ em là nạn nhân chất độc hóa học")
    SEVERE_DISABILITY = "severe_disability", _("Trẻ em khuyết tật nặng")
    DISASTER_EPIDEMIC = "disaster_epidemic", _("Trẻ em bị ảnh hưởng bởi thiên tai, dịch bệnh")


class Severity(models.TextChoices):
    """Mức độ khuyết tật (Law on People with Disabilities 2010, Art. 3)."""

    MILD = "mild", _("Nhẹ")
    SEVERE = "severe", _("Nặng")
    EXTREMELY_SEVERE = "extremely_severe", _("Đặc biệt nặng")


SEVERE_LEVELS: frozenset[str] = frozenset({Severity.SEVERE, Severity.EXTREMELY_SEVERE})


class VulnerabilityCategory(models.Model):
    """A vulnerable group a person can belong to for a while (a PersonStatus). Reference data, extendable.

    Loaded from ctxh/cases/data/vulnerability_categories.csv. The plan's six groups of children are mapped
    onto Art. 10 of the Law on Children where they exist (the Art. 10 rows carry `plan154_child_group`); the
    two that are not in Art. 10 (toxic chemicals, natural disaster or epidemic) are their own categories. A
    status of a category with `plan154_severe_only` counts for the plan's group only at a severe or extremely
    severe level.
    """

    code = models.CharField(_("mã"), max_length=30, unique=True)
    name = models.CharField(_("tên nhóm"), max_length=255)
    group = models.CharField(_("nhóm"), max_length=20, choices=CategoryGroup.choices, db_index=True)
    art10_number = models.PositiveSmallIntegerField(_("khoản của Điều 10 Luật Trẻ em"), null=True, blank=True)
    plan154_child_group = models.CharField(
        _("nhóm trẻ em của Kế hoạch 154"), max_length=30, choices=Plan154ChildGroup.choices, blank=True,
        db_index=True,
    )
    plan154_severe_only = models.BooleanField(_("chỉ tính mức độ nặng trở lên"), default=False)
    requires_severity = models.BooleanField(_("phải ghi mức độ"), default=False)
    requires_event = models.BooleanField(_("phải ghi sự kiện (thiên tai, dịch bệnh)"), default=False)
    is_sensitive = models.BooleanField(
        _("thông tin nhạy cảm"), default=False,
        help_text=_("HIV, bạo lực, xâm hại, sức khỏe, ma túy, vi phạm pháp luật: chỉ người được phép mới "
                    "xem."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    note = models.CharField(_("ghi chú, căn cứ"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("nhóm đối tượng")
        verbose_name_plural = _("nhóm đối tượng")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


# --- people ---


class PersonQuerySet(models.QuerySet):
    def live(self):
        """Records not merged into another one (what lists, counts and duplicate checks use)."""
        return self.filter(merged_into__isnull=True)

    def search(self, text: str):
        """Diacritic-insensitive name search, or a CCCD number."""
        condition = Q(search_name__contains=fold(text))
        number = normalize_cccd(text)
        if number.isdigit():
            condition |= Q(cccd=number)
        return self.filter(condition)

    def children_on(self, day: dt.date):
        return self.filter(child_condition(day))

    def disadvantaged_on(self, day: dt.date):
        """People holding at least one vulnerability status on `day` (người có hoàn cảnh khó khăn)."""
        return self.filter(Exists(PersonStatus.objects.active_on(day).filter(person=OuterRef("pk"))))

    def living_in(self, unit_ids, day: dt.date):
        """People whose address unit on `day` is one of `unit_ids`."""
        addresses = PersonAddress.objects.as_of(day).filter(person=OuterRef("pk"), unit_id__in=unit_ids)
        return self.filter(Exists(addresses))

    def for_user(self, user):
        """The one door to people. See ctxh.cases.scoping for the rule."""
        from ctxh.cases.scoping import scope_persons

        return scope_persons(self, user)


class Person(models.Model):
    """A person in need (người có hoàn cảnh khó khăn) or a member of their household."""

    full_name = models.CharField(_("họ và tên"), max_length=150)
    search_name = models.CharField(max_length=150, editable=False, db_index=True)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("năm sinh"), null=True, blank=True, help_text=_("Chỉ nhập năm sinh khi không biết ngày sinh."))
    ethnicity = models.ForeignKey(
        "core.Ethnicity", verbose_name=_("dân tộc"), null=True, blank=True, on_delete=models.PROTECT
    )
    # NULL, not "": unique among live records (a partial unique constraint below).
    cccd = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True,  # noqa: DJ001
                            validators=[validate_cccd_number])
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    address_text = models.CharField(_("địa chỉ liên hệ"), max_length=300, blank=True)
    guardian = models.ForeignKey(
        "self", verbose_name=_("người giám hộ"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="wards",
    )
    guardian_name = models.CharField(_("họ tên người giám hộ"), max_length=150, blank=True,
                                     help_text=_("Khi người giám hộ không có trong danh sách."))
    guardian_relationship = models.CharField(_("quan hệ với người giám hộ"), max_length=100, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    is_pseudonymized = models.BooleanField(_("đã ẩn danh"), default=False)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("đã gộp vào"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="merged_records",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("người cần trợ giúp")
        verbose_name_plural = _("người cần trợ giúp")
        ordering = ["search_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cccd"], condition=Q(cccd__isnull=False, merged_into__isnull=True),
                name="cases_person_cccd_unique_live",
                violation_error_message=_("Số CCCD này đã ghi cho một người khác trong danh sách."),
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(birth_year__isnull=False),
                name="cases_person_birth_known",
            ),
        ]
        indexes = [models.Index(fields=["date_of_birth"]), models.Index(fields=["birth_year"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.full_name = nfc(self.full_name)
        self.search_name = fold(self.full_name)
        self.cccd = normalize_cccd(self.cccd) or None
        self.address_text = nfc(self.address_text)
        self.guardian_name = nfc(self.guardian_name)
        if self.date_of_birth is not None:
            self.birth_year = self.date_of_birth.year
        super().save(*args, **kwargs)

    @property
    def birth(self) -> dt.date | int | None:
        """The birth date, or the year when only the year is known."""
        return self.date_of_birth or self.birth_year

    def is_child_on(self, day: dt.date) -> bool:
        """Under 16 on `day` (with the year only: taken as born on 1 January, as `child_condition`)."""
        if self.date_of_birth is not None:
            return self.date_of_birth > years_before(day, CHILD_AGE)
        return self.birth_year is not None and self.birth_year > day.year - CHILD_AGE

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is not None:
            born = self.date_of_birth
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        return None if self.birth_year is None else day.year - self.birth_year

    def unit_on(self, day: dt.date):
        address = self.addresses.as_of(day).select_related("unit").order_by("-valid_from").first()
        return address.unit if address else None


class PersonAddress(Validity):
    """The administrative unit a person lived in, from `valid_from` to `valid_to` (inclusive)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="addresses")
    unit = models.ForeignKey("geo.Unit", verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT,
                             related_name="+")

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("địa bàn cư trú")
        verbose_name_plural = _("địa bàn cư trú")
        ordering = ["person", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"]), models.Index(fields=["person", "valid_from"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.unit}"


class HouseholdQuerySet(models.QuerySet):
    def for_user(self, user):
        """The households the user may open. See ctxh.cases.scoping for the rule."""
        from ctxh.cases.scoping import scope_households

        return scope_households(self, user)


class Household(models.Model):
    """A household (hộ gia đình); its members over time are HouseholdMember rows. `version` guards edits
    (two people editing at once: the second save is refused with what changed)."""

    name = models.CharField(_("tên hộ"), max_length=200, blank=True, help_text=_("Thường là tên chủ hộ."))
    unit = models.ForeignKey("geo.Unit", verbose_name=_("đơn vị hành chính"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    address_text = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    is_poor = models.BooleanField(_("hộ nghèo"), default=False)
    is_near_poor = models.BooleanField(_("hộ cận nghèo"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class Relationship(models.TextChoices):
    HEAD = "head", _("Chủ hộ")
    SPOUSE = "spouse", _("Vợ, chồng")
    CHILD = "child", _("Con")
    PARENT = "parent", _("Cha, mẹ")
    GRANDCHILD = "grandchild", _("Cháu")
    GRANDPARENT = "grandparent", _("Ông, bà")
    SIBLING = "sibling", _("Anh, chị, em")
    OTHER = "other", _("Khác")


class HouseholdMember(models.Model):
    """A person's membership of a household, `start_date` to `end_date` (one household at a time)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relationship = models.CharField(_("quan hệ với chủ hộ"), max_length=20, choices=Relationship.choices)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        ordering = ["household", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(end_date__isnull=True),
                                    name="cases_one_open_household_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.household}"


class PersonStatusQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))

    def overlapping(self, start: dt.date, end: dt.date):
        return self.filter(start_date__lte=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))

    def plan154_children(self):
        """Statuses that put a child in one of the plan's six groups (with the severity the group needs).

        The person's age is not checked here: combine with `child_condition(day, "person__")`.
        """
        return self.exclude(category__plan154_child_group="").filter(
            Q(category__plan154_severe_only=False) | Q(severity__in=SEVERE_LEVELS)
        )


class PersonStatus(models.Model):
    """A person belongs to a vulnerable group from `start_date` to `end_date` (inclusive; empty: still)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="statuses")
    category = models.ForeignKey(VulnerabilityCategory, verbose_name=_("nhóm đối tượng"),
                                 on_delete=models.PROTECT, related_name="statuses")
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    evidence = models.TextField(_("căn cứ, giấy tờ chứng minh"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người xác minh"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_on = models.DateField(_("ngày xác minh"), null=True, blank=True)
    severity = models.CharField(_("mức độ"), max_length=20, choices=Severity.choices, blank=True)
    event = models.CharField(_("sự kiện (thiên tai, dịch bệnh)"), max_length=200, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PersonStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("tình trạng của đối tượng")
        verbose_name_plural = _("tình trạng của đối tượng")
        ordering = ["person", "start_date"]
        indexes = [models.Index(fields=["category", "start_date"]),
                   models.Index(fields=["person", "start_date"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.category}"

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Ngày kết thúc không được trước ngày bắt đầu.")
        if self.start_date and self.start_date > dt.date.today():
            errors["start_date"] = _("Ngày bắt đầu không được sau ngày hôm nay.")
        category = self.category if self.category_id else None
        if category and category.requires_severity and not self.severity:
            errors["severity"] = _("Hãy ghi mức độ khuyết tật (nhẹ, nặng hoặc đặc biệt nặng).")
        if category and category.requires_event and not self.event.strip():
            errors["event"] = _("Hãy ghi sự kiện (tên cơn bão, trận lũ, dịch bệnh) và thời gian.")
        if errors:
            raise ValidationError(errors)


# --- cases ---


class Stage(models.TextChoices):
    INTAKE = "intake", _("Tiếp nhận")
    ASSESSMENT = "assessment", _("Đánh giá nhu cầu")
    PLANNING = "planning", _("Lập kế hoạch trợ giúp")
    INTERVENTION = "intervention", _("Thực hiện kế hoạch")
    REVIEW = "review", _("Theo dõi, rà soát")
    CLOSED = "closed", _("Kết thúc")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Thấp")
    MEDIUM = "medium", _("Trung bình")
    HIGH = "high", _("Cao")
    SERIOUS = "serious", _("Nghiêm trọng (khẩn cấp)")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Đã đạt mục tiêu kế hoạch")
    NO_LONGER_NEEDED = "no_longer_needed", _("Không còn nhu cầu trợ giúp")
    MOVED_AWAY = "moved_away", _("Chuyển đi nơi khác")
    TRANSFERRED = "transferred", _("Đã chuyển cho cơ sở khác")
    REFUSED = "refused", _("Đối tượng từ chối trợ giúp")
    DIED = "died", _("Đối tượng qua đời")
    OTHER = "other", _("Lý do khác")


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(stage=Stage.CLOSED)

    def for_user(self, user):
        """The one door to cases. See ctxh.cases.scoping for the rule."""
        from ctxh.cases.scoping import scope_cases

        return scope_cases(self, user)


class CaseSequence(models.Model):
    """The last case number given in a year: numbers are taken by an atomic UPDATE on this row."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dãy số hồ sơ")
        verbose_name_plural = _("dãy số hồ sơ")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Case(models.Model):
    """A social work case (hồ sơ quản lý trường hợp) of one person, held by one organization at a time.

    `opening_organization` opened it; `organization` holds it now (they differ after a transfer).
    """

    number = models.CharField(_("số hồ sơ"), max_length=30, unique=True)
    person = models.ForeignKey(Person, verbose_name=_("đối tượng"), on_delete=models.PROTECT,
                               related_name="cases")
    opening_organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("tổ chức tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("tổ chức quản lý"), on_delete=models.PROTECT,
        related_name="cases",
    )
    assigned_worker = models.ForeignKey(
        "workforce.Worker", verbose_name=_("người quản lý trường hợp"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="cases",
    )
    assigned_on = models.DateField(_("ngày phân công"), null=True, blank=True)
    opened_at = models.DateTimeField(_("thời điểm tiếp nhận"))
    is_child_at_intake = models.BooleanField(_("là trẻ em khi tiếp nhận"), default=False, editable=False)
    intake_summary = models.TextField(_("tóm tắt hoàn cảnh, lý do tiếp nhận"), blank=True)
    stage = models.CharField(_("giai đoạn"), max_length=20, choices=Stage.choices, default=Stage.INTAKE,
                             db_index=True)
    risk_level = models.CharField(_("mức độ nguy cơ"), max_length=10, choices=RiskLevel.choices, blank=True)
    emergency_measures_at = models.DateTimeField(_("thời điểm áp dụng biện pháp khẩn cấp"), null=True,
                                                 blank=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    closure_reason = models.CharField(_("lý do kết thúc"), max_length=20, choices=ClosureReason.choices,
                                      blank=True)
    outcome = models.TextField(_("kết quả"), blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ trường hợp")
        verbose_name_plural = _("hồ sơ trường hợp")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "opening_organization", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="cases_case_idempotent_open",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "stage"]),
            models.Index(fields=["assigned_worker", "stage"]),
            models.Index(fields=["opened_at"]),
        ]

    def __str__(self) -> str:
        return self.number


class EventKind(models.TextChoices):
    OPENED = "opened", _("Tiếp nhận")
    ASSIGNED = "assigned", _("Phân công người quản lý")
    ADVANCED = "advanced", _("Chuyển giai đoạn")
    UPDATED = "updated", _("Cập nhật hồ sơ")
    EMERGENCY = "emergency", _("Áp dụng biện pháp khẩn cấp")
    ASSESSED = "assessed", _("Đánh giá")
    PLAN_DRAFTED = "plan_drafted", _("Lập kế hoạch")
    PLAN_APPROVED = "plan_approved", _("Phê duyệt kế hoạch")
    SERVICE = "service", _("Cung cấp dịch vụ")
    CLOSED = "closed", _("Kết thúc hồ sơ")
    REOPENED = "reopened", _("Mở lại hồ sơ")
    TRANSFERRED = "transferred", _("Chuyển hồ sơ")
    REFERRAL_SENT = "referral_sent", _("Gửi chuyển tuyến")
    REFERRAL_ACCEPTED = "referral_accepted", _("Chuyển tuyến được tiếp nhận")
    REFERRAL_DECLINED = "referral_declined", _("Chuyển tuyến bị từ chối")
    REFERRAL_COMPLETED = "referral_completed", _("Chuyển tuyến hoàn thành")
    REFERRAL_WITHDRAWN = "referral_withdrawn", _("Rút chuyển tuyến")
    CONSENT_RECORDED = "consent_recorded", _("Ghi nhận đồng ý")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Rút lại đồng ý")
    PERSON_MERGED = "person_merged", _("Gộp hồ sơ đối tượng trùng")


class CaseEvent(models.Model):
    """One line of a case's timeline: every transition and every action. Written by the services only.

    `payload` holds ids, codes and dates (never names or sensitive details: the timeline shows them from the
    linked rows, through the scoping and masking rules).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("loại"), max_length=30, choices=EventKind.choices)
    at = models.DateTimeField(_("thời điểm"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("sự kiện của hồ sơ")
        verbose_name_plural = _("sự kiện của hồ sơ")
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()}"


class EmergencyMeasure(models.Model):
    """Emergency protection measures taken for a person at serious risk (Decree 56/2017/NĐ-CP: within 12 hours
    of intake for a child). The earliest one is the case's `emergency_measures_at`; `measures` says what was
    done (a safe place, separation from the abuser, medical care...) and is sensitive."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="emergency_measures")
    taken_at = models.DateTimeField(_("thời điểm áp dụng"))
    measures = models.TextField(_("biện pháp đã áp dụng"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ghi nhận"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("biện pháp khẩn cấp")
        verbose_name_plural = _("biện pháp khẩn cấp")
        ordering = ["case", "taken_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self._meta.verbose_name} ({self.taken_at:%d/%m/%Y %H:%M})"


class AssessmentKind(models.TextChoices):
    INITIAL_RISK = "initial_risk", _("Đánh giá ban đầu về nguy cơ")
    NEEDS = "needs", _("Đánh giá nhu cầu")
    REVIEW = "review", _("Đánh giá lại")


class Assessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField(_("ngày đánh giá"))
    kind = models.CharField(_("loại đánh giá"), max_length=20, choices=AssessmentKind.choices)
    risk_level = models.CharField(_("mức độ nguy cơ"), max_length=10, choices=RiskLevel.choices)
    needs = models.TextField(_("nhu cầu"), blank=True)
    worker = models.ForeignKey("workforce.Worker", verbose_name=_("người đánh giá"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")
        ordering = ["case", "assessed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()} ({self.assessed_on:%d/%m/%Y})"


class CarePlan(models.Model):
    """A support plan (kế hoạch trợ giúp). Approval is the decision of the organization's head.

    ctxh does not know who heads an organization; the head's decision is recorded by an officer of the
    organization (or a provincial manager): `approved_by` is that user, `approver_name` and `decision_number`
    the head's name and title and the decision (Decree 56/2017, form 05).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    drafted_at = models.DateTimeField(_("thời điểm lập"))
    drafted_by = models.ForeignKey("workforce.Worker", verbose_name=_("người lập"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người ghi nhận phê duyệt"),
                                    null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approver_name = models.CharField(_("người phê duyệt (họ tên, chức vụ)"), max_length=200, blank=True)
    decision_number = models.CharField(_("số quyết định phê duyệt"), max_length=50, blank=True)
    approved_at = models.DateTimeField(_("thời điểm phê duyệt"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("kế hoạch trợ giúp")
        verbose_name_plural = _("kế hoạch trợ giúp")
        ordering = ["case", "drafted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self._meta.verbose_name} #{self.pk}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class GoalStatus(models.TextChoices):
    PLANNED = "planned", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    ACHIEVED = "achieved", _("Đã đạt")
    NOT_ACHIEVED = "not_achieved", _("Không đạt")
    DROPPED = "dropped", _("Bỏ")


class CarePlanGoal(models.Model):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("mục tiêu"), max_length=500)
    status = models.CharField(_("tình trạng"), max_length=20, choices=GoalStatus.choices,
                              default=GoalStatus.PLANNED)
    target_date = models.DateField(_("thời hạn"), null=True, blank=True)

    class Meta:
        verbose_name = _("mục tiêu kế hoạch")
        verbose_name_plural = _("mục tiêu kế hoạch")
        ordering = ["plan", "pk"]

    def __str__(self) -> str:
        return self.text


class ServiceType(models.TextChoices):
    COUNSELLING = "counselling", _("Tư vấn, hỗ trợ tâm lý - xã hội")
    EMERGENCY_PROTECTION = "emergency_protection", _("Bảo vệ khẩn cấp")
    HEALTH_CARE = "health_care", _("Chăm sóc y tế")
    EDUCATION = "education", _("Hỗ trợ giáo dục")
    LEGAL_AID = "legal_aid", _("Trợ giúp pháp lý")
    VOCATIONAL = "vocational", _("Học nghề, sinh kế")
    SOCIAL_ASSISTANCE = "social_assistance", _("Trợ giúp xã hội bằng tiền hoặc hiện vật")
    ALTERNATIVE_CARE = "alternative_care", _("Chăm sóc thay thế (người thân, nhận nuôi, con nuôi)")
    REHABILITATION = "rehabilitation", _("Phục hồi chức năng")
    OTHER = "other", _("Khác")


class FundingSource(models.TextChoices):
    STATE_BUDGET = "state_budget", _("Ngân sách nhà nước")
    SOCIAL_MOBILIZATION = "social_mobilization", _("Xã hội hóa")
    ODA = "oda", _("Vốn ODA")
    INTEGRATED_PROGRAMME = "integrated_programme", _("Lồng ghép chương trình, dự án")


class ServiceDelivery(models.Model):
    """A service delivered to the person of a case. `person` repeats the case's person so that indicators
    count distinct people over services without a join through cases (kept in step by the services)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="services")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="services", editable=False)
    service_type = models.CharField(_("loại dịch vụ"), max_length=30, choices=ServiceType.choices)
    delivered_on = models.DateField(_("ngày cung cấp"))
    provider = models.ForeignKey("orgs.Organization", verbose_name=_("tổ chức cung cấp"),
                                 on_delete=models.PROTECT, related_name="services_provided")
    worker = models.ForeignKey("workforce.Worker", verbose_name=_("người thực hiện"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    funding_source = models.CharField(_("nguồn kinh phí"), max_length=30, choices=FundingSource.choices)
    amount_vnd = models.PositiveBigIntegerField(_("giá trị (đồng)"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dịch vụ đã cung cấp")
        verbose_name_plural = _("dịch vụ đã cung cấp")
        ordering = ["case", "delivered_on", "pk"]
        indexes = [
            models.Index(fields=["delivered_on", "service_type"]),
            models.Index(fields=["person", "delivered_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_service_type_display()} ({self.delivered_on:%d/%m/%Y})"


class Consent(models.Model):
    """Consent to process a person's data (Law 91/2025/QH15): for services, for sharing with other
    organizations. A child of 7 or more gives it with the legal representative; under 7, the representative
    alone."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    given_by_person = models.BooleanField(_("đối tượng tự đồng ý"), default=False)
    representative_name = models.CharField(_("người đại diện hợp pháp"), max_length=150, blank=True)
    representative_relationship = models.CharField(_("quan hệ với đối tượng"), max_length=100, blank=True)
    given_at = models.DateTimeField(_("thời điểm đồng ý"))
    for_services = models.BooleanField(_("đồng ý nhận dịch vụ"), default=True)
    for_sharing = models.BooleanField(_("đồng ý chia sẻ thông tin với tổ chức khác"), default=False)
    withdrawn_at = models.DateTimeField(_("thời điểm rút lại"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("sự đồng ý")
        verbose_name_plural = _("sự đồng ý")
        ordering = ["person", "given_at", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def has_representative(self) -> bool:
        return bool(self.representative_name.strip())


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Đã gửi")
    ACCEPTED = "accepted", _("Đã tiếp nhận")
    DECLINED = "declined", _("Từ chối")
    COMPLETED = "completed", _("Hoàn thành")
    WITHDRAWN = "withdrawn", _("Đã rút")


class ReferralQuerySet(models.QuerySet):
    def for_user(self, user):
        """Referrals sent by or to an organization in the user's scope, or of a case the user sees."""
        from ctxh.cases.scoping import scope_referrals

        return scope_referrals(self, user)

    def inbox(self, organization_ids):
        return self.filter(to_org_id__in=organization_ids)


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    from_org = models.ForeignKey("orgs.Organization", verbose_name=_("tổ chức chuyển"),
                                 on_delete=models.PROTECT, related_name="referrals_sent")
    to_org = models.ForeignKey("orgs.Organization", verbose_name=_("tổ chức nhận"),
                               on_delete=models.PROTECT, related_name="referrals_received")
    reason = models.TextField(_("lý do chuyển"))
    deadline = models.DateField(_("thời hạn trả lời"), null=True, blank=True)
    status = models.CharField(_("tình trạng"), max_length=20, choices=ReferralStatus.choices,
                              default=ReferralStatus.SENT, db_index=True)
    shares_data = models.BooleanField(_("chia sẻ thông tin của đối tượng"), default=False)
    consent = models.ForeignKey(Consent, verbose_name=_("sự đồng ý"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="referrals")
    sent_at = models.DateTimeField(_("thời điểm gửi"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    responded_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    response_note = models.TextField(_("ý kiến trả lời"), blank=True)
    closed_at = models.DateTimeField(_("thời điểm hoàn thành hoặc rút"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển tuyến")
        verbose_name_plural = _("chuyển tuyến")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["to_org", "status"]), models.Index(fields=["from_org", "status"])]

    def __str__(self) -> str:
        return f"{self.case}: {self.from_org} → {self.to_org}"


# --- working days ---


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày lễ, Tết")
    COMPENSATORY = "compensatory", _("Nghỉ bù (ngày lễ trùng ngày nghỉ hằng tuần)")
    SWAPPED = "swapped", _("Nghỉ hoán đổi (làm bù vào ngày khác)")
    MAKEUP_WORKDAY = "makeup_workday", _("Ngày làm bù (thứ Bảy, Chủ nhật đi làm)")


class PublicHoliday(models.Model):
    """A day that changes the working week (Labour Code 2019, Art. 112, and the yearly notices on days off):
    a public holiday, a compensatory or swapped day off, or a weekend day worked instead (`makeup_workday`).

    Loaded from ctxh/cases/data/public_holidays.csv (`manage.py load_public_holidays`), corrected by
    administrators in the admin site when the year's notice is published (`confirmed`). Working-day deadlines
    (the support plan within 5 working days) skip weekends and these days off (ctxh.cases.holidays).
    """

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên ngày lễ"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=HolidayKind.choices,
                            default=HolidayKind.HOLIDAY)
    confirmed = models.BooleanField(
        _("đã có văn bản"), default=False,
        help_text=_("Đã đối chiếu với thông báo nghỉ lễ chính thức của năm; chưa đánh dấu: ngày dự kiến theo "
                    "Bộ luật Lao động, cần xác nhận."),
    )
    note = models.CharField(_("ghi chú, căn cứ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = _("ngày nghỉ lễ")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    @property
    def is_day_off(self) -> bool:
        return self.kind != HolidayKind.MAKEUP_WORKDAY
