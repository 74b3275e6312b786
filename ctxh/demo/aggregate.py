"""Demo aggregate reports (`load_demo`): a handful of communes that keep no records report numbers.

The story (seeded by the province, so every run is the same):
- Five new communes of the real Tuyên Quang (`NUMBERS_ONLY_CODES`: Tát Ngà and Niêm Sơn in the former Mèo Vạc
  district, Ngọc Long in the former Yên Minh district, Thượng Nông in Na Hang, Thượng Lâm in Lâm Bình) and the
  old communes that mainly continue in them keep no records: ctxh/demo/cases.py leaves them out
  (`keeps_no_records`). Instead they report numbers, DHIS2-style: the old communes the six-monthly reports
  2020S1-2025S1 and the yearly reports 2020-2024 (2020 is the base year of COUNSELLED's growth target), the
  new communes 2025S2, 2026S1 and the year 2025.
- The numbers follow the same trend as the records of the other communes: people counselled or supported
  grow like `GROWTH` (COVID-19 in 2021, about +25 % in 2025 on 2020), children of the plan's groups served
  like `CHILDREN_SERVED`, facilities providing social work services like `FACILITIES_SHARE`. A year counts
  about 85 % of the two halves (people supported in both halves count once). Every form passes the data
  sets' validation rules (checked before anything is written).
- Reports are completed 2 to 13 days after the period ends, about one in six late (16 to 28 days), and one is
  missing: the last commune's 2026S1 (nothing entered, not completed).

Idempotent: when the communes have reported values already, nothing is written. Bulk inserts with an audit
row per value (source "load_demo").
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.demo.builder import BuildStats, DemoDataError
from ctxh.demo.geography import LAST_OLD_DAY, REORG_DAY, Geography
from ctxh.demo.orgs import rng_for
from ctxh.geo.models import Unit
from ctxh.indicators.aggregate import rules as rule_engine
from ctxh.indicators.aggregate.selectors import data_set_elements
from ctxh.indicators.models import (
    CompleteDataSetRegistration,
    DataSet,
    DataValue,
    DataValueAudit,
)
from ctxh.indicators.periods import Period, six_months_period, year_period

# New communes (codes valid from 01/07/2025) that report numbers instead of keeping records.
NUMBERS_ONLY_CODES = ("00808", "00817", "00859", "02239", "02269")
# The base year of COUNSELLED's growth target is reported too, so that the growth compares like with like.
FIRST_YEAR = 2020
GROWTH = {2020: 1.0, 2021: 0.96, 2022: 1.04, 2023: 1.10, 2024: 1.17, 2025: 1.25, 2026: 1.20}
CHILDREN_SERVED = {2020: 0.45, 2021: 0.50, 2022: 0.58, 2023: 0.66, 2024: 0.74, 2025: 0.81, 2026: 0.84}
FACILITIES_SHARE = {2020: 0.25, 2021: 0.30, 2022: 0.38, 2023: 0.46, 2024: 0.55, 2025: 0.64, 2026: 0.70}
YEAR_SHARE = 0.85  # distinct people of a year / people of its two halves
LATE_SHARE = 1 / 6
SOURCE = "load_demo"

Cells = dict[tuple[str, str], int]


@dataclass
class Selection:
    """The new communes that report numbers, and the old communes that mainly continue in them."""

    new: list[Unit] = field(default_factory=list)
    old_by_new: dict[int, list[Unit]] = field(default_factory=dict)

    @property
    def old(self) -> list[Unit]:
        return [unit for units in self.old_by_new.values() for unit in units]


def numbers_only(geo: Geography, codes: tuple[str, ...] | None = None) -> Selection:
    codes = NUMBERS_ONLY_CODES if codes is None else codes
    new = [unit for unit in geo.communes if unit.code in codes]
    ids = {unit.pk for unit in new}
    old_by_new: dict[int, list[Unit]] = defaultdict(list)
    for province in geo.old_provinces:
        for commune in province.communes:
            choice = geo.main_successor(commune)
            if choice is not None and choice.unit.pk in ids:
                old_by_new[choice.unit.pk].append(commune)
    return Selection(new, dict(old_by_new))


def keeps_no_records(geo: Geography) -> set[int]:
    """The old communes whose people ctxh/demo/cases.py leaves out: they report numbers only."""
    return {unit.pk for unit in numbers_only(geo).old}


# --- the plan (pure Python) ---


@dataclass
class Form:
    data_set: DataSet
    unit: Unit
    period: Period
    values: Cells
    completed_at: dt.datetime | None


def _split(total: int, share: float) -> tuple[int, int]:
    """(male, female) of a total, `share` of it female."""
    female = round(total * share)
    return total - female, female


def half_values(rng: random.Random, base: int, children: int, facilities: int, year: int) -> Cells:
    people = max(1, round(base * GROWTH[year] * rng.uniform(0.9, 1.1)))
    male, female = _split(people, rng.uniform(0.47, 0.57))
    young = round(people * rng.uniform(0.25, 0.35))
    young_male, young_female = _split(young, female / people)
    young_male, young_female = min(young_male, male), min(young_female, female)
    special = round(young * 0.45)
    plan154 = round(young * 0.35)
    protection = round(people * rng.uniform(0.45, 0.55))
    other = max(people - special - plan154 - protection + round(people * 0.1), round(people * 0.15))
    in_groups = max(1, round(children * rng.uniform(0.9, 1.1)))
    group_male, group_female = _split(in_groups, rng.uniform(0.45, 0.55))
    served_share = CHILDREN_SERVED[year] * rng.uniform(0.9, 1.05)
    providing = min(facilities, max(0, round(facilities * FACILITIES_SHARE[year] + rng.uniform(-0.5, 0.5))))
    return {
        ("COUNSELLED_PEOPLE", "MALE"): male, ("COUNSELLED_PEOPLE", "FEMALE"): female,
        ("COUNSELLED_CHILDREN", "MALE"): young_male, ("COUNSELLED_CHILDREN", "FEMALE"): young_female,
        ("COUNSELLED_BY_GROUP", "GROUP_CHILD_SPECIAL"): special,
        ("COUNSELLED_BY_GROUP", "GROUP_PLAN154_CHILD"): plan154,
        ("COUNSELLED_BY_GROUP", "GROUP_SOCIAL_PROTECTION"): protection,
        ("COUNSELLED_BY_GROUP", "GROUP_OTHER"): other,
        ("CHILDREN_IN_GROUPS", "MALE"): group_male, ("CHILDREN_IN_GROUPS", "FEMALE"): group_female,
        ("CHILDREN_SERVED", "MALE"): min(group_male, round(group_male * served_share)),
        ("CHILDREN_SERVED", "FEMALE"): min(group_female, round(group_female * served_share)),
        ("FACILITIES_TOTAL", "default"): facilities, ("FACILITIES_PROVIDING", "default"): providing,
    }


def year_values(first: Cells, second: Cells) -> Cells:
    """A year from its halves: flows count people of both halves once (about 85 %); stocks (children in the
    groups, facilities) are taken at the year's end; children served in the year at least those of a half."""
    flows = ("COUNSELLED_PEOPLE", "COUNSELLED_CHILDREN", "COUNSELLED_BY_GROUP")
    values = {}
    for cell, second_value in second.items():
        if cell[0] in flows:
            values[cell] = round(YEAR_SHARE * (first.get(cell, 0) + second_value))
        else:
            values[cell] = second_value
    for option in ("MALE", "FEMALE"):
        cell = ("CHILDREN_SERVED", option)
        served = max(first.get(cell, 0), second[cell]) + round(0.1 * min(first.get(cell, 0), second[cell]))
        values[cell] = min(served, values[("CHILDREN_IN_GROUPS", option)])
        children = ("COUNSELLED_CHILDREN", option)
        values[children] = min(values[children], values[("COUNSELLED_PEOPLE", option)])
    return values


