"""The two indicators of Plan 154 on people and cases, computed set-based in the database.

COUNSELLED (người có hoàn cảnh khó khăn được tư vấn, hỗ trợ bằng công tác xã hội):
- the distinct live people who received at least one service of a `COUNSELLING_TYPES` type delivered in
  [start, end] (both inclusive) while they held at least one vulnerability status (a status active on the
  service's date), and whose address unit on the service's date is in the unit set (a unit stands for its
  subtree across successions: old communes merged into a new one count for it);
- a person served three times, by two organizations, counts once;
- breakdowns (distinct people in each row): by category group of the statuses active on a counted service's
  date (a person in two groups counts in both), by sex, by age band on the period's last day (0-15, 16-59,
  60+; a birth year alone is taken as 1 January), by ethnicity, and by year.

CHILDREN (trẻ em thuộc sáu nhóm của Kế hoạch được trợ giúp xã hội và dịch vụ công tác xã hội từ nguồn xã
hội hóa):
- denominator: live children (under 16 on `day`, the period's last day) holding one of the plan's six
  statuses on `day` (with the severity the group needs) and living in the unit set on `day`;
- numerator: those of them who, in [start, day], received a service of type `social_assistance` (any
  funding) and a social work service (a `COUNSELLING_TYPES` type) funded by social mobilization;
- the children not yet served, with what they lack, are the list for action.

Every function issues a fixed number of queries: never one per person or per service.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from ctxh.cases.models import (
    CHILD_AGE,
    CategoryGroup,
    FundingSource,
    Person,
    PersonAddress,
    PersonStatus,
    Plan154ChildGroup,
    ServiceDelivery,
    ServiceType,
    child_condition,
    years_before,
)
from ctxh.core.reference import Sex
from ctxh.geo.models import Unit

# The services that count as "counselling or support by social work" (COUNSELLED) and as "a social work
# service" (CHILDREN): everything a social worker provides or arranges for the person, except cash or in-kind
# social assistance (a benefit, counted separately by CHILDREN) and "other" (not known to be social work).
COUNSELLING_TYPES: tuple[str, ...] = (
    ServiceType.COUNSELLING,
    ServiceType.EMERGENCY_PROTECTION,
    ServiceType.HEALTH_CARE,
    ServiceType.EDUCATION,
    ServiceType.LEGAL_AID,
    ServiceType.VOCATIONAL,
    ServiceType.ALTERNATIVE_CARE,
    ServiceType.REHABILITATION,
)
ELDERLY_AGE = 60
UNKNOWN = _("Không rõ")

UnitsArg = Unit | Iterable[int]


class AgeBand:
    CHILD = "0-15"
    WORKING = "16-59"
    ELDERLY = "60+"
    UNKNOWN = "unknown"

    LABELS = {CHILD: _("0-15 tuổi"), WORKING: _("16-59 tuổi"), ELDERLY: _("Từ 60 tuổi"),
              UNKNOWN: _("Không rõ tuổi")}
    ORDER = (CHILD, WORKING, ELDERLY, UNKNOWN)


def unit_ids_of(units: UnitsArg) -> set[int]:
    """A unit stands for its subtree across successions; a set of ids is taken as it is."""
    if isinstance(units, Unit):
        from ctxh.accounts.scoping import unit_closure

        return unit_closure({units.pk})
    return set(units)


def _not_after(day: dt.date, years: int) -> Q:
    """Born on or before the day `years` before `day` (at least `years` old on `day`)."""
    limit = years_before(day, years)
    return Q(date_of_birth__lte=limit) | Q(date_of_birth__isnull=True, birth_year__lte=day.year - years)


def age_band(day: dt.date) -> Case:
    """An expression on Person: the age band on `day`."""
    return Case(
        When(date_of_birth__isnull=True, birth_year__isnull=True, then=Value(AgeBand.UNKNOWN)),
        When(_not_after(day, ELDERLY_AGE), then=Value(AgeBand.ELDERLY)),
        When(_not_after(day, CHILD_AGE), then=Value(AgeBand.WORKING)),
        default=Value(AgeBand.CHILD),
        output_field=CharField(),
    )


# --- COUNSELLED ---


def counselling_services(start: dt.date, end: dt.date, units: UnitsArg) -> QuerySet:
    """The services that make their person count for COUNSELLED in [start, end] for these units."""
    unit_ids = unit_ids_of(units)
    active_status = (PersonStatus.objects.active_on(OuterRef("delivered_on"))
                     .filter(person=OuterRef("person_id")))
    address = PersonAddress.objects.as_of(OuterRef("delivered_on")).filter(
        person=OuterRef("person_id"), unit_id__in=unit_ids)
    return ServiceDelivery.objects.filter(
        service_type__in=COUNSELLING_TYPES, delivered_on__gte=start, delivered_on__lte=end,
        person__merged_into__isnull=True,
    ).filter(Exists(active_status)).filter(Exists(address))


def counselled_persons(start: dt.date, end: dt.date, units: UnitsArg) -> QuerySet:
    """The distinct people COUNSELLED counts (a Person queryset)."""
    return Person.objects.filter(pk__in=counselling_services(start, end, units).values("person_id"))


@dataclass(frozen=True)
class CountRow:
    key: str | int | None
    label: str
    count: int


@dataclass
class CounselledResult:
    start: dt.date
    end: dt.date
    total: int
    by_group: list[CountRow] = field(default_factory=list)
    by_sex: list[CountRow] = field(default_factory=list)
    by_age: list[CountRow] = field(default_factory=list)
    by_ethnicity: list[CountRow] = field(default_factory=list)


def _ordered(counts: dict, labels: dict, order: Iterable) -> list[CountRow]:
    order = list(order)

    def position(key):
        return (order.index(key) if key in order else len(order), str(labels.get(key, UNKNOWN)))

    return [CountRow(key, str(labels.get(key, UNKNOWN)), n)
            for key, n in sorted(counts.items(), key=lambda item: position(item[0])) if n]


def counselled(units: UnitsArg, start: dt.date, end: dt.date, *, breakdowns: bool = True) -> CounselledResult:
    """COUNSELLED for a unit (its subtree across successions) or a set of unit ids over [start, end]."""
    unit_ids = unit_ids_of(units)
    services = counselling_services(start, end, unit_ids)
    people = Person.objects.filter(pk__in=services.values("person_id"))
    total = people.count()
    result = CounselledResult(start, end, total)
    if not breakdowns or not total:
        return result
    # Groups: the statuses active on the date of one of the person's counted services.
    served_from = services.filter(person=OuterRef("person_id"), delivered_on__gte=OuterRef("start_date"))
    statuses = PersonStatus.objects.filter(
        Q(Exists(served_from), end_date__isnull=True)
        | Q(Exists(served_from.filter(delivered_on__lte=OuterRef("end_date"))))
    )
    groups = dict(statuses.order_by().values("category__group").annotate(n=Count("person_id", distinct=True))
                  .values_list("category__group", "n"))
    result.by_group = _ordered(groups, dict(CategoryGroup.choices), CategoryGroup.values)
    sexes = dict(people.order_by().values("sex").annotate(n=Count("pk")).values_list("sex", "n"))
    result.by_sex = _ordered(sexes, dict(Sex.choices), Sex.values)
    ages = dict(people.order_by().annotate(band=age_band(end)).values("band").annotate(n=Count("pk"))
                .values_list("band", "n"))
    result.by_age = _ordered(ages, AgeBand.LABELS, AgeBand.ORDER)
    ethnicities = list(people.order_by().values("ethnicity_id", "ethnicity__name", "ethnicity__sort_order")
                       .annotate(n=Count("pk")).order_by("ethnicity__sort_order", "ethnicity_id"))
    result.by_ethnicity = [CountRow(row["ethnicity_id"], row["ethnicity__name"] or str(UNKNOWN), row["n"])
                           for row in ethnicities]
    return result


def counselled_by_year(units: UnitsArg, first_year: int, last_year: int) -> dict[int, int]:
    """Distinct people counted by COUNSELLED in each calendar year (one query for all the years)."""
    services = counselling_services(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), units)
    rows = (services.order_by().annotate(year=ExtractYear("delivered_on")).values("year")
            .annotate(n=Count("person_id", distinct=True)).values_list("year", "n"))
    counts = {year: 0 for year in range(first_year, last_year + 1)}
    counts.update({int(year): n for year, n in rows})
    return counts


# --- CHILDREN ---


def _services_of_child(start: dt.date, day: dt.date) -> QuerySet:
    return ServiceDelivery.objects.filter(person=OuterRef("pk"), delivered_on__gte=start,
                                          delivered_on__lte=day)


def children_in_groups(day: dt.date, units: UnitsArg) -> QuerySet:
    """The CHILDREN denominator: live children in one of the plan's six groups on `day`, living in the units
    on `day`."""
    unit_ids = unit_ids_of(units)
    statuses = PersonStatus.objects.active_on(day).plan154_children().filter(person=OuterRef("pk"))
    addresses = PersonAddress.objects.as_of(day).filter(person=OuterRef("pk"), unit_id__in=unit_ids)
    return (Person.objects.live().filter(child_condition(day)).filter(Exists(statuses))
            .filter(Exists(addresses)))


def with_children_service_flags(persons: QuerySet, start: dt.date, day: dt.date) -> QuerySet:
    """Annotate `has_assistance`, `has_social_work` (funded by social mobilization) and `served` (both)."""
    services = _services_of_child(start, day)
    assistance = Exists(services.filter(service_type=ServiceType.SOCIAL_ASSISTANCE))
    social_work = Exists(services.filter(service_type__in=COUNSELLING_TYPES,
                                         funding_source=FundingSource.SOCIAL_MOBILIZATION))
    return persons.annotate(has_assistance=assistance, has_social_work=social_work).annotate(
        served=Case(When(has_assistance=True, has_social_work=True, then=Value(1)), default=Value(0),
                    output_field=IntegerField()))


@dataclass(frozen=True)
class RatioRow:
    key: str | None
    label: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class ChildrenResult:
    start: dt.date
    day: dt.date
    numerator: int
    denominator: int
    by_group: list[RatioRow] = field(default_factory=list)
    by_sex: list[RatioRow] = field(default_factory=list)
    unit_ids: set[int] = field(default_factory=set)

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def not_served(self) -> QuerySet:
        """The children of the denominator not yet served, annotated with what they lack."""
        children = with_children_service_flags(children_in_groups(self.day, self.unit_ids), self.start,
                                               self.day)
        return children.filter(served=0)


def children_served(units: UnitsArg, start: dt.date, day: dt.date) -> ChildrenResult:
    """CHILDREN for a unit (its subtree across successions) or a set of unit ids: the children counted on
    `day` (the period's last day), served in [start, day]."""
    unit_ids = unit_ids_of(units)
    children = with_children_service_flags(children_in_groups(day, unit_ids), start, day)
    totals = children.order_by().aggregate(denominator=Count("pk"),
                                           numerator=Count("pk", filter=Q(served=1)))
    result = ChildrenResult(start, day, totals["numerator"] or 0, totals["denominator"] or 0,
                            unit_ids=unit_ids)
    if not result.denominator:
        return result
    sexes = {row["sex"]: row for row in children.order_by().values("sex").annotate(
        d=Count("pk"), n=Count("pk", filter=Q(served=1)))}
    labels = dict(Sex.choices)
    result.by_sex = [RatioRow(key, str(labels.get(key, UNKNOWN)), sexes[key]["n"], sexes[key]["d"])
                     for key in [*Sex.values, *sorted(set(sexes) - set(Sex.values))] if key in sexes]
    # A child in two groups counts in both.
    statuses = (PersonStatus.objects.active_on(day).plan154_children()
                .filter(person__in=children.values("pk"))
                .annotate(served=Exists(with_children_service_flags(
                    Person.objects.filter(pk=OuterRef("person_id")), start, day).filter(served=1))))
    groups = {row["category__plan154_child_group"]: row for row in statuses.order_by().values(
        "category__plan154_child_group").annotate(d=Count("person_id", distinct=True),
                                                  n=Count("person_id", distinct=True, filter=Q(served=True)))}
    labels = dict(Plan154ChildGroup.choices)
    result.by_group = [RatioRow(key, str(labels[key]), groups[key]["n"], groups[key]["d"])
                       for key in Plan154ChildGroup.values if key in groups]
    return result


def child_groups(person_ids: Iterable[int], day: dt.date) -> dict[int, list[str]]:
    """The plan's groups each child holds on `day` (one query), for the list for action."""
    labels = dict(Plan154ChildGroup.choices)
    groups: dict[int, list[str]] = {}
    rows = (PersonStatus.objects.active_on(day).plan154_children().filter(person_id__in=list(person_ids))
            .order_by("person_id", "category__sort_order")
            .values_list("person_id", "category__plan154_child_group"))
    for person_id, group in rows:
        label = str(labels.get(group, group))
        if label not in groups.setdefault(person_id, []):
            groups[person_id].append(label)
    return groups


def address_units(person_ids: Iterable[int], day: dt.date) -> dict[int, Unit]:
    """The address unit of each person on `day` (one query)."""
    addresses = (PersonAddress.objects.as_of(day).filter(person_id__in=list(person_ids))
                 .select_related("unit").order_by("person_id", "valid_from"))
    return {address.person_id: address.unit for address in addresses}
