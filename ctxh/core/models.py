"""Small building blocks shared by the domain models."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ctxh.core.text import fold, nfc


class ValidityQuerySet(models.QuerySet):
    """Rows that carry `valid_from` / `valid_to` (both inclusive, either may be open)."""

    def as_of(self, day: dt.date):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def overlapping(self, start: dt.date | None, end: dt.date | None):
        """Rows valid on at least one day of [start, end] (open ends allowed)."""
        qs = self
        if end is not None:
            qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        if start is not None:
            qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        return qs


class Validity(models.Model):
    """A validity period: the first and the last day (inclusive); an empty end means still valid."""

    valid_from = models.DateField(_("hiệu lực từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )


class Ethnicity(models.Model):
    """An ethnic group of the General Statistics Office list (codes 01-54), or "foreign national".

    The rows are data (ctxh/core/data/ethnicities.csv), loaded by a migration; shared by the workforce and the
    registry of people.
    """

    code = models.CharField(_("mã"), max_length=4, unique=True)
    name = models.CharField(_("tên dân tộc"), max_length=100)
    search_name = models.CharField(max_length=100, editable=False, db_index=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("dân tộc")
        verbose_name_plural = _("dân tộc")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.search_name = fold(self.name)
        super().save(*args, **kwargs)
