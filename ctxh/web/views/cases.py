"""Pages: people in need and their cases (issue 4, point 7).

Every page needs a login and a capability, reaches records through `for_user` (out of scope: 404), writes
every read to the access log (`log_access`, `@access_logged`), masks sensitive fields unless
`may_see_sensitive` (templates: `{% load audit %}`), and changes records only through ctxh.cases.services.
"""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ctxh.accounts.roles import Capability
from ctxh.audit.masking import may_see_sensitive
from ctxh.audit.models import AccessAction
from ctxh.audit.services import describe_filters, log_access, log_print
from ctxh.audit.views import access_logged
from ctxh.cases import forms as case_forms
from ctxh.cases import services
from ctxh.cases.models import (
    CarePlan,
    CarePlanGoal,
    Case,
    Consent,
    HouseholdMember,
    Person,
    PersonStatus,
    Referral,
    ReferralStatus,
    Stage,
)
from ctxh.cases.scoping import acting_organizations, can_act_for, can_merge_persons
from ctxh.cases.selectors import case_deadlines, referral_inbox, visible_candidates, with_deadline_flags
from ctxh.cases.services.workflow import ALLOWED
from ctxh.core.cccd import normalize_cccd
from ctxh.core.text import fold
from ctxh.orgs.models import Organization
from ctxh.web.decorators import capability_required
from ctxh.web.views import cases_people
from ctxh.web.views.cases_common import (
    PAGE_SIZE,
    add_errors,
    address_unit_choices,
    organizations_of,
    save_failed,
    user_worker,
)
from ctxh.workforce.models import Position, Worker

# --- list ---


def case_search(cases, text: str):
    """Diacritic-insensitive person name, a CCCD number, or a case number."""
    text = text.strip()
    if not text:
        return cases
    condition = Q(person__search_name__contains=fold(text)) | Q(number__icontains=text)
    number = normalize_cccd(text)
    if number.isdigit():
        condition |= Q(person__cccd=number)
    return cases.filter(condition)


