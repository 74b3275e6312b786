"""Small building blocks shared by the domain models."""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
