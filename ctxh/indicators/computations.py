"""STAFFING, TRAINING, COUNSELLED and CHILDREN for one unit and one period, from the domain selectors.

The numbers come from `ctxh.workforce.selectors.staffing` and `ctxh.training.selectors.training` (computed
in the database); this module only chooses the day or the dates, attaches the programme's target, and shapes
the answer (`IndicatorResult`). The target is the one in force of the programme of the unit's province
(`ctxh.indicators.targets`: Plan 154 for Tuyên Quang), read from the database.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from ctxh.cases.indicators import (
    ChildrenResult,
    address_units,
    child_groups,
    children_served,
    counselled,
    counselled_by_year,
    counselling_services,
)
from ctxh.cases.models import Person, PersonAddress
from ctxh.core.reference import Sex
from ctxh.geo.models import Level, Unit
from ctxh.indicators.models import Comparison, Target
from ctxh.indicators.periods import Period, PeriodKind, day_period, parse_period
from ctxh.indicators.results import (
    ActionableList,
    Breakdown,
    BreakdownRow,
    Column,
    ColumnKind,
    IndicatorResult,
    Status,
    TargetInfo,
    UnitRef,
)
from ctxh.indicators.targets import (
    applies_to_unit,
    is_met,
    programme_for_unit,
    required_value,
    target_in_force,
    target_label,
)
from ctxh.orgs.models import Organization, OrgKind
from ctxh.training.selectors import counted_attendance_facts, named_attendance_facts, training
from ctxh.workforce.models import ProgrammePhase
from ctxh.workforce.selectors import resolve_unit_ids, staffing


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def phase_containing(start: dt.date, end: dt.date) -> ProgrammePhase | None:
    """The programme phase that contains the whole of [start, end], if any."""
    phases = ProgrammePhase.objects.filter(start_date__lte=start, end_date__gte=end)
    return phases.order_by("start_date").first()


def check_unit_in_period(unit: Unit, period: Period) -> None:
    """A unit that ended before the period began has no figures for it."""
    if unit.valid_to is not None and unit.valid_to < period.start:
        raise ValidationError(
            _("%(unit)s đã chấm dứt từ ngày %(day)s, trước kỳ %(period)s: hãy chọn đơn vị kế thừa.")
            % {"unit": unit.name, "day": _dmy(unit.valid_to), "period": period.label},
            code="unit_ended",
        )


def stock_day(unit: Unit, period: Period, today: dt.date) -> dt.date:
    """The day a stock indicator is taken on: the period's last day, but not after today nor after the unit's
    last day."""
    check_unit_in_period(unit, period)
    if period.start > today:
        raise ValidationError(
            _("Kỳ %(period)s chưa bắt đầu (hôm nay là %(today)s): chưa có số liệu.")
            % {"period": period.label, "today": _dmy(today)},
            code="period_in_future",
        )
    day = min(period.end, today)
    if unit.valid_to is not None and day > unit.valid_to:
        day = unit.valid_to
    return day


def target_of(unit: Unit, code: str, period: Period, *, any_unit: bool = False) -> Target | None:
    """The target in force for `period` of the programme of the unit's province: one that applies to the
    unit, or with `any_unit` whichever units it applies to (see `applies_to_unit`)."""
    return target_in_force(programme_for_unit(unit), code, period, unit=None if any_unit else unit)


def _status(met: bool, deadline: dt.date, as_of: dt.date) -> str:
    if met:
        return Status.ACHIEVED
    return Status.NOT_ACHIEVED if as_of >= deadline else Status.IN_PROGRESS


def _target(target: Target | None, value, *, as_of: dt.date,
            progress_value=None) -> tuple[TargetInfo | None, float | None, str]:
    """The target, the share of it reached, and the status on `as_of`."""
    if value is None:
        info = None
        if target is not None:
            info = TargetInfo(target.phase_code, float(target.value), target.comparison, target_label(target),
                              target.deadline, None)
        return info, None, Status.NO_DATA
    if target is None:
        return None, None, Status.NO_TARGET
    reached = value if progress_value is None else progress_value
    met = bool(is_met(target, reached))
    info = TargetInfo(target.phase_code, float(target.value), target.comparison, target_label(target),
                      target.deadline, met)
    progress = float(reached) / float(target.value) if target.value else None
    return info, progress, _status(met, target.deadline, as_of)


def _restatement_note(unit: Unit, period: Period) -> list[str]:
    if unit.valid_from is not None and period.start < unit.valid_from:
        return [_("Trước ngày %(day)s, %(unit)s chưa được thành lập: số liệu tính theo các đơn vị cũ đã sáp "
                  "nhập vào.") % {"day": _dmy(unit.valid_from), "unit": unit.name}]
    return []


# ----------------------------------------------------------------------------------------------- STAFFING


STAFFING_COLUMNS = [
    Column("code", _("Mã tổ chức")),
    Column("name", _("Tên tổ chức"), url_name="web:org_detail", link_key="organization_id"),
    Column("kind_label", _("Loại tổ chức")),
    Column("unit_name", _("Đơn vị hành chính")),
    Column("qualifying_count", _("Số người đạt yêu cầu"), ColumnKind.INTEGER),
    Column("required", _("Số người tối thiểu"), ColumnKind.INTEGER),
    Column("best_allowance_vnd", _("Phụ cấp cao nhất (đồng/tháng)"), ColumnKind.MONEY),
    Column("last_end_date", _("Ngày kết thúc vị trí gần nhất"), ColumnKind.DATE),
    Column("reason", _("Lý do chưa đạt")),
]


def compute_staffing(unit: Unit, period: Period, *, user=None, today: dt.date) -> IndicatorResult:
    """STAFFING on the period's last day (see `stock_day`)."""
    day = stock_day(unit, period, today)
    result = staffing(unit, day)
    phase = result.phase
    value = result.value
    target, progress, status = _target(target_of(unit, "STAFFING", day_period(day)), value, as_of=day)
    notes = []
    if day != period.end:
        if unit.valid_to is not None and day == unit.valid_to:
            notes.append(_("%(unit)s chấm dứt ngày %(day)s: giá trị tại ngày đó.")
                         % {"unit": unit.name, "day": _dmy(day)})
        else:
            notes.append(_("Kỳ chưa kết thúc: giá trị tại hôm nay, %(day)s.") % {"day": _dmy(day)})
    notes += _restatement_note(unit, period)

    def ratio_rows(rows) -> list[BreakdownRow]:
        return [BreakdownRow(row.key, row.label, row.value, row.numerator, row.denominator) for row in rows]

    def actionable() -> ActionableList:
        gaps = result.non_qualifying
        hidden = 0
        if user is not None:
            visible = gaps.filter(pk__in=Organization.objects.for_user(user).values("pk"))
            hidden = gaps.count() - visible.count()
            gaps = visible
        described = result.describe(gaps)
        names = dict(Unit.objects.filter(pk__in={g.organization.location_unit_id for g in described})
                     .values_list("pk", "name"))
        rows = [
            {
                "organization_id": g.organization.pk,
                "code": g.organization.code,
                "name": g.organization.name,
                "kind": g.organization.kind,
                "kind_label": str(OrgKind(g.organization.kind).label),
                "unit_name": names.get(g.organization.location_unit_id, ""),
                "gap": g.gap,
                "qualifying_count": g.qualifying_count,
                "required": g.required,
                "best_allowance_vnd": g.best_allowance_vnd,
                "last_end_date": g.last_end_date,
                "reason": str(g.reason),
            }
            for g in described
        ]
        note = ""
        if hidden:
            note = _("%(n)s tổ chức chưa đạt nằm ngoài phạm vi của bạn, không được liệt kê.") % {"n": hidden}
        return ActionableList(_("Tổ chức chưa đạt yêu cầu"), STAFFING_COLUMNS, rows, hidden, note)

    return IndicatorResult(
        code="STAFFING", name="", kind="", value_kind="ratio", unit=UnitRef.of(unit), period=period, day=day,
        value=value, numerator=result.numerator, denominator=result.denominator, target=target,
        progress=progress, status=status,
        breakdowns=[
            Breakdown("kind", _("Theo loại tổ chức"), "ratio", ratio_rows(result.by_kind)),
            Breakdown("commune", _("Theo xã, phường (nơi đặt trụ sở vào ngày %(day)s)") % {"day": _dmy(day)},
                      "ratio", ratio_rows(result.by_commune)),
        ],
        details={"base_salary_vnd": result.base_salary_vnd, "phase": phase.code if phase else None},
        notes=notes,
        actionable_source=actionable,
    )


