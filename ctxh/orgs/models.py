"""Organizations of the social work network, with their validity, location history and successors."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ctxh.core.models import Validity, ValidityQuerySet
from ctxh.core.text import fold


class OrgKind(models.TextChoices):
    SOCIAL_ASSISTANCE = "social_assistance", _("Cơ sở trợ giúp xã hội")
    DRUG_REHAB = "drug_rehab", _("Cơ sở cai nghiện ma túy")
    DETENTION = "detention", _("Trại giam, trại tạm giam, cơ sở giáo dục bắt buộc")
    JUDICIAL = "judicial", _("Cơ quan tư pháp")
    SCHOOL = "school", _("Trường học")
    HEALTH = "health", _("Bệnh viện, trung tâm y tế, trạm y tế")
    COMMUNE_COMMITTEE = "commune_committee", _("Ủy ban nhân dân cấp xã")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    MASS_ORG = "mass_org", _("Tổ chức chính trị - xã hội, đoàn thể")
    UNIVERSITY = "university", _("Trường đại học, cơ sở đào tạo")
    NGO = "ngo", _("Tổ chức phi chính phủ")
    BUSINESS = "business", _("Doanh nghiệp")
    OTHER = "other", _("Khác")


# The kinds of organization that Plan 154's STAFFING indicator counts (section I.2).
IN_SCOPE_KINDS: frozenset[str] = frozenset(
    {
        OrgKind.SOCIAL_ASSISTANCE,
        OrgKind.DRUG_REHAB,
        OrgKind.DETENTION,
        OrgKind.JUDICIAL,
        OrgKind.SCHOOL,
        OrgKind.HEALTH,
        OrgKind.COMMUNE_COMMITTEE,
    }
)


class SchoolLevel(models.TextChoices):
    PRESCHOOL = "preschool", _("Mầm non")
    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")
    MULTI_LEVEL = "multi_level", _("Liên cấp, phổ thông dân tộc nội trú")
    CONTINUING = "continuing", _("Giáo dục nghề nghiệp - giáo dục thường xuyên")


class HealthLevel(models.TextChoices):
    HOSPITAL = "hospital", _("Bệnh viện")
    HEALTH_CENTRE = "health_centre", _("Trung tâm y tế")
    HEALTH_STATION = "health_station", _("Trạm y tế")


class Sector(models.TextChoices):
    SOCIAL_PROTECTION = "social_protection", _("Bảo trợ xã hội")
    HEALTH = "health", _("Y tế")
    EDUCATION = "education", _("Giáo dục")
    JUSTICE = "justice", _("Tư pháp")
    PUBLIC_SECURITY = "public_security", _("Công an")
    LABOUR = "labour", _("Lao động, nội vụ")
    LOCAL_GOVERNMENT = "local_government", _("Chính quyền địa phương")
    MASS_ORGANIZATION = "mass_organization", _("Đoàn thể")
    PLANNING_FINANCE = "planning_finance", _("Kế hoạch, tài chính")
    INFORMATION = "information", _("Thông tin, truyền thông, khoa học")
    OTHER = "other", _("Khác")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Công lập")
    PRIVATE = "private", _("Ngoài công lập")
    NGO = "ngo", _("Tổ chức phi chính phủ")


class OrganizationQuerySet(ValidityQuerySet):
    def for_user(self, user):
        """The one door: only the organizations in the user's scope (see ctxh.accounts.scoping)."""
        from ctxh.accounts.scoping import scope_organizations

        return scope_organizations(self, user)

    def search(self, text: str):
        key = fold(text)
        return self.filter(models.Q(search_name__contains=key) | models.Q(code__iexact=text.strip()))

    def in_scope_of_plan(self):
        return self.filter(kind__in=IN_SCOPE_KINDS)


class Organization(Validity):
    code = models.CharField(_("mã tổ chức"), max_length=40, unique=True)
    name = models.CharField(_("tên tổ chức"), max_length=255)
    search_name = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("loại tổ chức"), max_length=30, choices=OrgKind.choices, db_index=True)
    school_level = models.CharField(_("cấp học"), max_length=20, choices=SchoolLevel.choices, blank=True)
    health_level = models.CharField(
        _("loại cơ sở y tế"), max_length=20, choices=HealthLevel.choices, blank=True
    )
    sector = models.CharField(_("ngành, lĩnh vực"), max_length=30, choices=Sector.choices)
    ownership = models.CharField(_("loại hình sở hữu"), max_length=10, choices=Ownership.choices)
    unit = models.ForeignKey(
        "geo.Unit", verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT,
        related_name="organizations",
        help_text=_(
            "Đơn vị hành chính nơi tổ chức đặt trụ sở (hiện nay, hoặc khi tổ chức chấm dứt hoạt động)."
        ),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("tổ chức cấp trên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    successor = models.ForeignKey(
        "self", verbose_name=_("tổ chức kế thừa"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="predecessors",
    )
    succession_note = models.CharField(_("ghi chú kế thừa"), max_length=500, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    closed_reason = models.CharField(_("lý do chấm dứt"), max_length=500, blank=True)
    # Optimistic locking: a save carries the version it was read at; a stale save is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổ chức")
        verbose_name_plural = _("tổ chức")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(f"{self.name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_in_plan_scope(self) -> bool:
        return self.kind in IN_SCOPE_KINDS


class OrganizationLocation(Validity):
    """Where an organization was located over time: a school keeps running when its commune is merged."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="locations")
    unit = models.ForeignKey("geo.Unit", verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = _("địa bàn của tổ chức")
        verbose_name_plural = _("địa bàn của tổ chức")
        ordering = ["organization", "valid_from"]
