"""Template helpers of the indicator pages: `{% load indicators %}`.

`{{ share|percent }}` (0.25 -> 25,0 %), `{{ result.status|status_class }}` (a Bootstrap colour), and
`{% cell row column %}` for a cell of an actionable list (numbers, money, dates, links).
"""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import format_html

from ctxh.indicators.results import ColumnKind, Status
from ctxh.web.templatetags.ctxh import dmy, thousands, vnd

register = template.Library()

STATUS_CLASSES = {
    Status.ACHIEVED: "success",
    Status.IN_PROGRESS: "warning",
    Status.NOT_ACHIEVED: "danger",
    Status.NO_TARGET: "secondary",
    Status.NO_DATA: "secondary",
}


@register.filter
def percent(value, digits: int = 1) -> str:
    """A share as a percentage in the active language's format: 0.25 -> "25,0 %"; "—" for no value."""
    if value is None or value == "":
        return "—"
    digits = int(digits)
    # Rounded here: number_format cuts the decimals of a float (1/6 would show 16,6 %).
    shown = round(float(value) * 100, digits)
    return f"{formats.number_format(shown, digits, force_grouping=True)}\u00a0%"


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "secondary")


@register.simple_tag
def cell(row: dict, column) -> str:
    value = row.get(column.key)
    if column.kind == ColumnKind.INTEGER:
        text = thousands(value)
    elif column.kind == ColumnKind.MONEY:
        text = vnd(value)
    elif column.kind == ColumnKind.DATE:
        text = dmy(value)
    elif column.kind == ColumnKind.RATIO:
        text = percent(value)
    else:
        text = "" if value is None else str(value)
    if column.url_name and row.get(column.link_key):
        try:
            url = reverse(column.url_name, args=[row[column.link_key]])
        except NoReverseMatch:
            return format_html("{}", text)
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)