@capability_required(Capability.VIEW_CASES)
@require_GET
@access_logged
def case_list(request):
    organizations = list(organizations_of(request.user).only("pk", "name"))
    form = case_forms.CaseFilterForm(request.GET or None, organizations=organizations)
    cases = with_deadline_flags(Case.objects.for_user(request.user))
    query = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        cases = case_search(cases, data["q"])
        if data["stage"]:
            cases = cases.filter(stage=data["stage"])
        if data["risk"]:
            cases = cases.filter(risk_level=data["risk"])
        if data["organization"]:
            cases = cases.filter(organization_id=data["organization"])
        if data["overdue"]:
            cases = cases.filter(Q(emergency_overdue=True) | Q(plan_overdue=True))
        params = request.GET.copy()
        params.pop("page", None)
        query = params.urlencode()
    cases = cases.select_related("person", "organization", "assigned_worker").order_by("-opened_at", "-pk")
    paginator = Paginator(cases, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = list(page.object_list)
    searching = bool(form.is_bound and form.is_valid() and form.cleaned_data["q"].strip())
    log_access(request_or_user=request, action=AccessAction.SEARCH if searching else AccessAction.LIST,
               objects=rows, model=Case, count=paginator.count, description=describe_filters(request.GET))
    return render(request, "web/cases/list.html", {
        "form": form, "page": page, "rows": rows, "query": query,
        "can_change": request.user.can(Capability.CHANGE_CASES),
    })


# --- intake ---


def _own_worker(user, organization):
    """The worker linked to the user, when they hold a position in the organization today."""
    worker = user_worker(user)
    if worker is None:
        return None
    today = timezone.localdate()
    if Position.objects.active_on(today).filter(worker=worker, organization=organization).exists():
        return worker
    return None


@capability_required(Capability.CHANGE_CASES)
def case_intake(request):
    user = request.user
    organizations = [org for org in organizations_of(user) if org.is_valid_on(timezone.localdate())]
    units = address_unit_choices(user, timezone.localdate())
    people = Person.objects.for_user(user).live()
    found, candidates, hidden_candidates = [], [], 0
    search = request.GET.get("tim", "").strip()
    if request.method == "POST":
        form = case_forms.IntakeForm(request.POST, organizations=organizations, units=units)
        token = request.POST.get("token", "")[:64]
        done = (Case.objects.for_user(user).filter(idempotency_key=token, created_by=user).first()
                if token else None)
        if done is not None:  # the same form submitted again (a double click): the case it opened
            return redirect("web:case_detail", pk=done.pk)
        if form.is_valid():
            result = _intake(request, form, people, organizations, units)
            if isinstance(result, Case):
                messages.success(request, _("Đã tiếp nhận hồ sơ %(number)s.") % {"number": result.number})
                return redirect("web:case_detail", pk=result.pk)
            candidates, hidden_candidates = result
    else:
        form = case_forms.IntakeForm(initial={"person": request.GET.get("person") or None},
                                     organizations=organizations, units=units)
        if search:
            found = list(people.search(search).select_related("ethnicity")[:20])
    chosen_pk = form["person"].value()
    chosen = people.filter(pk=chosen_pk).first() if str(chosen_pk or "").isdigit() else None
    shown = [*found, *(c.person for c in candidates), *([chosen] if chosen else [])]
    if shown or search:
        log_access(request_or_user=request, action=AccessAction.SEARCH, objects=shown, model=Person,
                   description=f"intake; q={search}" if search else "intake; duplicates")
    return render(request, "web/cases/intake.html", {
        "form": form, "found": found, "search": search, "candidates": candidates,
        "hidden_candidates": hidden_candidates, "chosen": chosen,
    })


def _intake(request, form, people, organizations, units):
    """Open the case (and register the person first if new). A Case, or (candidates, hidden count)."""
    data = form.cleaned_data
    user = request.user
    organization = next(org for org in organizations if org.pk == data["organization"])
    try:
        with transaction.atomic():
            if data["person"]:
                person = people.filter(pk=data["person"]).first()
                if person is None:
                    raise Http404(_("Không tìm thấy người cần trợ giúp."))
            else:
                created = services.person_create(
                    full_name=data["full_name"], sex=data["sex"], date_of_birth=data["date_of_birth"],
                    birth_year=data["birth_year"], cccd=data["cccd"], by=user, confirmed=data["confirm_new"],
                    unit=next((u for u in units if u.pk == data["unit"]), None),
                    unit_from=timezone.localdate(),
                )
                if not created.created:
                    shown = visible_candidates(people, created.candidates)
                    form.add_error("confirm_new", _(
                        "Có hồ sơ có thể trùng với người này. Hãy chọn người đã có, hoặc đánh dấu ô xác nhận "
                        "để tạo hồ sơ mới."))
                    return shown, len(created.candidates) - len(shown)
                person = created.person
            return services.case_open(
                person=person, organization=organization, by=user, risk_level=data["risk_level"],
                intake_summary=data["intake_summary"], worker=_own_worker(user, organization),
                idempotency_key=data["token"],
            )
    except ValidationError as error:
        add_errors(form, error)
        return [], 0


# --- case page ---


def _get_case(request, pk: int) -> Case:
    cases = Case.objects.for_user(request.user).select_related(
        "person", "person__ethnicity", "organization", "opening_organization", "assigned_worker")
    return get_object_or_404(cases, pk=pk)


def _workers(case: Case):
    return _organization_workers(case.organization_id)


def _referral_targets(case: Case):
    return Organization.objects.exclude(pk=case.organization_id).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate())).order_by("name").only("pk", "name")


