"""Pages: the registry of people (issue 4): the person list, vulnerability statuses (add, end, verify),
households and their members, and the merge of two records of the same person.

As everywhere: a login and a capability, records through `for_user` (out of scope: 404), every read in the
access log, sensitive fields masked unless the user may see them, changes through ctxh.cases.services only.
Their addresses are included under /ho-so/ by ctxh.web.views.cases.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from ctxh.accounts.roles import Capability
from ctxh.audit.masking import TEXT_MASK, MaskKind, mask, may_see_sensitive
from ctxh.audit.models import AccessAction
from ctxh.audit.services import describe_filters, log_access
from ctxh.audit.views import access_logged
from ctxh.cases import forms as case_forms
from ctxh.cases import services
from ctxh.cases.models import (
    Case,
    Consent,
    Household,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
    ServiceDelivery,
    VulnerabilityCategory,
)
from ctxh.cases.scoping import can_merge_persons
from ctxh.cases.selectors import filter_persons, visible_candidates
from ctxh.cases.sensitive import persons_seen_whole
from ctxh.geo.models import Unit
from ctxh.web.decorators import capability_required
from ctxh.web.views.cases_common import PAGE_SIZE, add_errors, address_unit_choices, save_failed, today


def _people(user):
    return Person.objects.for_user(user).live()


def _person(request, pk: int) -> Person:
    return get_object_or_404(_people(request.user).select_related("ethnicity", "guardian"), pk=pk)


def _require(user, capability: Capability) -> None:
    if not user.can(capability):
        raise PermissionDenied(_("Vai trò của bạn không có quyền xem trang này."))


# --- the person list ---


def person_filters(request):
    """The list's filter form and the filtered, scoped people (the page and the export share them)."""
    user = request.user
    units = address_unit_choices(user, today())
    categories = list(VulnerabilityCategory.objects.filter(is_active=True))
    form = case_forms.PersonFilterForm(request.GET or None, units=units, categories=categories)
    people = _people(user)
    searching = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        people = filter_persons(
            people, q=data["q"],
            unit=next((u for u in units if u.pk == data["unit"]), None) if data["unit"] else None,
            category=next((c for c in categories if c.pk == data["category"]), None),
            child_on=today() if data["children"] else None,
        )
        searching = bool(data["q"].strip())
    return form, people.order_by("search_name", "pk"), searching


def masked_person_rows(user, people: list[Person]) -> list[dict]:
    """What the list shows of each person, sensitive values masked for a user who may not see them (one
    query decides for the whole page: ctxh.cases.sensitive.persons_seen_whole)."""
    whole = persons_seen_whole(user, [person.pk for person in people])
    rows = []
    for person in people:
        seen = person.pk in whole
        address = person.current_addresses[0] if person.current_addresses else None
        groups = [status.category.name if seen or not status.category.is_sensitive else TEXT_MASK
                  for status in person.active_statuses]
        rows.append({
            "person": person,
            "cccd": person.cccd if seen else mask(person.cccd, MaskKind.CCCD),
            "unit": address.unit if address else None,
            "groups": groups,
        })
    return rows


@capability_required(Capability.VIEW_CASES)
@require_GET
@vary_on_headers("HX-Request")
@access_logged
def person_list(request):
    form, people, searching = person_filters(request)
    day = today()
    people = people.select_related("ethnicity").prefetch_related(
        Prefetch("addresses", queryset=PersonAddress.objects.as_of(day).select_related("unit")
                 .order_by("-valid_from"), to_attr="current_addresses"),
        Prefetch("statuses", queryset=PersonStatus.objects.active_on(day).select_related("category")
                 .order_by("category__sort_order", "pk"), to_attr="active_statuses"),
    )
    paginator = Paginator(people, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    shown = list(page.object_list)
    log_access(request_or_user=request, action=AccessAction.SEARCH if searching else AccessAction.LIST,
               objects=shown, model=Person, count=paginator.count, description=describe_filters(request.GET))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form, "page": page, "rows": masked_person_rows(request.user, shown),
        "query": params.urlencode(),
        "can_change": request.user.can(Capability.CHANGE_CASES),
        "can_export": request.user.can(Capability.EXPORT_CASES),
    }
    if request.htmx and request.htmx.target == "person-results":
        return render(request, "web/cases/person_list.html#results", context)
    return render(request, "web/cases/person_list.html", context)


# --- statuses ---


def _status(person: Person, pk: int) -> PersonStatus:
    return get_object_or_404(PersonStatus.objects.select_related("category", "verified_by"), pk=pk,
                             person=person)


