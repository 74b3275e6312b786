"""Reads of the workforce, and the STAFFING indicator of Plan 154.

STAFFING on a day, for a set of administrative units:
- denominator: the in-scope organizations (`IN_SCOPE_KINDS`) active on the day and located, on the day,
  in one of the units (`OrganizationLocation` as of the day; an organization without a location record for
  the day falls back to its current unit);
- numerator: those with at least N qualifying people on the day, N from the `StaffingRule` of the phase
  containing the day and the organization's kind (1 outside any phase). A position qualifies when it is
  active on the day, its dedication is one of `QUALIFYING_DEDICATIONS`, and its allowance in force on the
  day (the latest `AllowanceChange` on or before the day) is at least the base salary in force on the day.
  Two qualifying positions of one person in one organization count once: the plan counts people.

Everything is computed in the database with subqueries and one grouped aggregate: the number of queries does
not depend on the number of organizations or positions. `organizations_staffing` is the per-organization fact
that the monitoring engine can group as it likes.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ctxh.geo.models import Unit
from ctxh.orgs.models import IN_SCOPE_KINDS, Organization, OrganizationLocation, OrgKind
from ctxh.workforce.models import (
    QUALIFYING_DEDICATIONS,
    AllowanceChange,
    BaseSalary,
    Position,
    ProgrammePhase,
    StaffingRule,
)

UnitsArg = Unit | Iterable[int]


# ----------------------------------------------------------------------------------------------------
# Building blocks (also used by the training indicator and, later, by the monitoring engine)


def resolve_unit_ids(units: UnitsArg) -> set[int]:
    """A unit stands for its subtree across successions (as for scopes); a set of ids is taken as it is."""
    if isinstance(units, Unit):
        from ctxh.accounts.scoping import unit_closure

        return unit_closure({units.pk})
    return set(units)


def location_on(day, organization_ref: str = "pk") -> Subquery:
    """The unit where the organization `OuterRef(organization_ref)` was on `day` (a date or an expression)."""
    return Subquery(
        OrganizationLocation.objects.filter(organization=OuterRef(organization_ref))
        .as_of(day)
        .order_by(F("valid_from").desc(nulls_last=True), "-pk")
        .values("unit_id")[:1]
    )


def allowance_on(day, position_ref: str = "pk") -> Subquery:
    """The monthly allowance of the position `OuterRef(position_ref)` in force on `day` (NULL if none yet)."""
    return Subquery(
        AllowanceChange.objects.filter(position=OuterRef(position_ref), effective_date__lte=day)
        .order_by("-effective_date")
        .values("monthly_allowance_vnd")[:1]
    )


def base_salary_on(day: dt.date) -> BaseSalary | None:
    return BaseSalary.objects.filter(effective_date__lte=day).order_by("-effective_date").first()


def phase_on(day: dt.date) -> ProgrammePhase | None:
    return ProgrammePhase.objects.filter(start_date__lte=day, end_date__gte=day).first()


def resolve_phase(phase: ProgrammePhase | str | None, day: dt.date) -> ProgrammePhase | None:
    if isinstance(phase, ProgrammePhase):
        return phase
    if phase is None:
        return phase_on(day)
    return ProgrammePhase.objects.get(code=phase)


def _count(queryset: QuerySet, field_name: str = "worker") -> Coalesce:
    """The number of distinct `field_name` in a queryset correlated to the outer organization."""
    counted = (queryset.order_by().values("organization")
               .annotate(n=Count(field_name, distinct=True)).values("n"))
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


# ----------------------------------------------------------------------------------------------------
# The per-organization fact


class StaffingGap:
    """Why an in-scope organization does not count (the actionable list)."""

    NO_STAFF = "no_staff"
    POSITION_ENDED = "position_ended"
    BELOW_BASE = "below_base"
    NOT_ENOUGH = "not_enough"

    LABELS = {
        NO_STAFF: _("Chưa có người làm công tác xã hội"),
        POSITION_ENDED: _("Vị trí công tác xã hội đã kết thúc"),
        BELOW_BASE: _("Phụ cấp thấp hơn mức lương cơ sở"),
        NOT_ENOUGH: _("Chưa đủ số người theo định mức"),
    }


def organizations_staffing(day: dt.date, *, base_salary_vnd: int, phase: ProgrammePhase | None,
                           unit_ids: Iterable[int] | None = None) -> QuerySet:
    """In-scope organizations active on `day` (located in `unit_ids` when given), each annotated with:

    `location_unit_id`, `active_count` (people in an active position of a qualifying dedication),
    `qualifying_count` (those paid at least the base salary), `required` (N), `best_allowance` (the highest
    allowance among them), `last_end_date` (the last day of a position that ended before `day`), `qualifies`
    and `gap` (a `StaffingGap` code, empty when it qualifies).
    """
    positions = Position.objects.filter(organization=OuterRef("pk"), dedication__in=QUALIFYING_DEDICATIONS)
    active = positions.active_on(day)
    paid = active.annotate(allowance=allowance_on(day)).filter(allowance__gte=base_salary_vnd)
    best = (active.annotate(allowance=allowance_on(day)).order_by(F("allowance").desc(nulls_last=True))
            .values("allowance")[:1])
    ended = positions.filter(end_date__lt=day).order_by("-end_date").values("end_date")[:1]
    # The rules of a phase are a handful of rows: read them once and write N into the query as a CASE.
    rules = {}
    if phase is not None:
        rules = dict(StaffingRule.objects.filter(phase=phase).values_list("org_kind", "required_positions"))
    default = rules.pop("", 1)
    required = Case(*(When(kind=kind, then=Value(n)) for kind, n in rules.items()), default=Value(default),
                    output_field=IntegerField())
    queryset = (
        Organization.objects.filter(kind__in=IN_SCOPE_KINDS).as_of(day)
        .annotate(location_unit_id=Coalesce(location_on(day), F("unit_id"), output_field=BigIntegerField()))
    )
    if unit_ids is not None:
        queryset = queryset.filter(location_unit_id__in=list(unit_ids))
    return queryset.annotate(
        active_count=_count(active),
        qualifying_count=_count(paid),
        required=required,
        best_allowance=Subquery(best),
        last_end_date=Subquery(ended),
    ).annotate(
        qualifies=Case(When(qualifying_count__gte=F("required"), then=Value(True)), default=Value(False),
                       output_field=BooleanField()),
        gap=Case(
            When(qualifying_count__gte=F("required"), then=Value("")),
            When(active_count=0, last_end_date__isnull=False, then=Value(StaffingGap.POSITION_ENDED)),
            When(active_count=0, then=Value(StaffingGap.NO_STAFF)),
            When(qualifying_count=0, then=Value(StaffingGap.BELOW_BASE)),
            default=Value(StaffingGap.NOT_ENOUGH),
            output_field=CharField(),
        ),
    )


def gap_reason(organization: Organization, base_salary_vnd: int) -> str:
    """A sentence for the actionable list, from an organization annotated by `organizations_staffing`."""
    gap = organization.gap
    if gap == StaffingGap.POSITION_ENDED:
        return _("Vị trí công tác xã hội đã kết thúc ngày %(day)s; chưa bố trí người thay.") % {
            "day": organization.last_end_date.strftime("%d/%m/%Y")}
    if gap == StaffingGap.NO_STAFF:
        return str(_("Chưa bố trí người làm công tác xã hội."))
    if gap == StaffingGap.BELOW_BASE:
        if organization.best_allowance is None:
            return str(_("Chưa ghi nhận mức phụ cấp của người làm công tác xã hội."))
        return _("Phụ cấp cao nhất %(best)s đồng/tháng, thấp hơn mức lương cơ sở %(base)s đồng.") % {
            "best": formats.number_format(organization.best_allowance, force_grouping=True),
            "base": formats.number_format(base_salary_vnd, force_grouping=True)}
    if gap == StaffingGap.NOT_ENOUGH:
        return _("Mới có %(k)s/%(n)s người đạt yêu cầu.") % {
            "k": organization.qualifying_count, "n": organization.required}
    return ""


# ----------------------------------------------------------------------------------------------------
# The indicator


@dataclass(frozen=True)
class StaffingRow:
    key: str | int | None
    label: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class StaffingResult:
    day: dt.date
    phase: ProgrammePhase | None
    base_salary_vnd: int
    numerator: int
    denominator: int
    by_kind: list[StaffingRow]
    by_commune: list[StaffingRow]
    organizations: QuerySet = field(repr=False)

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def non_qualifying(self) -> QuerySet:
        """The actionable list: organizations that do not count, with `gap` (see `gap_reason`); lazy, so
        that a page can paginate it and `describe` one page."""
        return self.organizations.filter(qualifies=False).order_by("location_unit_id", "kind", "name")

    def reason(self, organization: Organization) -> str:
        return gap_reason(organization, self.base_salary_vnd)

    def describe(self, organizations: Iterable[Organization]) -> list["OrganizationGap"]:
        """Rows for the actionable list, from organizations of `non_qualifying` (no further query)."""
        return [
            OrganizationGap(organization=org, gap=org.gap, reason=self.reason(org),
                            qualifying_count=org.qualifying_count, required=org.required,
                            best_allowance_vnd=org.best_allowance, last_end_date=org.last_end_date)
            for org in organizations
        ]

    @property
    def gaps(self) -> list["OrganizationGap"]:
        """The whole actionable list, evaluated (one query)."""
        return self.describe(self.non_qualifying)


@dataclass(frozen=True)
class OrganizationGap:
    organization: Organization
    gap: str  # a StaffingGap code
    reason: str
    qualifying_count: int
    required: int
    best_allowance_vnd: int | None
    last_end_date: dt.date | None


def _base_salary_or_error(day: dt.date) -> BaseSalary:
    base = base_salary_on(day)
    if base is None:
        raise ValidationError(
            _("Chưa có mức lương cơ sở áp dụng vào ngày %(day)s."), code="no_base_salary",
            params={"day": day.strftime("%d/%m/%Y")},
        )
    return base


def staffing(units: UnitsArg, day: dt.date, *, phase: ProgrammePhase | str | None = None) -> StaffingResult:
    """STAFFING for a unit (its subtree across successions) or a set of unit ids, on `day`.

    `phase` chooses the rules for N (default: the phase containing `day`). The breakdown by commune groups
    organizations by their location on the day: for a day before 01/07/2025 the old communes; an organization
    located directly at a district or province appears under that unit.
    """
    unit_ids = resolve_unit_ids(units)
    base = _base_salary_or_error(day)
    phase = resolve_phase(phase, day)
    organizations = organizations_staffing(day, base_salary_vnd=base.amount_vnd, phase=phase,
                                           unit_ids=unit_ids)
    groups = list(
        organizations.order_by().values("kind", "location_unit_id").annotate(
            denominator=Count("pk"), numerator=Count("pk", filter=Q(qualifies=True))
        )
    )
    # Sum the grouped rows (at most kinds x communes), never the organizations themselves.
    kinds: dict[str, list[int]] = {}
    communes: dict[int, list[int]] = {}
    for group in groups:
        for totals, key in ((kinds, group["kind"]), (communes, group["location_unit_id"])):
            pair = totals.setdefault(key, [0, 0])
            pair[0] += group["numerator"]
            pair[1] += group["denominator"]
    unit_names = Unit.objects.in_bulk(list(communes)) if communes else {}
    by_kind = [StaffingRow(kind, str(OrgKind(kind).label), n, d) for kind, (n, d) in kinds.items()]
    by_kind.sort(key=lambda row: OrgKind.values.index(row.key))
    by_commune = [
        StaffingRow(unit_id, unit_names[unit_id].label if unit_id in unit_names else "", n, d)
        for unit_id, (n, d) in communes.items()
    ]
    by_commune.sort(key=lambda row: row.label)
    return StaffingResult(
        day=day, phase=phase, base_salary_vnd=base.amount_vnd,
        numerator=sum(row.numerator for row in by_kind), denominator=sum(row.denominator for row in by_kind),
        by_kind=by_kind, by_commune=by_commune, organizations=organizations,
    )


@dataclass
class OrganizationStaffing:
    organization: Organization
    day: dt.date
    in_scope: bool
    active: bool
    qualifies: bool
    required: int
    qualifying_count: int
    gap: str
    reason: str
    base_salary_vnd: int
    positions: list[Position]  # active on the day, with `allowance_vnd` and `qualifies`


def staffing_for_org(organization: Organization, day: dt.date, *,
                     phase: ProgrammePhase | str | None = None) -> OrganizationStaffing:
    """Whether one organization counts for STAFFING on `day`, and its positions that day (organization
    page)."""
    base = _base_salary_or_error(day)
    phase = resolve_phase(phase, day)
    positions = list(
        Position.objects.filter(organization=organization).active_on(day).select_related("worker")
        .annotate(allowance_vnd=allowance_on(day))
        .annotate(qualifies=Case(
            When(dedication__in=QUALIFYING_DEDICATIONS, allowance_vnd__gte=base.amount_vnd, then=Value(True)),
            default=Value(False), output_field=BooleanField(),
        ))
        .order_by("worker__search_name", "pk")
    )
    fact = (organizations_staffing(day, base_salary_vnd=base.amount_vnd, phase=phase)
            .filter(pk=organization.pk).first())
    if fact is None:  # out of the plan's scope, or not active on the day
        return OrganizationStaffing(
            organization=organization, day=day, in_scope=organization.is_in_plan_scope,
            active=organization.is_valid_on(day), qualifies=False, required=0, qualifying_count=0, gap="",
            reason="", base_salary_vnd=base.amount_vnd, positions=positions,
        )
    return OrganizationStaffing(
        organization=organization, day=day, in_scope=True, active=True, qualifies=fact.qualifies,
        required=fact.required, qualifying_count=fact.qualifying_count, gap=fact.gap,
        reason=gap_reason(fact, base.amount_vnd), base_salary_vnd=base.amount_vnd, positions=positions,
    )


def worker_positions(worker) -> QuerySet:
    """A worker's positions, newest first, with their allowance history prefetched (worker page)."""
    return (Position.objects.filter(worker=worker).select_related("organization")
            .prefetch_related("allowances").order_by("-start_date", "pk"))


def current_allowance(position: Position, day: dt.date | None = None) -> int | None:
    """The allowance of one position in force on `day` (today by default)."""
    day = day or dt.date.today()
    change = position.allowances.filter(effective_date__lte=day).order_by("-effective_date").first()
    return change.monthly_allowance_vnd if change else None