# ----------------------------------------------------------------------------------------------- TRAINING


TRAINING_COLUMNS = [
    Column("unit_code", _("Mã đơn vị")),
    Column("unit_name", _("Đơn vị hành chính")),
    Column("named", _("Lượt người có danh sách"), ColumnKind.INTEGER),
    Column("counted", _("Lượt người theo số lượng"), ColumnKind.INTEGER),
    Column("total", _("Tổng số lượt người"), ColumnKind.INTEGER),
]


def training_by_unit(unit: Unit, start: dt.date, end: dt.date, *, user=None) -> ActionableList:
    """Person-times per administrative unit (where the participant's organization was, on the session's
    first day), with every commune of the subtree that existed in the period, including those with none."""
    unit_ids = resolve_unit_ids(unit)
    named = dict(
        named_attendance_facts(start, end).filter(unit_id__in=unit_ids).order_by().values("unit_id")
        .annotate(n=Count("pk")).values_list("unit_id", "n")
    )
    counted = dict(
        counted_attendance_facts(start, end).filter(unit_id__in=unit_ids).order_by().values("unit_id")
        .annotate(n=Sum("count")).values_list("unit_id", "n")
    )
    communes = Unit.objects.filter(pk__in=unit_ids, level=Level.COMMUNE).overlapping(start, end)
    listed = Unit.objects.filter(pk__in={*named, *counted}) | communes
    if user is not None:
        listed = listed & Unit.objects.for_user(user)
    rows = []
    for pk, code, name, valid_to in listed.distinct().values_list("pk", "code", "name", "valid_to"):
        label = name
        if valid_to is not None:
            label = _("%(name)s (đến %(day)s)") % {"name": name, "day": _dmy(valid_to)}
        n, c = named.get(pk, 0), counted.get(pk, 0) or 0
        rows.append({"unit_id": pk, "unit_code": code, "unit_name": label, "named": n, "counted": c,
                     "total": n + c})
    rows.sort(key=lambda row: (row["total"], row["unit_name"]))
    return ActionableList(
        _("Số lượt người theo xã, phường"), TRAINING_COLUMNS, rows,
        note=_("Xếp từ ít đến nhiều: các xã, phường chưa có lượt đào tạo nào đứng đầu danh sách."),
    )