def _forms(request, case: Case, bound: dict | None = None) -> dict:
    version = {"version": case.version}
    made = {
        "assign": case_forms.AssignForm(initial=version, workers=_workers(case)),
        "advance": case_forms.AdvanceForm(initial=version),
        "assessment": case_forms.AssessmentForm(initial={"assessed_on": timezone.localdate()}),
        "plan_draft": case_forms.PlanDraftForm(),
        "plan_approve": case_forms.PlanApproveForm(),
        "service": case_forms.ServiceForm(initial={"delivered_on": timezone.localdate()}),
        "close": case_forms.CloseForm(initial=version),
        "reopen": case_forms.ReopenForm(initial=version),
        "consent": case_forms.ConsentForm(),
        "referral": case_forms.ReferralForm(organizations=_referral_targets(case)),
    }
    made.update(bound or {})
    return made


def _render_case(request, case: Case, *, bound: dict | None = None, status: int = 200):
    printing = request.GET.get("print") == "1"
    if printing:
        log_print(request_or_user=request, obj=case)
    else:
        log_access(request_or_user=request, action=AccessAction.VIEW, obj=case,
                   description=describe_filters(request.GET))
    plans = case.plans.prefetch_related(Prefetch("goals", queryset=CarePlanGoal.objects.all())) \
        .select_related("drafted_by")
    can_change = request.user.can(Capability.CHANGE_CASES) and not printing
    context = {
        "case": case, "person": case.person, "printing": printing, "can_change": can_change,
        "deadlines": case_deadlines(case),
        "events": case.events.select_related("by").order_by("at", "pk"),
        "assessments": case.assessments.select_related("worker"),
        "plans": plans,
        "services": case.services.select_related("provider", "worker"),
        "referrals": case.referrals.select_related("from_org", "to_org"),
        "consents": Consent.objects.filter(person=case.person).order_by("-given_at"),
        "next_stages": [Stage(s) for s in sorted(ALLOWED[case.stage], key=Stage.values.index)
                        if s != Stage.CLOSED],
        "is_closed": case.stage == Stage.CLOSED,
        "can_approve": can_act_for(request.user, case.organization),
        "measures": case.emergency_measures.select_related("recorded_by").order_by("taken_at", "pk"),
        "forms": _forms(request, case, bound) if can_change else {},
    }
    return render(request, "web/cases/detail.html", context, status=status)


@capability_required(Capability.VIEW_CASES)
@require_GET
@access_logged
def case_detail(request, pk: int):
    return _render_case(request, _get_case(request, pk))


def _assign(request, case, form):
    worker = _workers(case).filter(pk=form.cleaned_data["worker"]).first()
    if worker is None:
        raise ValidationError({"worker": _("Hãy chọn một người làm công tác xã hội của tổ chức.")})
    services.case_assign(case=case, worker=worker, by=request.user, version=form.cleaned_data["version"])
    return _("Đã phân công %(name)s quản lý hồ sơ.") % {"name": worker.full_name}


def _advance(request, case, form):
    case = services.case_advance(case=case, to=form.cleaned_data["stage"], by=request.user,
                                 version=form.cleaned_data["version"])
    return _("Hồ sơ đã chuyển sang giai đoạn “%(stage)s”.") % {"stage": case.get_stage_display()}


def _assessment(request, case, form):
    data = form.cleaned_data
    services.assessment_add(case=case, kind=data["kind"], assessed_on=data["assessed_on"],
                            risk_level=data["risk_level"], needs=data["needs"], by=request.user,
                            worker=user_worker(request.user))
    return _("Đã ghi kết quả đánh giá.")


def _plan_draft(request, case, form):
    services.plan_draft(case=case, goals=form.cleaned_data["goals"].splitlines(), by=request.user,
                        note=form.cleaned_data["note"],
                        drafted_by=user_worker(request.user))
    return _("Đã lập kế hoạch trợ giúp.")


def _plan_approve(request, case, form):
    plan = get_object_or_404(CarePlan, pk=form.cleaned_data["plan"], case=case)
    services.plan_approve(plan=plan, by=request.user, approver_name=form.cleaned_data["approver_name"],
                          decision_number=form.cleaned_data["decision_number"])
    return _("Đã ghi nhận phê duyệt kế hoạch.")