def _sum(forms: list[Cells]) -> Cells:
    total: Cells = defaultdict(int)
    for values in forms:
        for cell, value in values.items():
            total[cell] += value
    return dict(total)


def _completed(rng: random.Random, data_set: DataSet, period: Period) -> dt.datetime:
    late = rng.random() < LATE_SHARE
    days = rng.randint(data_set.timely_days + 1, data_set.expiry_days - 2) if late else rng.randint(2, 13)
    day = period.end + dt.timedelta(days=days)
    moment = dt.time(rng.randint(8, 16), rng.choice((0, 15, 30, 45)))
    return timezone.make_aware(dt.datetime.combine(day, moment))


def plan_forms(geo: Geography, selection: Selection, six_months: DataSet, year: DataSet,
               today: dt.date) -> list[Form]:
    rng = rng_for(geo, "aggregate")
    forms: list[Form] = []
    last_new = selection.new[-1] if selection.new else None
    for new in selection.new:
        olds = sorted(selection.old_by_new.get(new.pk, []), key=lambda unit: unit.code)
        sizes = {old.pk: (rng.randint(14, 34), rng.randint(5, 12), rng.randint(4, 8)) for old in olds}
        halves_2025s1 = []
        for old in olds:
            base, children, facilities = sizes[old.pk]
            halves: dict[str, Cells] = {}
            for number in range(FIRST_YEAR, REORG_DAY.year + 1):
                for half in (1, 2):
                    period = six_months_period(number, half)
                    if period.end > LAST_OLD_DAY:
                        continue
                    halves[period.code] = half_values(rng, base, children, facilities, number)
                    forms.append(Form(six_months, old, period, halves[period.code],
                                      _completed(rng, six_months, period)))
                if number < REORG_DAY.year:
                    period = year_period(number)
                    values = year_values(halves[f"{number}S1"], halves[f"{number}S2"])
                    forms.append(Form(year, old, period, values, _completed(rng, year, period)))
            halves_2025s1.append(halves[f"{REORG_DAY.year}S1"])
        base = sum(size[0] for size in sizes.values())
        children = sum(size[1] for size in sizes.values())
        facilities = sum(size[2] for size in sizes.values())
        if not olds:
            base, children, facilities = rng.randint(20, 50), rng.randint(8, 20), rng.randint(6, 12)
        second_2025 = half_values(rng, base, children, facilities, REORG_DAY.year)
        first_2025 = _sum(halves_2025s1) if halves_2025s1 else second_2025
        for period, values in ((six_months_period(REORG_DAY.year, 2), second_2025),
                               (year_period(REORG_DAY.year), year_values(first_2025, second_2025)),
                               (six_months_period(REORG_DAY.year + 1, 1),
                                half_values(rng, base, children, facilities, REORG_DAY.year + 1))):
            data_set = year if period.kind == "year" else six_months
            completed = _completed(rng, data_set, period)  # drawn first: the same numbers whatever the day
            if period.end >= today:
                continue  # not over yet on the day the demo is loaded
            if new == last_new and period.code == f"{REORG_DAY.year + 1}S1":
                continue  # the one missing report
            forms.append(Form(data_set, new, period, values, completed))
    return forms


