"""Pages to browse administrative units as of a date: the list (drill down from the top of the user's scope)
and a unit's page (its validity, parent, children, predecessors, successors and organizations).

Every query goes through Unit.objects.for_user(user) (ctxh.web.selectors); a unit outside the scope is 404.
"""

import datetime as dt

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.vary import vary_on_headers

from ctxh.accounts.roles import Capability
from ctxh.geo import selectors as geo
from ctxh.geo.models import Level, Unit, UnitKind
from ctxh.web import selectors
from ctxh.web.dates import parse_query_day
from ctxh.web.decorators import capability_required

PAGE_SIZE = 50
ORG_PAGE_SIZE = 25
# The quick "as of" buttons: the last year of the old units, and today.
BEFORE_REORGANIZATION = dt.date(2024, 1, 1)


class UnitFilterForm(forms.Form):
    as_of = forms.DateField(label=_("Xem theo ngày"), required=False, widget=forms.DateInput)
    kind = forms.ChoiceField(
        label=_("Loại đơn vị"), required=False, choices=[("", _("Tất cả các loại")), *UnitKind.choices]
    )
    q = forms.CharField(
        label=_("Tìm theo tên hoặc mã"), required=False, max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("ví dụ: tràng đà, trang da, 02206")}
        ),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


def _page(request, items, size: int, param: str = "page"):
    return Paginator(items, size).get_page(request.GET.get(param))


@capability_required(Capability.VIEW_UNITS)
@vary_on_headers("HX-Request")
def unit_list(request):
    today = timezone.localdate()
    form = UnitFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("as_of") or today

    parent = None
    if data.get("parent"):
        try:
            parent = selectors.unit_for_user(user=request.user, pk=data["parent"])
        except Unit.DoesNotExist:
            raise Http404(_("Không tìm thấy đơn vị hành chính.")) from None

    listing = selectors.unit_listing(
        user=request.user, day=day, parent=parent, kind=data.get("kind") or "", q=data.get("q") or ""
    )
    page = _page(request, listing.units, PAGE_SIZE)
    units = list(page.object_list)
    counts = selectors.child_counts(user=request.user, units=units, day=day)
    for unit in units:
        unit.child_count = counts.get(unit.pk, 0)

    context = {
        "form": form,
        "day": day,
        "today": today,
        "before_day": BEFORE_REORGANIZATION,
        "parent": parent,
        "breadcrumbs": selectors.unit_breadcrumbs(user=request.user, unit=parent) if parent else [],
        "listing": listing,
        "page": page,
        "units": units,
        "level_counts": selectors.level_counts(user=request.user, day=day),
        "kind": data.get("kind") or "",
        "q": data.get("q") or "",
    }
    if parent is not None and not parent.is_valid_on(day):
        # The chosen parent did not exist on that day: point to the units that did.
        if parent.valid_to is not None and day > parent.valid_to:
            context["parent_then"] = list(geo.current_successors(parent, day).for_user(request.user))
        else:
            context["parent_then"] = list(
                geo.predecessors(parent).as_of(day).for_user(request.user).order_by("level", "code")
            )
    template = "web/units/unit_list.html"
    if request.htmx and request.htmx.target == "unit-results":
        template += "#results"
    return render(request, template, context)


@capability_required(Capability.VIEW_UNITS)
def unit_detail(request, pk: int):
    try:
        unit = selectors.unit_for_user(user=request.user, pk=pk)
    except Unit.DoesNotExist:
        raise Http404(_("Không tìm thấy đơn vị hành chính.")) from None

    today = timezone.localdate()
    asked = parse_query_day(request.GET.get("as_of"))
    day = selectors.day_within(unit, asked or today)
    relations = selectors.unit_relations(user=request.user, unit=unit, day=day, today=today)
    organizations = selectors.unit_organizations(user=request.user, unit=unit)
    org_page = _page(request, organizations, ORG_PAGE_SIZE, "org_page")
    return render(request, "web/units/unit_detail.html", {
        "unit": unit,
        "day": day,
        "today": today,
        "asked": asked,
        "moved": asked is not None and asked != day,
        "valid_today": unit.is_valid_on(today),
        # Communes are the lowest level: no children to list.
        "may_have_children": unit.level != Level.COMMUNE or bool(relations.children),
        "breadcrumbs": selectors.unit_breadcrumbs(user=request.user, unit=unit),
        "relations": relations,
        "org_page": org_page,
        "organizations": list(org_page.object_list),
    })


urlpatterns = [
    path("", unit_list, name="unit_list"),
    path("<int:pk>/", unit_detail, name="unit_detail"),
]