def compute_training(unit: Unit, period: Period, *, user=None, today: dt.date) -> IndicatorResult:
    """TRAINING: completed person-times of sessions starting in the period.

    The target is the phase's (cumulative over the phase) and applies to a province: for a period inside a
    phase, progress is the cumulative from the phase's first day to the period's last day.
    """
    check_unit_in_period(unit, period)
    result = training(unit, start=period.start, end=period.end)
    phase = phase_containing(period.start, period.end)
    notes = _restatement_note(unit, period)
    target = target_of(unit, "TRAINING", period, any_unit=True)
    # Progress is cumulated from the first day the target counts (the phase's first day).
    start = (target.start_date if target is not None else phase.start_date if phase is not None
             else period.start)
    cumulative = result
    if period.start != start:
        cumulative = training(unit, start=start, end=period.end)
    if target is not None and not applies_to_unit(target, unit):
        target = None
        if unit.level != Level.PROVINCE:
            notes.append(_("Chỉ tiêu số lượt người được đào tạo áp dụng cho toàn tỉnh, không phân bổ cho "
                           "từng xã."))
    as_of = min(period.end, today)
    target_info, progress, status = _target(target, result.total, as_of=as_of,
                                            progress_value=cumulative.total)
    if target_info is not None and cumulative is not result:
        notes.append(_("Tiến độ so với chỉ tiêu tính lũy kế từ %(start)s đến %(end)s: %(n)s lượt người.")
                     % {"start": _dmy(start), "end": _dmy(period.end),
                        "n": f"{cumulative.total:,}".replace(",", ".")})
    if result.unattributed:
        notes.append(_("%(n)s lượt người của các khóa do đơn vị tổ chức chưa xác định được nơi công tác của "
                       "học viên, chưa được tính.") % {"n": result.unattributed})

    def count_rows(rows) -> list[BreakdownRow]:
        return [BreakdownRow(row.key, row.label, row.count) for row in rows]

    years = [BreakdownRow(row.year, str(row.year), row.count, cumulative=row.cumulative)
             for row in cumulative.by_year]
    year_note = ""
    if phase is not None:
        year_note = _("Lũy kế từ đầu giai đoạn %(start)s-%(end)s.") % {
            "start": phase.start_date.year, "end": phase.end_date.year}
    return IndicatorResult(
        code="TRAINING", name="", kind="", value_kind="count", unit=UnitRef.of(unit), period=period, day=None,
        value=result.total, numerator=None, denominator=None, target=target_info, progress=progress,
        status=status,
        breakdowns=[
            Breakdown("sex", _("Theo giới tính"), "count", count_rows(result.by_sex)),
            Breakdown("kind", _("Theo loại tổ chức"), "count", count_rows(result.by_kind)),
            Breakdown("topic", _("Theo chủ đề"), "count", count_rows(result.by_topic),
                      note=_("Một khóa có nhiều chủ đề được tính ở từng chủ đề.")),
            Breakdown("year", _("Theo năm"), "count", years, note=year_note),
        ],
        details={"named": result.named, "counted": result.counted, "unattributed": result.unattributed,
                 "phase": phase.code if phase else None,
                 "phase_cumulative": cumulative.total if phase is not None else None},
        notes=notes,
        actionable_source=lambda: training_by_unit(unit, period.start, period.end, user=user),
    )