def _check_rules(forms: list[Form]) -> None:
    checks = {}
    for form in forms:
        if form.data_set.pk not in checks:
            checks[form.data_set.pk] = rule_engine.compile_rules(form.data_set.validation_rules.all())
        values = {cell: value for cell, value in form.values.items()}
        broken = [v for v in rule_engine.violations(checks[form.data_set.pk], values) if v.refuses]
        if broken:
            raise DemoDataError(_("Số liệu mẫu %(unit)s, %(period)s vi phạm quy tắc %(rule)s.") % {
                "unit": form.unit.name, "period": form.period.code, "rule": broken[0].check.rule.code})


# --- saving ---


def _reference_data() -> tuple[DataSet, DataSet]:
    sets = {s.code: s for s in DataSet.objects.filter(code__in=("CTXH_6M", "CTXH_YEAR"))}
    if len(sets) < 2:
        from ctxh.indicators.definitions import load_indicator_data

        load_indicator_data()
        sets = {s.code: s for s in DataSet.objects.filter(code__in=("CTXH_6M", "CTXH_YEAR"))}
    if len(sets) < 2:
        raise DemoDataError(_("Chưa có bộ số liệu CTXH_6M và CTXH_YEAR: hãy chạy "
                              "“manage.py load_indicator_data”."))
    return sets["CTXH_6M"], sets["CTXH_YEAR"]


def demo_aggregate(geo: Geography, *, stats: BuildStats, today: dt.date | None = None,
                   codes: tuple[str, ...] | None = None) -> list[Form]:
    """Write the reports of the communes that keep no records (nothing when they exist already)."""
    selection = numbers_only(geo, codes)
    if not selection.new:
        return []
    units = [*selection.new, *selection.old]
    if DataValue.objects.filter(unit__in=units).exists():
        return []
    six_months, year = _reference_data()
    forms = plan_forms(geo, selection, six_months, year, today or timezone.localdate())
    _check_rules(forms)
    elements = {(e.code, o.code): (e.pk, o.pk) for data_set in (six_months, year)
                for e in data_set_elements(data_set) for o in e.form_options}
    values, audits, registrations = [], [], []
    for form in forms:
        for cell, number in form.values.items():
            element_id, option_id = elements[cell]
            values.append(DataValue(data_element_id=element_id, category_option_combo_id=option_id,
                                    unit=form.unit, period_code=form.period.code,
                                    period_start=form.period.start, period_end=form.period.end, value=number))
            audits.append(DataValueAudit(data_element_id=element_id, category_option_combo_id=option_id,
                                         unit=form.unit, period_code=form.period.code,
                                         action=DataValueAudit.Action.CREATE, value=number, source=SOURCE))
        if form.completed_at is not None:
            registrations.append(CompleteDataSetRegistration(data_set=form.data_set, unit=form.unit,
                                                             period_code=form.period.code,
                                                             completed_at=form.completed_at))
    DataValue.objects.bulk_create(values, batch_size=1000)
    DataValueAudit.objects.bulk_create(audits, batch_size=1000)
    CompleteDataSetRegistration.objects.bulk_create(registrations)
    stats.created["data_value"] += len(values)
    stats.created["aggregate_report"] += len(registrations)
    return forms
