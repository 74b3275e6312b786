"""Administrative units over time, and the successions that link one generation of units to the next.

Official codes are reused across generations (the new Tuyên Quang keeps province code 08), so a unit is
identified by its code together with its validity: every lookup by code is made as of a date.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctxh.core.models import Validity, ValidityQuerySet
from ctxh.core.text import fold, nfc


class Level(models.IntegerChoices):
    PROVINCE = 1, _("Cấp tỉnh")
    DISTRICT = 2, _("Cấp huyện")
    COMMUNE = 3, _("Cấp xã")


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    MUNICIPALITY = "municipality", _("Thành phố trực thuộc trung ương")
    DISTRICT = "district", _("Huyện")
    URBAN_DISTRICT = "urban_district", _("Quận")
    TOWN = "town", _("Thị xã")
    PROVINCIAL_CITY = "provincial_city", _("Thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    TOWNSHIP = "township", _("Thị trấn")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")


KIND_LEVEL: dict[str, int] = {
    UnitKind.PROVINCE: Level.PROVINCE,
    UnitKind.MUNICIPALITY: Level.PROVINCE,
    UnitKind.DISTRICT: Level.DISTRICT,
    UnitKind.URBAN_DISTRICT: Level.DISTRICT,
    UnitKind.TOWN: Level.DISTRICT,
    UnitKind.PROVINCIAL_CITY: Level.DISTRICT,
    UnitKind.COMMUNE: Level.COMMUNE,
    UnitKind.WARD: Level.COMMUNE,
    UnitKind.TOWNSHIP: Level.COMMUNE,
    UnitKind.SPECIAL_ZONE: Level.COMMUNE,
}

# Official codes have a fixed width by level (GSO list): 2 digits, 3 digits, 5 digits.
CODE_WIDTH: dict[int, int] = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}


def format_code(code: int | str, level: int) -> str:
    return str(int(code)).zfill(CODE_WIDTH[level])


class UnitQuerySet(ValidityQuerySet):
    def by_code(self, code: str, day):
        """The unit that carried `code` on `day` (codes are reused across generations)."""
        return self.as_of(day).filter(code=code)

    def search(self, text: str):
        return self.filter(search_name__contains=fold(text))

    def for_user(self, user):
        """The one door: only the units in the user's scope (see ctxh.accounts.scoping)."""
        from ctxh.accounts.scoping import scope_units

        return scope_units(self, user)


class Unit(Validity):
    code = models.CharField(_("mã"), max_length=10, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    source = models.CharField(_("nguồn dữ liệu"), max_length=100, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["level", "code", "valid_from"]
        indexes = [models.Index(fields=["level", "code"]), models.Index(fields=["parent", "valid_to"])]
        constraints = [
            models.UniqueConstraint(fields=["code", "level", "valid_from"], name="geo_unit_code_validity"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.search_name = fold(self.name)
        self.level = KIND_LEVEL[self.kind]
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """Name with validity, to tell apart two generations of one code."""
        if self.valid_to:
            day = self.valid_to.strftime("%d/%m/%Y")
            return _("%(name)s (đến %(day)s)") % {"name": self.name, "day": day}
        return self.name


class SuccessionKind(models.TextChoices):
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")
    RENAME = "rename", _("Đổi tên")
    REPARENT = "reparent", _("Đổi đơn vị cấp trên")


class Succession(models.Model):
    """An old unit continues (wholly or partly) in a new one from `effective_date`."""

    predecessor = models.ForeignKey(
        Unit, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Unit, verbose_name=_("đơn vị mới"), on_delete=models.CASCADE, related_name="successions_in"
    )
    effective_date = models.DateField(_("ngày có hiệu lực"))
    kind = models.CharField(_("hình thức"), max_length=10, choices=SuccessionKind.choices)
    partly_merged = models.BooleanField(
        _("sáp nhập một phần"), default=False,
        help_text=_(
            "Đơn vị cũ chỉ nhập một phần diện tích, dân số vào đơn vị mới (theo bảng chuyển đổi chính thức)."
        ),
    )
    source = models.CharField(_("nguồn"), max_length=200, blank=True)
    note = models.TextField(
        _("ghi chú"), blank=True,
        help_text=_(
            "Căn cứ hoặc lý do, nhất là với quyết định tại địa phương chưa có trong bảng chính thức."
        ),
    )

    class Meta:
        verbose_name = _("kế thừa đơn vị hành chính")
        verbose_name_plural = _("kế thừa đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "effective_date"], name="geo_succession_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_date:%d/%m/%Y})"