def _service(request, case, form):
    data = form.cleaned_data
    services.service_record(case=case, service_type=data["service_type"], delivered_on=data["delivered_on"],
                            funding_source=data["funding_source"], amount_vnd=data["amount_vnd"] or None,
                            note=data["note"], by=request.user,
                            worker=user_worker(request.user))
    return _("Đã ghi dịch vụ đã cung cấp.")


def _close(request, case, form):
    services.case_close(case=case, reason=form.cleaned_data["reason"], outcome=form.cleaned_data["outcome"],
                        by=request.user, version=form.cleaned_data["version"])
    return _("Đã kết thúc hồ sơ.")


def _reopen(request, case, form):
    services.case_reopen(case=case, reason=form.cleaned_data["reason"], by=request.user,
                         version=form.cleaned_data["version"])
    return _("Đã mở lại hồ sơ.")


def _consent(request, case, form):
    services.consent_record(person=case.person, by=request.user, **form.cleaned_data)
    return _("Đã ghi nhận sự đồng ý.")


def _referral(request, case, form):
    data = form.cleaned_data
    to_org = _referral_targets(case).filter(pk=data["to_org"]).first()
    if to_org is None:
        raise ValidationError({"to_org": _("Hãy chọn tổ chức nhận.")})
    services.referral_send(case=case, to_org=to_org, reason=data["reason"], deadline=data["deadline"],
                           shares_data=data["shares_data"], by=request.user)
    return _("Đã gửi chuyển tuyến đến %(org)s.") % {"org": to_org.name}


ACTIONS = {
    "phan-cong": ("assign", case_forms.AssignForm, _assign),
    "chuyen-giai-doan": ("advance", case_forms.AdvanceForm, _advance),
    "danh-gia": ("assessment", case_forms.AssessmentForm, _assessment),
    "lap-ke-hoach": ("plan_draft", case_forms.PlanDraftForm, _plan_draft),
    "phe-duyet-ke-hoach": ("plan_approve", case_forms.PlanApproveForm, _plan_approve),
    "dich-vu": ("service", case_forms.ServiceForm, _service),
    "ket-thuc": ("close", case_forms.CloseForm, _close),
    "mo-lai": ("reopen", case_forms.ReopenForm, _reopen),
    "dong-y": ("consent", case_forms.ConsentForm, _consent),
    "chuyen-tuyen": ("referral", case_forms.ReferralForm, _referral),
}


@capability_required(Capability.CHANGE_CASES)
@require_POST
@access_logged
def case_action(request, pk: int, action: str):
    """One small form of the case page: the service decides; a refusal shows the page again with the message
    next to the field (status 400)."""
    if action not in ACTIONS:
        raise Http404
    case = _get_case(request, pk)
    key, form_class, handler = ACTIONS[action]
    extra = {}
    if key == "assign":
        extra["workers"] = _workers(case)
    elif key == "referral":
        extra["organizations"] = _referral_targets(case)
    form = form_class(request.POST, **extra)
    if form.is_valid():
        try:
            message = handler(request, case, form)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(reverse("web:case_detail", args=[case.pk]) + f"#{key}")
    case = _get_case(request, pk)
    save_failed(request, form)
    return _render_case(request, case, bound={key: form}, status=400)


# --- emergency measures, transfer ---


def _emergency_deadline(case: Case):
    return next((d for d in case_deadlines(case) if d.kind == "emergency"), None)


