"""Template helpers of the UI shell: money, dates, and the Bootstrap classes of form widgets.

`{% load ctxh %}` then `{{ amount|vnd }}` (1.234.567 ₫) and `{{ day|dmy }}` (01/06/2024).
"""

import datetime as dt

from django import template
from django.utils import formats

register = template.Library()


def _group_thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


@register.filter
def vnd(value) -> str:
    """Integer VND as Vietnamese people write it: 1.234.567 ₫ (no decimals; empty for no value)."""
    if value is None or value == "":
        return ""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    sign = "-" if number < 0 else ""
    return f"{sign}{_group_thousands(abs(number))}\u00a0₫"


@register.filter
def thousands(value) -> str:
    """An integer with dots between thousands (1.234.567), whatever the active language."""
    if value is None or value == "":
        return ""
    try:
        return _group_thousands(int(value))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def dmy(value) -> str:
    """A date (or date-time, in local time) as dd/mm/yyyy; empty for no value."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


# Form widgets -----------------------------------------------------------------------------------------------

_INPUT_CLASSES = {
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "range": "form-range",
    "color": "form-control form-control-color",
    "hidden": "",
    "submit": "btn btn-primary",
    "button": "btn btn-secondary",
    "reset": "btn btn-secondary",
    "image": "",
}


@register.filter
def widget_class(widget: dict, base: str | None = None) -> str:
    """The class attribute of a rendered widget: Bootstrap's class for its kind, the widget's own classes,
    and `is-invalid` when the field has errors (Django marks the widget with aria-invalid then).

    `base` names the Bootstrap class (form-select, form-control); without it the input type decides.
    """
    attrs = widget.get("attrs") or {}
    if base is None:
        base = _INPUT_CLASSES.get(widget.get("type") or "text", "form-control")
    classes = [base] if base else []
    own = attrs.get("class")
    if own:
        classes.extend(c for c in str(own).split() if c not in classes)
    if attrs.get("aria-invalid") in ("true", True) and base:
        classes.append("is-invalid")
    return " ".join(classes)


@register.filter
def without_class(attrs: dict) -> list[tuple[str, object]]:
    """The widget's attributes except `class` (written separately by widget_class)."""
    return [(name, value) for name, value in (attrs or {}).items() if name != "class"]


@register.filter
def dmy_input(value) -> str:
    """The value of a date input: dd/mm/yyyy, whatever form the date came in (a date, ISO text, typed text).

    Date inputs are text fields written dd/mm/yyyy, as every date in ctxh is: a browser's own date picker
    would show mm/dd/yyyy on a computer set to American English. Text that is no date is given back
    unchanged, so a mistyped value stays in the field next to its error.
    """
    day = _as_date(value)
    return day.strftime("%d/%m/%Y") if day else ("" if value is None else str(value))


def _as_date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", *formats.get_format("DATE_INPUT_FORMATS")):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@register.filter
def validity(obj) -> str:
    """A validity period as people read it: "01/07/2025 – nay", "đến 30/06/2025", "01/01/2020 – 30/06/2025".
    """
    from django.utils.translation import gettext as _

    start = dmy(getattr(obj, "valid_from", None))
    end = dmy(getattr(obj, "valid_to", None))
    if start and end:
        return f"{start} – {end}"
    if start:
        return _("%(start)s – nay") % {"start": start}
    if end:
        return _("đến %(end)s") % {"end": end}
    return _("không xác định")


# Pagination -------------------------------------------------------------------------------------------------


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context, page, param: str = "page") -> dict:
    """Links to the other pages of a Paginator page, keeping the rest of the query string.

    `{% pagination page %}`; `{% pagination org_page "org_page" %}` when one page shows several lists.
    """
    request = context.get("request")
    query = request.GET.copy() if request is not None else None

    def url(number: int) -> str:
        if query is None:
            return f"?{param}={number}"
        query[param] = str(number)
        return f"?{query.urlencode()}"

    links = []
    if page.has_other_pages():
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
            if number == page.paginator.ELLIPSIS:
                links.append({"label": number, "url": "", "current": False, "gap": True})
            else:
                current = number == page.number
                links.append({"label": number, "url": url(number), "current": current, "gap": False})
    return {
        "page": page,
        "links": links,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
    }
