"""Pages of the social work workforce: the worker list and page, creating and editing workers, their positions
and allowances, the base salary table, the STAFFING rules, and the staff section of an organization's page.

Every read starts from `Worker.objects.for_user(user)`, `Position.objects.for_user(user)` or
`Organization.objects.for_user(user)`: a record outside the user's scope answers 404, so a guessed URL reveals
nothing. Every change goes through ctxh.workforce.services. Rows without a version number (positions,
allowances, base salaries, rules) are locked optimistically by their last history id: a form carries the id it
was read at, and a save after someone else's change is refused with what they changed.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Replace
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from ctxh.accounts.roles import Capability
from ctxh.accounts.scoping import scope_for, unit_closure
from ctxh.audit.masking import mask_cccd
from ctxh.core.text import fold
from ctxh.orgs.models import IN_SCOPE_KINDS, Organization, OrganizationLocation, OrgKind
from ctxh.training.selectors import worker_trainings
from ctxh.web.dates import parse_query_day
from ctxh.web.decorators import capability_required
from ctxh.web.forms import add_service_errors
from ctxh.web.templatetags.ctxh import vnd
from ctxh.workforce import services
from ctxh.workforce.forms import (
    AllowanceCorrectForm,
    AllowanceForm,
    BaseSalaryForm,
    PositionEndForm,
    PositionForm,
    StaffingRuleForm,
    WorkerFilterForm,
    WorkerForm,
    organization_choices,
)
from ctxh.workforce.models import (
    QUALIFYING_DEDICATIONS,
    AllowanceChange,
    BaseSalary,
    Position,
    ProgrammePhase,
    StaffingRule,
    Worker,
)
from ctxh.workforce.selectors import staffing_for_org

PAGE_SIZE = 50
HISTORY_LIMIT = 100
ASK_TO_SAVE_AGAIN = gettext_lazy("Hãy xem lại; bấm Lưu lần nữa nếu vẫn muốn ghi thay đổi của bạn.")


def _require(user, capability: Capability) -> None:
    if not user.can(capability):
        raise PermissionDenied(_("Vai trò của bạn không có quyền thực hiện thao tác này."))


def _short(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# ------------------------------------------------------------------------------------------------------------
# How stored values read to a person (change history, conflict messages)


def _label(model_field: models.Field) -> str:
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:]


def _display(model_field: models.Field, value, *, names: dict, show_cccd: bool) -> str:
    if value is None or value == "":
        return ""
    if model_field.name == "cccd" and not show_cccd:
        return mask_cccd(value)
    if model_field.is_relation:
        return names.get(model_field.attname, {}).get(value, str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Có") if value else _("Không")
    if isinstance(value, dt.date):
        return _short(value)
    if model_field.name.endswith("_vnd"):
        return vnd(value)
    return str(value)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    kind: str
    subject: str
    reason: str
    changes: list[Change] = field(default_factory=list)


HISTORY_KINDS = {"+": gettext_lazy("Thêm mới"), "~": gettext_lazy("Sửa"), "-": gettext_lazy("Xóa")}
HISTORY_SKIPPED = {"id", "search_name", "version", "created_at", "updated_at", "worker", "position"}


def _tracked(records: list) -> list[models.Field]:
    if not records:
        return []
    return [f for f in type(records[0]).tracked_fields if f.name not in HISTORY_SKIPPED]


def _related_names(records: list, fields: list[models.Field]) -> dict[str, dict]:
    """Names of the rows that foreign keys of these history records point to: one query per key."""
    names = {}
    for model_field in fields:
        if model_field.is_relation:
            ids = {getattr(r, model_field.attname) for r in records} - {None}
            rows = model_field.related_model.objects.in_bulk(ids) if ids else {}
            names[model_field.attname] = {pk: str(row) for pk, row in rows.items()}
    return names


def _diff(older, newer, fields: list[models.Field], names: dict, show_cccd: bool) -> list[Change]:
    return [
        Change(_label(f), _display(f, getattr(older, f.attname), names=names, show_cccd=show_cccd),
               _display(f, getattr(newer, f.attname), names=names, show_cccd=show_cccd))
        for f in fields
        if getattr(older, f.attname) != getattr(newer, f.attname)
    ]


def history_entries(records: Iterable, subject: Callable[[object], str], *,
                    show_cccd: bool = True) -> list[HistoryEntry]:
    """Who changed what and when, from simple_history records of one model (any order, several rows)."""
    records = sorted(records, key=lambda r: (r.id, r.history_date, r.history_id))
    fields = _tracked(records)
    names = _related_names(records, fields)
    entries = []
    previous: dict[int, object] = {}
    for record in records:
        older = previous.get(record.id)
        previous[record.id] = record
        changes = _diff(older, record, fields, names, show_cccd) if older is not None else []
        if record.history_type == "~" and not changes:
            continue  # a save that changed nothing a person reads
        entries.append(HistoryEntry(
            when=record.history_date, who=str(record.history_user) if record.history_user_id else "",
            kind=str(HISTORY_KINDS.get(record.history_type, record.history_type)), subject=subject(record),
            reason=record.history_change_reason or "", changes=changes,
        ))
    return entries


def _newest(entries: list[HistoryEntry], limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    return sorted(entries, key=lambda e: e.when, reverse=True)[:limit]


# ------------------------------------------------------------------------------------------------------------
# Optimistic locking


def _latest_record(instance):
    return instance.history.select_related("history_user").order_by("-history_date", "-history_id").first()


def _latest_history_id(instance) -> int | None:
    record = _latest_record(instance)
    return record.history_id if record else None


def _conflict_lines(*, what: str, seen, current, fields: list[models.Field],
                    show_cccd: bool = True) -> list[str]:
    """What another person changed between the record the form was read at (`seen`) and now (`current`)."""
    when = timezone.localtime(current.history_date).strftime("%H:%M %d/%m/%Y")
    who = str(current.history_user) if current.history_user_id else _("không rõ")
    lines = [_("Người khác (%(who)s) đã sửa %(what)s lúc %(when)s; thay đổi của bạn chưa được lưu.") % {
        "who": who, "what": what, "when": when}]
    if seen is not None:
        names = _related_names([seen, current], fields)
        lines += [
            _("Trường “%(field)s” trước là “%(before)s”, nay là “%(after)s”.") % {
                "field": c.label, "before": c.before or "—", "after": c.after or "—"}
            for c in _diff(seen, current, fields, names, show_cccd)
        ]
    return lines


def _unchanged_since_read(form: forms.Form, instance, *, what: str) -> bool:
    """Whether `instance` is as it was when the form was read (its `seen` history id). If not, the form gets
    the other person's changes and the current id, so that a second click on Save applies the user's input."""
    current = _latest_record(instance)
    seen_id = form.cleaned_data.get("seen")
    if current is None or seen_id == current.history_id:
        return True
    seen = instance.history.filter(history_id=seen_id).first() if seen_id else None
    fields = [f for f in type(current).tracked_fields if f.name not in HISTORY_SKIPPED]
    for line in _conflict_lines(what=what, seen=seen, current=current, fields=fields):
        form.add_error(None, line)
    form.add_error(None, str(ASK_TO_SAVE_AGAIN))
    form.data = form.data.copy()
    form.data[form.add_prefix("seen")] = current.history_id
    return False


# ------------------------------------------------------------------------------------------------------------
# Worker list


def _digits(text: str) -> str:
    compact = re.sub(r"[\s.\-()]", "", text)
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    return compact


def worker_list_queryset(*, user, filters: dict) -> models.QuerySet:
    """The user's workers narrowed by `filters` (see WorkerFilterForm), each with `shown_positions`: their
    positions in the user's scope held on `active_on` (default today). Constant queries per page.

    q: every word in the name (diacritics ignored), or the whole CCCD number, or digits of the phone number.
    organization, unit (its subtree across successions), dedication, active_on: one position satisfies all.
    """
    queryset = Worker.objects.for_user(user).select_related("ethnicity")
    text = filters.get("q") or ""
    if text:
        condition = Q()
        for word in fold(text).split():
            condition &= Q(search_name__contains=word)
        digits = _digits(text)
        if digits.isdigit():
            if len(digits) == 12:
                condition |= Q(cccd=digits)
            if len(digits) >= 4:
                phone = Replace("phone", Value(" "), Value(""))
                for sign, replacement in ((".", ""), ("-", ""), ("+84", "0")):
                    phone = Replace(phone, Value(sign), Value(replacement))
                queryset = queryset.annotate(phone_digits=phone)
                condition |= Q(phone_digits__contains=digits)
        queryset = queryset.filter(condition)
    for name in ("sex", "sw_qualification", "ethnicity"):
        if filters.get(name):
            queryset = queryset.filter(**{name: filters[name]})

    day = filters.get("active_on")
    positions = Position.objects.for_user(user).filter(worker=OuterRef("pk"))
    narrowed = False
    if filters.get("organization"):
        positions, narrowed = positions.filter(organization=filters["organization"]), True
    if filters.get("dedication"):
        positions, narrowed = positions.filter(dedication=filters["dedication"]), True
    if filters.get("unit"):
        locations = OrganizationLocation.objects.filter(unit_id__in=unit_closure([filters["unit"].pk]))
        if day:
            locations = locations.as_of(day)
        positions, narrowed = positions.filter(organization_id__in=locations.values("organization_id")), True
    if day:
        positions, narrowed = positions.active_on(day), True
    if narrowed:
        queryset = queryset.filter(Exists(positions))

    shown = (Position.objects.for_user(user).active_on(day or timezone.localdate())
             .select_related("organization").order_by("-start_date", "pk"))
    return queryset.prefetch_related(Prefetch("positions", queryset=shown, to_attr="shown_positions"))


@require_GET
@capability_required(Capability.VIEW_WORKFORCE)
@vary_on_headers("HX-Request")
def worker_list(request):
    user = request.user
    form = WorkerFilterForm(request.GET or None, user=user)
    filters = form.filters
    workers = worker_list_queryset(user=user, filters=filters)
    page = Paginator(workers, PAGE_SIZE).get_page(request.GET.get("page"))
    show_cccd = user.can(Capability.CHANGE_WORKFORCE)
    for worker in page.object_list:
        worker.cccd_display = worker.cccd if show_cccd else mask_cccd(worker.cccd)
    context = {
        "form": form,
        "page": page,
        "day": filters.get("active_on") or timezone.localdate(),
        "can_change": show_cccd,
        "can_manage_rules": user.can(Capability.MANAGE_STAFFING_RULES),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "web/workforce/worker_list.html#results", context)
    return render(request, "web/workforce/worker_list.html", context)


# ------------------------------------------------------------------------------------------------------------
# Worker page


def _get_worker(request, pk: int) -> Worker:
    try:
        return Worker.objects.for_user(request.user).select_related("ethnicity").get(pk=pk)
    except Worker.DoesNotExist:
        raise Http404(_("Không tìm thấy người làm công tác xã hội.")) from None


def _get_position(request, pk: int) -> Position:
    try:
        return Position.objects.for_user(request.user).select_related("worker", "organization").get(pk=pk)
    except Position.DoesNotExist:
        raise Http404(_("Không tìm thấy vị trí công tác.")) from None


@dataclass(frozen=True)
class BaseCheck:
    """Whether an allowance reaches the base salary in force from `day`."""

    day: dt.date
    base: BaseSalary | None
    meets: bool | None  # None: no base salary known on that day


@dataclass
class AllowanceRow:
    change: AllowanceChange
    start: dt.date
    end: dt.date | None
    checks: list[BaseCheck]
    corrections: int


def _base_on(bases: list[BaseSalary], day: dt.date) -> BaseSalary | None:
    found = None
    for base in bases:  # ascending by date; a handful of rows
        if base.effective_date <= day:
            found = base
    return found


def _check(bases: list[BaseSalary], day: dt.date, amount: int) -> BaseCheck:
    base = _base_on(bases, day)
    return BaseCheck(day, base, None if base is None else amount >= base.amount_vnd)


def allowance_rows(position: Position, bases: list[BaseSalary],
                   corrections: dict[int, int]) -> list[AllowanceRow]:
    """The position's allowances, newest first, each with its period and, for the day it took effect and each
    later change of the base salary within that period, whether it reached the base salary."""
    changes = sorted(position.allowances.all(), key=lambda c: c.effective_date)
    rows = []
    for index, change in enumerate(changes):
        following = changes[index + 1].effective_date if index + 1 < len(changes) else None
        end = following - dt.timedelta(days=1) if following else position.end_date
        checks = [_check(bases, change.effective_date, change.monthly_allowance_vnd)]
        checks += [
            _check(bases, base.effective_date, change.monthly_allowance_vnd)
            for base in bases
            if base.effective_date > change.effective_date and (end is None or base.effective_date <= end)
        ]
        rows.append(AllowanceRow(change, change.effective_date, end, checks, corrections.get(change.pk, 0)))
    return rows[::-1]


def _worker_history(worker: Worker, positions: list[Position], *, show_cccd: bool) -> list[HistoryEntry]:
    position_ids = [p.pk for p in positions]
    by_position = {p.pk: p for p in positions}

    def position_subject(record) -> str:
        organization = by_position[record.id].organization.name if record.id in by_position else ""
        return _("Vị trí tại %(org)s") % {"org": organization}

    def allowance_subject(record) -> str:
        position = by_position.get(record.position_id)
        return _("Phụ cấp từ %(day)s: %(amount)s (vị trí tại %(org)s)") % {
            "day": _short(record.effective_date), "amount": vnd(record.monthly_allowance_vnd),
            "org": position.organization.name if position else ""}

    worker_records = list(worker.history.select_related("history_user"))
    position_records = list(Position.history.filter(id__in=position_ids).select_related("history_user"))
    allowance_records = list(AllowanceChange.history.filter(position_id__in=position_ids)
                             .select_related("history_user"))
    return _newest(
        history_entries(worker_records, lambda r: _("Thông tin cá nhân"), show_cccd=show_cccd)
        + history_entries(position_records, position_subject)
        + history_entries(allowance_records, allowance_subject)
    )


@require_GET
@capability_required(Capability.VIEW_WORKFORCE)
def worker_detail(request, pk: int):
    user = request.user
    worker = _get_worker(request, pk)
    today = timezone.localdate()
    show_cccd = user.can(Capability.CHANGE_WORKFORCE)
    positions = list(
        Position.objects.for_user(user).filter(worker=worker).select_related("organization")
        .prefetch_related("allowances").order_by("-start_date", "pk")
    )
    bases = list(BaseSalary.objects.order_by("effective_date"))
    corrections = dict(
        AllowanceChange.history.filter(position_id__in=[p.pk for p in positions], history_type="~")
        .order_by().values("id").annotate(n=Count("history_id")).values_list("id", "n")
    )
    for position in positions:
        position.allowance_rows = allowance_rows(position, bases, corrections)
        position.active_today = position.is_active_on(today)
        position.today_check = None
        if position.active_today and position.allowance_rows:
            current = next((row for row in position.allowance_rows if row.start <= today), None)
            if current is not None:
                position.today_check = _check(bases, today, current.change.monthly_allowance_vnd)
        position.counts_for_staffing = (
            position.dedication in QUALIFYING_DEDICATIONS and position.today_check is not None
            and bool(position.today_check.meets))
    trainings = list(worker_trainings(worker).select_related("organization"))
    context = {
        "worker": worker,
        "cccd": worker.cccd if show_cccd else mask_cccd(worker.cccd),
        "positions": positions,
        "hidden_positions": Position.objects.filter(worker=worker).count() - len(positions),
        "trainings": trainings,
        "completed_trainings": sum(1 for a in trainings if a.completed),
        "history": _worker_history(worker, positions, show_cccd=show_cccd),
        "can_change": show_cccd,
        "today": today,
    }
    return render(request, "web/workforce/worker_detail.html", context)


# ------------------------------------------------------------------------------------------------------------
# Creating and editing workers


def _position_form(request, *, prefix: str | None = None, initial: dict | None = None) -> PositionForm:
    form = PositionForm(request.POST or None, user=request.user, prefix=prefix, initial=initial)
    target = form["organization"].auto_id
    form.fields["start_date"].widget.attrs.update({
        "hx-get": reverse("web:position_organization_options"),
        "hx-target": f"#{target}",
        "hx-include": f"[name='{form.add_prefix('organization')}']",
        "hx-trigger": "change",
    })
    return form


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def worker_create(request):
    """A new worker with, for a user whose scope is restricted, a first position (a worker without any
    position would be visible to administrators only)."""
    user = request.user
    _require(user, Capability.CHANGE_WORKFORCE)
    position_required = not scope_for(user).unrestricted
    initial = {}
    if position_required or request.GET.get("organization"):
        initial["start_date"] = timezone.localdate()
    if (request.GET.get("organization") or "").isdigit():
        initial["organization"] = int(request.GET["organization"])
    form = WorkerForm(request.POST or None)
    position_form = _position_form(request, prefix="vt", initial=initial)
    if request.method == "POST":
        with_position = position_required or not position_form.is_empty()
        valid = form.is_valid() & (position_form.is_valid() if with_position else True)
        if valid:
            stage = form
            try:
                with transaction.atomic():
                    worker = services.worker_create(**form.changes())
                    if with_position:
                        stage = position_form
                        services.position_create(worker=worker, **position_form.changes())
            except ValidationError as exc:
                add_service_errors(stage, exc)
            else:
                messages.success(request, _("Đã thêm người làm công tác xã hội “%(name)s”.") % {
                    "name": worker.full_name})
                return redirect("web:worker_detail", pk=worker.pk)
    return render(request, "web/workforce/worker_form.html", {
        "form": form, "position_form": position_form, "position_required": position_required, "worker": None,
    })


def _worker_conflict(form: WorkerForm, worker: Worker, version: int, *, show_cccd: bool) -> None:
    current = Worker.objects.get(pk=worker.pk)
    latest = _latest_record(current)
    seen = current.history.filter(version=version).order_by("-history_date", "-history_id").first()
    fields = [f for f in type(latest).tracked_fields if f.name not in HISTORY_SKIPPED]
    for line in _conflict_lines(what=_("hồ sơ này"), seen=seen, current=latest, fields=fields,
                                show_cccd=show_cccd):
        form.add_error(None, line)
    form.add_error(None, str(ASK_TO_SAVE_AGAIN))
    form.data = form.data.copy()
    form.data["version"] = current.version


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def worker_edit(request, pk: int):
    _require(request.user, Capability.CHANGE_WORKFORCE)
    worker = _get_worker(request, pk)
    form = WorkerForm(request.POST or None, instance=worker)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        try:
            worker = services.worker_update(worker=worker, version=version, data=form.changes())
        except services.ConcurrentEditError:
            _worker_conflict(form, worker, version, show_cccd=True)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu hồ sơ của “%(name)s”.") % {"name": worker.full_name})
            return redirect("web:worker_detail", pk=worker.pk)
    return render(request, "web/workforce/worker_form.html", {"form": form, "worker": worker})


# ------------------------------------------------------------------------------------------------------------
# Positions and allowances


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def position_create(request, pk: int):
    _require(request.user, Capability.CHANGE_WORKFORCE)
    worker = _get_worker(request, pk)
    form = _position_form(request, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            position = services.position_create(worker=worker, **form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm vị trí công tác tại “%(org)s”.") % {
                "org": position.organization.name})
            return redirect("web:worker_detail", pk=worker.pk)
    return render(request, "web/workforce/position_form.html", {"form": form, "worker": worker})


@require_GET
@capability_required(Capability.VIEW_WORKFORCE)
def position_organization_options(request):
    """The <option>s of the organization select for the start date in the form (HTMX, on a date change)."""
    day, selected = None, None
    for key, value in request.GET.items():
        if key.endswith("start_date"):
            day = parse_query_day(value)
        elif key.endswith("organization") and value.isdigit():
            selected = int(value)
    choices = organization_choices(user=request.user, day=day or timezone.localdate(), selected=selected)
    return render(request, "web/workforce/_organization_options.html",
                  {"choices": choices, "selected": str(selected or "")})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def position_end(request, pk: int):
    _require(request.user, Capability.CHANGE_WORKFORCE)
    position = _get_position(request, pk)
    form = PositionEndForm(request.POST or None, start_date=position.start_date,
                           initial={"seen": _latest_history_id(position), "end_date": position.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                locked = Position.objects.select_for_update().get(pk=position.pk)
                unchanged = _unchanged_since_read(form, locked, what=_("vị trí này"))
                if unchanged:
                    position = services.position_end(position=locked, end_date=form.cleaned_data["end_date"],
                                                     note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if unchanged:
                messages.success(request, _("Đã ghi nhận vị trí tại “%(org)s” kết thúc ngày %(day)s.") % {
                    "org": position.organization.name, "day": _short(position.end_date)})
                return redirect("web:worker_detail", pk=position.worker_id)
    return render(request, "web/workforce/position_end.html", {"form": form, "position": position})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def allowance_create(request, pk: int):
    """A change of allowance on a date: always a new row; the earlier amounts stay as they were."""
    _require(request.user, Capability.CHANGE_WORKFORCE)
    position = _get_position(request, pk)
    form = AllowanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.allowance_set(position=position, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận phụ cấp %(amount)s/tháng từ ngày %(day)s.") % {
                "amount": vnd(change.monthly_allowance_vnd), "day": _short(change.effective_date)})
            return redirect("web:worker_detail", pk=position.worker_id)
    allowances = list(position.allowances.order_by("-effective_date"))
    return render(request, "web/workforce/allowance_form.html",
                  {"form": form, "position": position, "allowances": allowances, "change": None})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def allowance_correct(request, pk: int):
    """Correct a mistyped amount (an explicit action; the wrong value stays in the history)."""
    _require(request.user, Capability.CHANGE_WORKFORCE)
    try:
        change = (AllowanceChange.objects.filter(position__in=Position.objects.for_user(request.user))
                  .select_related("position__worker", "position__organization").get(pk=pk))
    except AllowanceChange.DoesNotExist:
        raise Http404(_("Không tìm thấy mức phụ cấp.")) from None
    position = change.position
    form = AllowanceCorrectForm(request.POST or None, initial={
        "seen": _latest_history_id(change), "monthly_allowance_vnd": change.monthly_allowance_vnd})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                locked = AllowanceChange.objects.select_for_update().get(pk=change.pk)
                unchanged = _unchanged_since_read(form, locked, what=_("mức phụ cấp này"))
                if unchanged:
                    change = services.allowance_correct(
                        change=locked, monthly_allowance_vnd=form.cleaned_data["monthly_allowance_vnd"],
                        note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if unchanged:
                messages.success(request, _("Đã sửa mức phụ cấp từ ngày %(day)s thành %(amount)s.") % {
                    "day": _short(change.effective_date), "amount": vnd(change.monthly_allowance_vnd)})
                return redirect("web:worker_detail", pk=position.worker_id)
    history = history_entries(list(change.history.select_related("history_user")),
                              lambda r: _("Phụ cấp từ %(day)s") % {"day": _short(r.effective_date)})
    return render(request, "web/workforce/allowance_form.html", {
        "form": form, "position": position, "change": change, "history": _newest(history)})


# ------------------------------------------------------------------------------------------------------------
# Base salary table


def _base_salary_page(request, *, form: BaseSalaryForm | None, editing: BaseSalary | None = None):
    rows = list(BaseSalary.objects.order_by("-effective_date"))
    records = list(BaseSalary.history.select_related("history_user"))
    history = history_entries(records, lambda r: _("Mức áp dụng từ %(day)s: %(amount)s") % {
        "day": _short(r.effective_date), "amount": vnd(r.amount_vnd)})
    return render(request, "web/workforce/base_salary.html", {
        "rows": rows, "form": form, "editing": editing, "history": _newest(history),
        "today_base": _base_on(sorted(rows, key=lambda r: r.effective_date), timezone.localdate()),
        "can_manage": request.user.can(Capability.MANAGE_BASE_SALARY),
    })


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def base_salary(request):
    """Everyone with the workforce pages reads the table; an administrator adds a row."""
    can_manage = request.user.can(Capability.MANAGE_BASE_SALARY)
    if request.method == "POST":
        _require(request.user, Capability.MANAGE_BASE_SALARY)
    form = BaseSalaryForm(request.POST or None) if can_manage else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = BaseSalary.objects.filter(effective_date=data["effective_date"]).first()
        if existing is not None:
            form.add_error("effective_date", _(
                "Đã có mức lương cơ sở %(amount)s áp dụng từ ngày %(day)s. Để sửa mức đó, bấm “Sửa” ở dòng "
                "của nó trong bảng.") % {"amount": vnd(existing.amount_vnd),
                                         "day": _short(existing.effective_date)})
        else:
            try:
                row = services.base_salary_upsert(
                    effective_date=data["effective_date"], amount_vnd=data["amount_vnd"],
                    instrument=data["instrument"], note=data["note"], confirmed=data["confirmed"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã thêm mức lương cơ sở %(amount)s áp dụng từ ngày %(day)s.") % {
                    "amount": vnd(row.amount_vnd), "day": _short(row.effective_date)})
                return redirect("web:base_salary")
    return _base_salary_page(request, form=form)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def base_salary_edit(request, pk: int):
    """Correct a row of the base salary table (the date stays; the history keeps the old values)."""
    _require(request.user, Capability.MANAGE_BASE_SALARY)
    try:
        row = BaseSalary.objects.get(pk=pk)
    except BaseSalary.DoesNotExist:
        raise Http404(_("Không tìm thấy mức lương cơ sở.")) from None
    initial = {name: getattr(row, name) for name in ("effective_date", "amount_vnd", "instrument", "note",
                                                      "confirmed")} | {"seen": _latest_history_id(row)}
    form = BaseSalaryForm(request.POST or None, initial=initial)
    form.fields["effective_date"].disabled = True
    form.fields["effective_date"].help_text = _("Ngày áp dụng không sửa được; hãy thêm một mức mới nếu cần.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                locked = BaseSalary.objects.select_for_update().get(pk=row.pk)
                unchanged = _unchanged_since_read(form, locked, what=_("mức lương cơ sở này"))
                if unchanged:
                    row = services.base_salary_upsert(
                        effective_date=locked.effective_date, amount_vnd=data["amount_vnd"],
                        instrument=data["instrument"], note=data["note"], confirmed=data["confirmed"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if unchanged:
                messages.success(request, _("Đã sửa mức lương cơ sở áp dụng từ ngày %(day)s.") % {
                    "day": _short(row.effective_date)})
                return redirect("web:base_salary")
    return _base_salary_page(request, form=form, editing=row)


# ------------------------------------------------------------------------------------------------------------
# STAFFING rules


def _staffing_rules_page(request, *, form: StaffingRuleForm | None, editing: StaffingRule | None = None):
    phases = list(ProgrammePhase.objects.prefetch_related("staffing_rules"))
    kinds = [kind for kind in OrgKind.values if kind in IN_SCOPE_KINDS]
    for phase in phases:
        rules = {rule.org_kind: rule for rule in phase.staffing_rules.all()}
        phase.default_rule = rules.get("")
        default = phase.default_rule.required_positions if phase.default_rule else 1
        phase.kind_rows = [
            {"kind": kind, "label": OrgKind(kind).label, "rule": rules.get(kind),
             "required": rules[kind].required_positions if kind in rules else default}
            for kind in kinds
        ]
        phase.other_rules = [rule for kind, rule in rules.items() if kind and kind not in IN_SCOPE_KINDS]
    records = list(StaffingRule.history.select_related("history_user"))
    phase_names = {phase.pk: phase.name for phase in phases}

    def subject(record) -> str:
        kind = OrgKind(record.org_kind).label if record.org_kind else _("mặc định")
        return f"{phase_names.get(record.phase_id, '')} – {kind}"

    return render(request, "web/workforce/staffing_rules.html", {
        "phases": phases, "form": form, "editing": editing,
        "history": _newest(history_entries(records, subject)),
        "can_manage": request.user.can(Capability.MANAGE_STAFFING_RULES),
    })


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def staffing_rules(request):
    """N per phase and organization kind: read by everyone with the workforce pages, set by the programme
    manager."""
    can_manage = request.user.can(Capability.MANAGE_STAFFING_RULES)
    if request.method == "POST":
        _require(request.user, Capability.MANAGE_STAFFING_RULES)
    initial = {}
    if can_manage and request.method == "GET":
        phase = ProgrammePhase.objects.filter(code=request.GET.get("phase")).first()
        initial = {"phase": phase, "org_kind": request.GET.get("org_kind", "")} if phase else {}
    form = StaffingRuleForm(request.POST or None, initial=initial) if can_manage else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = StaffingRule.objects.filter(phase=data["phase"], org_kind=data["org_kind"]).first()
        if existing is not None:
            form.add_error("org_kind", _(
                "Đã có định mức %(n)s người cho %(phase)s và loại tổ chức này. Để sửa, bấm “Sửa” ở dòng "
                "của nó trong bảng.") % {"n": existing.required_positions, "phase": data["phase"].name})
        else:
            try:
                rule = services.staffing_rule_set(
                    phase=data["phase"], org_kind=data["org_kind"],
                    required_positions=data["required_positions"], note=data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu định mức: %(rule)s.") % {"rule": rule})
                return redirect("web:staffing_rules")
    return _staffing_rules_page(request, form=form)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.VIEW_WORKFORCE)
def staffing_rule_edit(request, pk: int):
    _require(request.user, Capability.MANAGE_STAFFING_RULES)
    try:
        rule = StaffingRule.objects.select_related("phase").get(pk=pk)
    except StaffingRule.DoesNotExist:
        raise Http404(_("Không tìm thấy định mức.")) from None
    form = StaffingRuleForm(request.POST or None, initial={
        "phase": rule.phase, "org_kind": rule.org_kind, "required_positions": rule.required_positions,
        "note": rule.note, "seen": _latest_history_id(rule)})
    form.fields["phase"].disabled = True
    form.fields["org_kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                locked = StaffingRule.objects.select_for_update().get(pk=rule.pk)
                unchanged = _unchanged_since_read(form, locked, what=_("định mức này"))
                if unchanged:
                    rule = services.staffing_rule_set(phase=locked.phase, org_kind=locked.org_kind,
                                                      required_positions=data["required_positions"],
                                                      note=data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if unchanged:
                messages.success(request, _("Đã lưu định mức: %(rule)s.") % {"rule": rule})
                return redirect("web:staffing_rules")
    return _staffing_rules_page(request, form=form, editing=rule)


# ------------------------------------------------------------------------------------------------------------
# The staff section of an organization's page


STAFF_SHOWN = 50


@dataclass
class StaffSection:
    organization: Organization
    day: dt.date
    today: dt.date
    fact: object | None  # ctxh.workforce.selectors.OrganizationStaffing
    error: str
    can_change: bool

    @property
    def positions(self) -> list:
        """The first people (a large facility has many; the worker list shows them all)."""
        return self.fact.positions[:STAFF_SHOWN] if self.fact else []

    @property
    def more(self) -> int:
        return max(len(self.fact.positions) - STAFF_SHOWN, 0) if self.fact else 0


def staff_section(*, user, organization: Organization, day: dt.date | None) -> StaffSection:
    """The organization's people on `day` (default today) and whether it counts for STAFFING then."""
    today = timezone.localdate()
    day = day or today
    fact, error = None, ""
    try:
        fact = staffing_for_org(organization, day)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return StaffSection(organization, day, today, fact, error, user.can(Capability.CHANGE_WORKFORCE))