# ----------------------------------------------------------------------------------------------- COUNSELLED


COUNSELLED_COLUMNS = [
    Column("unit_code", _("Mã đơn vị")),
    Column("unit_name", _("Đơn vị hành chính")),
    Column("count", _("Số người được tư vấn, hỗ trợ"), ColumnKind.INTEGER),
]


def counselled_by_unit(unit: Unit, start: dt.date, end: dt.date, *, user=None) -> ActionableList:
    """Distinct people per administrative unit (their address on the service's date), with every commune of
    the subtree that existed in the period, fewest first. A person who moved counts in both units."""
    unit_ids = resolve_unit_ids(unit)
    address = (PersonAddress.objects.as_of(OuterRef("delivered_on"))
               .filter(person=OuterRef("person_id"), unit_id__in=unit_ids)
               .order_by(F("valid_from").desc(nulls_last=True)).values("unit_id")[:1])
    counts = dict(
        counselling_services(start, end, unit_ids).annotate(unit_id=Subquery(address)).order_by()
        .values("unit_id").annotate(n=Count("person_id", distinct=True)).values_list("unit_id", "n")
    )
    communes = Unit.objects.filter(pk__in=unit_ids, level=Level.COMMUNE).overlapping(start, end)
    listed = Unit.objects.filter(pk__in=set(counts)) | communes
    if user is not None:
        listed = listed & Unit.objects.for_user(user)
    rows = []
    for pk, code, name, valid_to in listed.distinct().values_list("pk", "code", "name", "valid_to"):
        label = name
        if valid_to is not None:
            label = _("%(name)s (đến %(day)s)") % {"name": name, "day": _dmy(valid_to)}
        rows.append({"unit_id": pk, "unit_code": code, "unit_name": label, "count": counts.get(pk, 0)})
    rows.sort(key=lambda row: (row["count"], str(row["unit_name"])))
    return ActionableList(
        _("Số người được tư vấn, hỗ trợ theo xã, phường"), COUNSELLED_COLUMNS, rows,
        note=_("Xếp từ ít đến nhiều: các xã, phường chưa có ai được tư vấn, hỗ trợ đứng đầu danh sách. Một "
               "người chuyển nơi ở trong kỳ được tính ở cả hai nơi."),
    )


def counselled_growth_target(unit: Unit, period: Period) -> tuple[ProgrammePhase | None, int | None]:
    """The phase whose growth target applies to the period (a calendar year inside a phase), and its base
    year (the year before the phase: 2020 for phase 1, 2025 for phase 2)."""
    if period.kind != PeriodKind.YEAR:
        return None, None
    phase = phase_containing(period.start, period.end)
    if phase is None:
        return None, None
    return phase, phase.start_date.year - 1