@capability_required(Capability.CHANGE_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def case_emergency(request, pk: int):
    """Record emergency protection measures (a child at serious risk: within 12 hours of intake), on a phone
    as well as at a desk: what was done and when."""
    case = _get_case(request, pk)
    form = case_forms.EmergencyForm(request.POST or None, initial={
        "version": case.version, "day": timezone.localdate(), "time": timezone.localtime().strftime("%H:%M")})
    code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            taken_at = timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))
            try:
                services.emergency_measures_record(case=case, at=taken_at, by=request.user,
                                                   note=data["measures"], version=data["version"])
            except ValidationError as error:
                if hasattr(error, "error_dict") and "at" in error.error_dict:  # the moment: day and time
                    error = ValidationError({("day" if key == "at" else key): value
                                             for key, value in error.error_dict.items()})
                add_errors(form, error)
            else:
                messages.success(request, _("Đã ghi biện pháp khẩn cấp."))
                return redirect(reverse("web:case_detail", args=[case.pk]) + "#emergency")
        code = 400
        save_failed(request, form)
        case = _get_case(request, pk)
    log_access(request_or_user=request, action=AccessAction.VIEW, obj=case, description="emergency measures")
    deadline = _emergency_deadline(case)
    now = timezone.now()
    hours_left = None
    if deadline is not None and deadline.met_at is None:
        hours_left = int((deadline.due - now).total_seconds() // 3600)
    return render(request, "web/cases/emergency.html", {
        "case": case, "person": case.person, "form": form, "deadline": deadline, "hours_left": hours_left,
        "hours_late": -hours_left if hours_left is not None and hours_left < 0 else None,
        "measures": case.emergency_measures.select_related("recorded_by").order_by("taken_at", "pk"),
        "is_closed": case.stage == Stage.CLOSED,
    }, status=code)


def _organization_workers(organization_id: int | None):
    """The workers holding a position in the organization today."""
    if not organization_id:
        return Worker.objects.none()
    ids = Position.objects.active_on(timezone.localdate()).filter(organization_id=organization_id) \
        .values("worker_id")
    return Worker.objects.filter(pk__in=ids).order_by("full_name")


@capability_required(Capability.CHANGE_CASES)
@require_http_methods(["GET", "POST"])
@access_logged
def case_transfer(request, pk: int):
    """Hand the case over to another organization: it holds the case from then on (the stage is kept)."""
    case = _get_case(request, pk)
    if not can_act_for(request.user, case.organization):
        raise PermissionDenied(_("Chỉ cán bộ của %(org)s mới chuyển được hồ sơ này cho tổ chức khác.")
                               % {"org": case.organization.name})
    targets = _referral_targets(case)
    chosen = request.POST.get("to_org") or request.GET.get("to_org")
    chosen_id = int(chosen) if str(chosen or "").isdigit() else None
    workers = _organization_workers(chosen_id if targets.filter(pk=chosen_id).exists() else None)
    form = case_forms.TransferForm(request.POST or None, organizations=targets, workers=workers, initial={
        "version": case.version, "on": timezone.localdate(), "to_org": chosen_id})
    code = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            to_org = targets.filter(pk=data["to_org"]).first()
            worker = workers.filter(pk=data["worker"]).first() if data["worker"] else None
            try:
                if to_org is None:
                    raise ValidationError({"to_org": _("Hãy chọn tổ chức nhận.")})
                services.case_transfer(case=case, to_org=to_org, reason=data["reason"], by=request.user,
                                       worker=worker, on=data["on"], version=data["version"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Đã chuyển hồ sơ %(number)s cho %(org)s.")
                                 % {"number": case.number, "org": to_org.name})
                if Case.objects.for_user(request.user).filter(pk=case.pk).exists():
                    return redirect("web:case_detail", pk=case.pk)
                return redirect("web:case_list")
        code = 400
        save_failed(request, form)
    log_access(request_or_user=request, action=AccessAction.VIEW, obj=case, description="transfer")
    if request.htmx and request.htmx.target == "transfer-worker":
        return render(request, "web/cases/transfer.html#worker", {"form": form, "case": case})
    return render(request, "web/cases/transfer.html", {"case": case, "person": case.person, "form": form},
                  status=code)


# --- referral inbox ---


@capability_required(Capability.VIEW_CASES)
@require_GET
@access_logged
def referral_inbox_view(request):
    user = request.user
    my_orgs = list(acting_organizations(user).values_list("pk", flat=True))
    visible = Referral.objects.for_user(user)
    incoming = referral_inbox(my_orgs, open_only=False).filter(pk__in=visible.values("pk")) \
        .select_related("case__person")
    outgoing = visible.exclude(to_org_id__in=my_orgs).select_related("case", "case__person", "from_org",
                                                                      "to_org")
    in_page = Paginator(incoming, PAGE_SIZE).get_page(request.GET.get("trang_den"))
    out_page = Paginator(outgoing, PAGE_SIZE).get_page(request.GET.get("trang_di"))
    rows = [*in_page.object_list, *out_page.object_list]
    log_access(request_or_user=request, action=AccessAction.LIST, objects=rows, model=Referral,
               count=in_page.paginator.count + out_page.paginator.count, description="referral inbox")
    return render(request, "web/cases/referral_inbox.html", {
        "incoming": in_page, "outgoing": out_page, "response_form": case_forms.ReferralResponseForm(),
        "can_change": user.can(Capability.CHANGE_CASES), "sent": ReferralStatus.SENT,
    })


@capability_required(Capability.CHANGE_CASES)
@require_POST
def referral_respond(request, pk: int):
    referral = get_object_or_404(Referral.objects.for_user(request.user), pk=pk)
    form = case_forms.ReferralResponseForm(request.POST)
    if form.is_valid():
        try:
            services.referral_respond(referral=referral, accept=form.cleaned_data["decision"] == "accept",
                                      by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Đã trả lời chuyển tuyến."))
    else:
        messages.error(request, "; ".join(case_forms.form_errors_text(form)))
    return redirect("web:referral_inbox")


# --- person page ---


@capability_required(Capability.VIEW_CASES)
@require_GET
@access_logged
def person_detail(request, pk: int):
    person = get_object_or_404(Person.objects.for_user(request.user).select_related("ethnicity", "guardian"),
                               pk=pk)
    log_access(request_or_user=request, action=AccessAction.VIEW, obj=person)
    memberships = HouseholdMember.objects.filter(person=person).select_related("household") \
        .order_by("-start_date")
    household_ids = [m.household_id for m in memberships if m.end_date is None]
    members = HouseholdMember.objects.filter(household_id__in=household_ids, end_date__isnull=True) \
        .exclude(person=person).select_related("person")
    user = request.user
    can_change = user.can(Capability.CHANGE_CASES) and person.merged_into_id is None
    can_merge = can_change and can_merge_persons(user)
    duplicates, hidden_duplicates = cases_people.visible_duplicates(user, person) if can_merge else ([], 0)
    statuses = list(PersonStatus.objects.filter(person=person).select_related("category", "verified_by")
                    .order_by("-start_date"))
    for status in statuses:  # a sensitive status is changed only by someone who may read it
        status.changeable = can_change and (
            not status.category.is_sensitive or may_see_sensitive(user, status))
    return render(request, "web/cases/person_detail.html", {
        "person": person,
        "statuses": statuses,
        "memberships": memberships, "members": members,
        "in_household": bool(household_ids),
        "cases": Case.objects.for_user(user).filter(person=person)
        .select_related("organization", "assigned_worker"),
        "consents": Consent.objects.filter(person=person).order_by("-given_at"),
        "can_change": can_change,
        "can_merge": can_merge, "duplicates": duplicates, "hidden_duplicates": hidden_duplicates,
        "can_sensitive": user.can(Capability.VIEW_SENSITIVE),
        "can_export": user.can(Capability.EXPORT_CASES),
    })


urlpatterns = [
    path("", case_list, name="case_list"),
    path("tiep-nhan/", case_intake, name="case_intake"),
    path("<int:pk>/", case_detail, name="case_detail"),
    path("<int:pk>/bien-phap-khan-cap/", case_emergency, name="case_emergency"),
    path("<int:pk>/chuyen-ho-so/", case_transfer, name="case_transfer"),
    path("<int:pk>/<slug:action>/", case_action, name="case_action"),
    path("chuyen-tuyen/", referral_inbox_view, name="referral_inbox"),
    path("chuyen-tuyen/<int:pk>/tra-loi/", referral_respond, name="referral_respond"),
    path("doi-tuong/<int:pk>/", person_detail, name="person_detail"),
    *cases_people.urlpatterns,
]