def _may_change_status(user, status: PersonStatus) -> None:
    """A sensitive status (HIV, violence...) is ended or verified only by someone who may read it."""
    if status.category.is_sensitive and not may_see_sensitive(user, status):
        raise PermissionDenied(_("Tình trạng này là thông tin nhạy cảm: chỉ người được xem thông tin nhạy "
                                 "cảm của người này mới kết thúc hoặc xác minh được."))


def _status_page(request, person, form, *, title: str, status=None, code: int = 200):
    log_access(request_or_user=request, action=AccessAction.VIEW, obj=person)
    return render(request, "web/cases/status_form.html", {
        "person": person, "form": form, "title": title, "status": status,
    }, status=code)


@capability_required(Capability.CHANGE_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def status_add(request, pk: int):
    person = _person(request, pk)
    categories = VulnerabilityCategory.objects.filter(is_active=True)
    form = case_forms.StatusForm(request.POST or None, categories=categories,
                                 initial={"start_date": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = categories.filter(pk=data["category"]).first()
        try:
            if category is None:
                raise ValidationError({"category": _("Hãy chọn một nhóm đối tượng.")})
            services.status_add(
                person=person, category=category, start_date=data["start_date"], end_date=data["end_date"],
                evidence=data["evidence"], severity=data["severity"], event=data["event"], note=data["note"],
                verified_by=request.user if data["verified"] else None,
                verified_on=today() if data["verified"] else None,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã ghi tình trạng “%(name)s”.") % {"name": category.name})
            return redirect(reverse("web:person_detail", args=[person.pk]) + "#statuses")
    code = 400 if request.method == "POST" else 200
    if code == 400:
        save_failed(request, form)
    return _status_page(request, person, form, title=_("Thêm tình trạng (nhóm đối tượng)"), code=code)


@capability_required(Capability.CHANGE_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def status_end(request, pk: int, status_pk: int):
    person = _person(request, pk)
    status = _status(person, status_pk)
    _may_change_status(request.user, status)
    form = case_forms.StatusEndForm(request.POST or None, initial={"end_date": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.status_end(status=status, end_date=form.cleaned_data["end_date"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã ghi ngày kết thúc tình trạng."))
            return redirect(reverse("web:person_detail", args=[person.pk]) + "#statuses")
    code = 400 if request.method == "POST" else 200
    if code == 400:
        save_failed(request, form)
    return _status_page(request, person, form, title=_("Kết thúc tình trạng"), status=status, code=code)


@capability_required(Capability.CHANGE_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def status_verify(request, pk: int, status_pk: int):
    person = _person(request, pk)
    status = _status(person, status_pk)
    _may_change_status(request.user, status)
    evidence = status.evidence if may_see_sensitive(request.user, status) else ""
    form = case_forms.StatusVerifyForm(request.POST or None,
                                       initial={"verified_on": today(), "evidence": evidence})
    if request.method == "POST" and form.is_valid():
        try:
            services.status_verify(status=status, by=request.user,
                                   verified_on=form.cleaned_data["verified_on"],
                                   evidence=form.cleaned_data["evidence"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận việc xác minh tình trạng."))
            return redirect(reverse("web:person_detail", args=[person.pk]) + "#statuses")
    code = 400 if request.method == "POST" else 200
    if code == 400:
        save_failed(request, form)
    return _status_page(request, person, form, title=_("Xác minh tình trạng"), status=status, code=code)


# --- households ---


def _households(user):
    return Household.objects.for_user(user)


def _household_units(user, household: Household | None = None) -> list[Unit]:
    units = address_unit_choices(user, today())
    if household is not None and household.unit_id and all(u.pk != household.unit_id for u in units):
        units = [household.unit, *units]  # an older unit stays selectable on its household
    return units


def _household_context(request, household: Household, **extra) -> dict:
    visible = set(_people(request.user).filter(memberships__household=household).values_list("pk", flat=True))
    members = list(household.members.select_related("person").order_by("end_date", "start_date", "pk"))
    shown = [m for m in members if m.person_id in visible]
    log_access(request_or_user=request, action=AccessAction.VIEW, obj=household,
               description=describe_filters(request.GET))
    units = _household_units(request.user, household)
    context = {
        "household": household,
        "current": [m for m in shown if m.end_date is None],
        "past": [m for m in shown if m.end_date is not None],
        "hidden_members": len(members) - len(shown),
        "can_change": request.user.can(Capability.CHANGE_CASES),
        "relationship_form": case_forms.MemberRelationshipForm(),
        "end_form": case_forms.MemberEndForm(initial={"end_date": today()}),
        "form": case_forms.HouseholdForm(initial={
            "version": household.version, "name": household.name, "unit": household.unit_id,
            "address_text": household.address_text, "is_poor": household.is_poor,
            "is_near_poor": household.is_near_poor}, units=units),
        "member_form": case_forms.MemberAddForm(initial={"start_date": today()}),
    }
    context.update(extra)
    return context


@capability_required(Capability.VIEW_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def household_detail(request, pk: int):
    """The household, its members (those in the user's scope by name) and the edit forms."""
    household = get_object_or_404(_households(request.user).select_related("unit"), pk=pk)
    extra, code = {}, 200
    if request.method == "POST":
        _require(request.user, Capability.CHANGE_CASES)
        form = case_forms.HouseholdForm(request.POST, units=_household_units(request.user, household))
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            data["unit"] = Unit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
            try:
                services.household_update(household=household, version=version or 0, data=data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã lưu thông tin hộ gia đình."))
                return redirect("web:household_detail", pk=household.pk)
        save_failed(request, form)
        household.refresh_from_db()
        extra, code = {"form": form}, 400
    search = request.GET.get("tim", "").strip()
    found = []
    if search:
        found = list(_people(request.user).search(search).exclude(memberships__household=household,
                                                                   memberships__end_date__isnull=True)[:20])
        log_access(request_or_user=request, action=AccessAction.SEARCH, objects=found, model=Person,
                   description=f"household {household.pk}; q={search}")
    context = _household_context(request, household, search=search, found=found, **extra)
    if request.htmx and request.htmx.target == "member-candidates":
        return render(request, "web/cases/household_detail.html#candidates", context)
    return render(request, "web/cases/household_detail.html", context, status=code)


@capability_required(Capability.CHANGE_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def household_create(request):
    """A new household; from a person's page, that person joins it at once."""
    person = None
    person_pk = request.GET.get("person") or request.POST.get("person")
    if person_pk:
        if not str(person_pk).isdigit():
            raise Http404
        person = _person(request, int(person_pk))
    units = _household_units(request.user)
    initial = {"start_date": today()}
    if person is not None:
        initial["name"] = _("Hộ %(name)s") % {"name": person.full_name}
        address = person.addresses.as_of(today()).first()
        initial["unit"] = address.unit_id if address else None
    form = case_forms.HouseholdCreateForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.pk == data["unit"]), None)
        try:
            with transaction.atomic():
                household = services.household_create(
                    name=data["name"], unit=unit, address_text=data["address_text"], is_poor=data["is_poor"],
                    is_near_poor=data["is_near_poor"])
                if person is not None:
                    services.household_member_add(household=household, person=person,
                                                  relationship=data["relationship"],
                                                  start_date=data["start_date"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã tạo hộ gia đình."))
            return redirect("web:household_detail", pk=household.pk)
    code = 400 if request.method == "POST" else 200
    if code == 400:
        save_failed(request, form)
    if person is not None:
        log_access(request_or_user=request, action=AccessAction.VIEW, obj=person)
    else:
        log_access(request_or_user=request, action=AccessAction.VIEW, model=Household,
                   description="household create")
    return render(request, "web/cases/household_form.html", {"form": form, "person": person}, status=code)


@capability_required(Capability.CHANGE_CASES)
@require_POST
def household_member_add(request, pk: int):
    household = get_object_or_404(_households(request.user), pk=pk)
    form = case_forms.MemberAddForm(request.POST)
    if form.is_valid():
        person = _people(request.user).filter(pk=form.cleaned_data["person"]).first()
        try:
            if person is None:
                raise ValidationError({"person": _("Hãy tìm và chọn một người trong danh sách.")})
            services.household_member_add(household=household, person=person,
                                          relationship=form.cleaned_data["relationship"],
                                          start_date=form.cleaned_data["start_date"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Đã thêm %(name)s vào hộ.") % {"name": person.full_name})
            return redirect(reverse("web:household_detail", args=[household.pk]) + "#members")
    save_failed(request, form)
    return redirect(reverse("web:household_detail", args=[household.pk]) + "#add-member")


@capability_required(Capability.CHANGE_CASES)
@require_POST
def household_member_change(request, pk: int, member_pk: int, change: str):
    """Correct a member's relationship (`change` "quan-he") or end the membership ("ket-thuc")."""
    household = get_object_or_404(_households(request.user), pk=pk)
    member = get_object_or_404(HouseholdMember.objects.filter(person__in=_people(request.user)),
                               pk=member_pk, household=household)
    if change == "quan-he":
        form = case_forms.MemberRelationshipForm(request.POST)
        action, done = services.household_member_update, _("Đã sửa quan hệ với chủ hộ.")
    elif change == "ket-thuc":
        form = case_forms.MemberEndForm(request.POST)
        action, done = services.household_member_end, _("Đã ghi ngày thôi là thành viên của hộ.")
    else:
        raise Http404
    if form.is_valid():
        try:
            action(member=member, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(reverse("web:household_detail", args=[household.pk]) + "#members")
    save_failed(request, form)
    return redirect(reverse("web:household_detail", args=[household.pk]) + "#members")


# --- duplicates and merge ---


def visible_duplicates(user, person: Person) -> tuple[list, int]:
    """The possible duplicates of `person` that the user sees, and how many others exist out of scope."""
    address = person.addresses.order_by("-valid_from").first()
    candidates = services.find_duplicates(
        full_name=person.full_name, date_of_birth=person.date_of_birth, birth_year=person.birth_year,
        cccd=person.cccd or "", unit=address.unit if address else None, exclude_pk=person.pk)
    shown = visible_candidates(_people(user), candidates)
    return shown, len(candidates) - len(shown)


def _merge_side(user, person: Person) -> dict:
    cases = Case.objects.filter(person=person)
    return {
        "person": person,
        "statuses": PersonStatus.objects.filter(person=person).select_related("category")
        .order_by("start_date"),
        "addresses": person.addresses.select_related("unit").order_by("valid_from"),
        "memberships": HouseholdMember.objects.filter(person=person).select_related("household")
        .order_by("start_date"),
        "cases": Case.objects.for_user(user).filter(person=person).select_related("organization"),
        "cases_total": cases.count(),
        "services_total": ServiceDelivery.objects.filter(person=person).count(),
        "consents_total": Consent.objects.filter(person=person).count(),
    }


@capability_required(Capability.CHANGE_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def person_merge(request, pk: int, other: int):
    """Both records side by side; the user picks the one to keep and confirms."""
    if pk == other:
        raise Http404
    people = _people(request.user).select_related("ethnicity", "guardian")
    first, second = get_object_or_404(people, pk=pk), get_object_or_404(people, pk=other)
    if not can_merge_persons(request.user):
        raise PermissionDenied(_("Chỉ cán bộ cơ sở hoặc cán bộ quản lý chương trình mới gộp được hồ sơ: "
                                 "gộp hồ sơ chuyển mọi hồ sơ trường hợp của người này."))
    form = case_forms.MergeForm(request.POST or None, people=[first, second], initial={
        "keep": first.pk, "version_a": first.version, "version_b": second.version})
    code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            keep, merge = (first, second) if data["keep"] == first.pk else (second, first)
            try:
                kept = services.person_merge(keep=keep, merge=merge, by=request.user, versions={
                    first.pk: data["version_a"], second.pk: data["version_b"]})
            except ValidationError as error:
                add_errors(form, error)
            else:
                log_access(request_or_user=request, action=AccessAction.VIEW, obj=kept,
                           description=f"merge: {merge.pk} -> {kept.pk}")
                messages.success(request, _("Đã gộp hai hồ sơ; hồ sơ được giữ lại có đủ lịch sử của cả "
                                            "hai."))
                return redirect("web:person_detail", pk=kept.pk)
        code = 400
        save_failed(request, form)
    for person in (first, second):
        log_access(request_or_user=request, action=AccessAction.VIEW, obj=person,
                   description="merge comparison")
    return render(request, "web/cases/person_merge.html", {
        "form": form, "sides": [_merge_side(request.user, first), _merge_side(request.user, second)],
    }, status=code)


urlpatterns = [
    path("doi-tuong/", person_list, name="person_list"),
    path("doi-tuong/<int:pk>/tinh-trang/them/", status_add, name="status_add"),
    path("doi-tuong/<int:pk>/tinh-trang/<int:status_pk>/ket-thuc/", status_end, name="status_end"),
    path("doi-tuong/<int:pk>/tinh-trang/<int:status_pk>/xac-minh/", status_verify, name="status_verify"),
    path("doi-tuong/<int:pk>/gop/<int:other>/", person_merge, name="person_merge"),
    path("ho-gia-dinh/them/", household_create, name="household_create"),
    path("ho-gia-dinh/<int:pk>/", household_detail, name="household_detail"),
    path("ho-gia-dinh/<int:pk>/thanh-vien/", household_member_add, name="household_member_add"),
    path("ho-gia-dinh/<int:pk>/thanh-vien/<int:member_pk>/<slug:change>/", household_member_change,
         name="household_member_change"),
]