def organization_staff_context(request, organization: Organization) -> dict:
    """For the organization page (ctxh.web.views.orgs): its staff section, for users who see the workforce."""
    if not request.user.can(Capability.VIEW_WORKFORCE):
        return {}
    day = parse_query_day(request.GET.get("staff_day"))
    return {"staff_section": staff_section(user=request.user, organization=organization, day=day)}


@require_GET
@capability_required(Capability.VIEW_WORKFORCE)
def organization_staff(request, pk: int):
    """The staff section alone, for another date (HTMX)."""
    if not request.user.can(Capability.VIEW_ORGS):
        raise PermissionDenied(_("Vai trò của bạn không có quyền xem trang này."))
    try:
        organization = Organization.objects.for_user(request.user).get(pk=pk)
    except Organization.DoesNotExist:
        raise Http404(_("Không tìm thấy tổ chức.")) from None
    return render(request, "web/workforce/_org_staff.html", organization_staff_context(request, organization))


urlpatterns = [
    path("", worker_list, name="worker_list"),
    path("them/", worker_create, name="worker_create"),
    path("<int:pk>/", worker_detail, name="worker_detail"),
    path("<int:pk>/sua/", worker_edit, name="worker_edit"),
    path("<int:pk>/vi-tri/them/", position_create, name="position_create"),
    path("vi-tri/to-chuc-theo-ngay/", position_organization_options, name="position_organization_options"),
    path("vi-tri/<int:pk>/ket-thuc/", position_end, name="position_end"),
    path("vi-tri/<int:pk>/phu-cap/them/", allowance_create, name="allowance_create"),
    path("phu-cap/<int:pk>/sua/", allowance_correct, name="allowance_correct"),
    path("luong-co-so/", base_salary, name="base_salary"),
    path("luong-co-so/<int:pk>/sua/", base_salary_edit, name="base_salary_edit"),
    path("dinh-muc/", staffing_rules, name="staffing_rules"),
    path("dinh-muc/<int:pk>/sua/", staffing_rule_edit, name="staffing_rule_edit"),
    path("to-chuc/<int:pk>/", organization_staff, name="organization_staff"),
]