def compute_counselled(unit: Unit, period: Period, *, user=None, today: dt.date) -> IndicatorResult:
    """COUNSELLED: distinct disadvantaged people counselled or supported in the period (see
    ctxh.cases.indicators). The target is a growth on the base year, for a year inside a phase: 2025 at least
    +20 % on 2020, 2030 at least +30 % on 2025."""
    check_unit_in_period(unit, period)
    if period.start > today:
        raise ValidationError(
            _("Kỳ %(period)s chưa bắt đầu (hôm nay là %(today)s): chưa có số liệu.")
            % {"period": period.label, "today": _dmy(today)},
            code="period_in_future",
        )
    result = counselled(unit, period.start, period.end)
    notes = _restatement_note(unit, period)
    phase, base_year = counselled_growth_target(unit, period)
    # The target compares one year with its base year: none for a phase or six months.
    target = target_of(unit, "COUNSELLED", period) if period.kind == PeriodKind.YEAR else None
    if target is not None and target.baseline_period_code:
        base_year = parse_period(target.baseline_period_code).start.year
    first_year = base_year if base_year is not None else period.start.year
    years = counselled_by_year(unit, first_year, period.end.year)
    details = {"phase": phase.code if phase else None, "base_year": base_year,
               "base_value": years.get(base_year) if base_year else None, "growth": None,
               "target_count": None}
    target_info, progress, status = None, None, Status.NO_TARGET
    if target is not None and target.comparison != Comparison.GROWTH_AT_LEAST:
        target_info, progress, status = _target(target, result.total, as_of=min(period.end, today))
    elif target is not None:
        base_value = years[base_year]
        if not base_value:
            notes.append(_("Năm gốc %(year)s chưa có người nào được tư vấn, hỗ trợ: chưa so sánh được mức "
                           "tăng.") % {"year": base_year})
        else:
            growth = (result.total - base_value) / base_value
            needed = float(required_value(target, base_value))
            met = bool(is_met(target, result.total, baseline=base_value))
            label = _("%(target)s: ít nhất %(n)s người (năm %(year)s: %(base)s người)") % {
                "target": target_label(target), "n": _int(needed), "year": base_year,
                "base": _int(base_value)}
            target_info = TargetInfo(target.phase_code, needed, ">=", str(label), target.deadline, met)
            progress = result.total / needed
            status = _status(met, target.deadline, min(period.end, today))
            details.update(growth=round(growth, 4), target_count=needed)
            notes.append(_("So với năm %(year)s (%(base)s người): %(sign)s%(growth)s %%.") % {
                "year": base_year, "base": _int(base_value), "sign": "+" if growth >= 0 else "",
                "growth": f"{growth * 100:.1f}".replace(".", ",")})
    elif period.kind != PeriodKind.YEAR:
        notes.append(_("Chỉ tiêu so sánh số người của một năm với năm gốc: hãy chọn một năm để xem mức "
                       "tăng."))
    if result.total == 0 and status == Status.NO_TARGET:
        status = Status.NO_DATA if not any(years.values()) else status

    def count_rows(rows) -> list[BreakdownRow]:
        return [BreakdownRow(row.key, row.label, row.count) for row in rows]

    year_rows = [BreakdownRow(year, str(year), n) for year, n in sorted(years.items())]
    return IndicatorResult(
        code="COUNSELLED", name="", kind="", value_kind="count", unit=UnitRef.of(unit), period=period,
        day=None,
        value=result.total, numerator=None, denominator=None, target=target_info, progress=progress,
        status=status,
        breakdowns=[
            Breakdown("group", _("Theo nhóm đối tượng"), "count", count_rows(result.by_group),
                      note=_("Một người thuộc nhiều nhóm được tính ở từng nhóm.")),
            Breakdown("sex", _("Theo giới tính"), "count", count_rows(result.by_sex)),
            Breakdown("age", _("Theo độ tuổi (tại ngày cuối kỳ)"), "count", count_rows(result.by_age)),
            Breakdown("ethnicity", _("Theo dân tộc"), "count", count_rows(result.by_ethnicity)),
            Breakdown("by_year", _("Theo năm"), "count", year_rows,
                      note=_("Số người không trùng trong từng năm, từ năm gốc.") if base_year else ""),
        ],
        details=details,
        notes=notes,
        actionable_source=lambda: counselled_by_unit(unit, period.start, period.end, user=user),
    )


