"""Template helpers for the account pages."""

import datetime as dt

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration_vi(value: dt.timedelta | None) -> str:
    """A waiting time as people say it: "15 phút", "1 giờ 30 phút", "45 giây"."""
    if not value:
        return ""
    seconds = max(0, int(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours})
    if minutes:
        parts.append(ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes})
    if secs and not hours:
        parts.append(ngettext("%(n)d giây", "%(n)d giây", secs) % {"n": secs})
    return " ".join(parts)