def _int(value) -> str:
    return f"{round(value):,}".replace(",", ".")


# ----------------------------------------------------------------------------------------------- CHILDREN


CHILDREN_COLUMNS = [
    Column("full_name", _("Họ và tên")),
    Column("sex_label", _("Giới tính")),
    Column("birth", _("Ngày sinh")),
    Column("groups", _("Nhóm trẻ em")),
    Column("unit_name", _("Nơi ở")),
    Column("missing", _("Còn thiếu")),
]


def children_not_served(result: ChildrenResult, *, user=None) -> ActionableList:
    """The children of the denominator not yet served, with what they lack (only those the user may see)."""
    children = result.not_served()
    hidden = 0
    if user is not None:
        visible = children.filter(pk__in=Person.objects.for_user(user).values("pk"))
        hidden = result.denominator - result.numerator - visible.count()
        children = visible
    children = list(children.order_by("search_name", "pk"))
    groups = child_groups([c.pk for c in children], result.day)
    units = address_units([c.pk for c in children], result.day)
    sexes = dict(Sex.choices)
    rows = []
    for child in children:
        missing = []
        if not child.has_assistance:
            missing.append(str(_("trợ giúp xã hội")))
        if not child.has_social_work:
            missing.append(str(_("dịch vụ công tác xã hội từ nguồn xã hội hóa")))
        unit = units.get(child.pk)
        rows.append({
            "person_id": child.pk, "full_name": child.full_name, "sex": child.sex,
            "sex_label": str(sexes.get(child.sex, child.sex)),
            "birth": _dmy(child.date_of_birth) if child.date_of_birth else str(child.birth_year or ""),
            "groups": "; ".join(groups.get(child.pk, [])), "unit_name": unit.name if unit else "",
            "missing": "; ".join(missing),
        })
    note = ""
    if hidden:
        note = (_("%(n)s trẻ em chưa được trợ giúp nằm ngoài phạm vi của bạn, không được liệt kê.")
                % {"n": hidden})
    return ActionableList(_("Trẻ em chưa được trợ giúp đủ"), CHILDREN_COLUMNS, rows, hidden, note)


def compute_children(unit: Unit, period: Period, *, user=None, today: dt.date) -> IndicatorResult:
    """CHILDREN: the children counted on the period's last day (see `stock_day`), served within the period."""
    day = stock_day(unit, period, today)
    result = children_served(unit, period.start, day)
    phase = phase_containing(day, day)
    value = result.value
    target_info, progress, status = _target(target_of(unit, "CHILDREN", day_period(day)), value, as_of=day)
    notes = []
    if day != period.end:
        notes.append(_("Trẻ em tính tại ngày %(day)s; dịch vụ từ %(start)s đến ngày đó.")
                     % {"day": _dmy(day), "start": _dmy(period.start)})
    notes += _restatement_note(unit, period)

    def ratio_rows(rows) -> list[BreakdownRow]:
        return [BreakdownRow(row.key, row.label, row.value, row.numerator, row.denominator) for row in rows]

    return IndicatorResult(
        code="CHILDREN", name="", kind="", value_kind="ratio", unit=UnitRef.of(unit), period=period, day=day,
        value=value, numerator=result.numerator, denominator=result.denominator, target=target_info,
        progress=progress, status=status,
        breakdowns=[
            Breakdown("group", _("Theo nhóm trẻ em của Kế hoạch"), "ratio", ratio_rows(result.by_group),
                      note=_("Một trẻ thuộc nhiều nhóm được tính ở từng nhóm.")),
            Breakdown("sex", _("Theo giới tính"), "ratio", ratio_rows(result.by_sex)),
        ],
        details={"phase": phase.code if phase else None, "not_served": result.denominator - result.numerator},
        notes=notes,
        actionable_source=lambda: children_not_served(result, user=user),
    )
