"""The registry of people: create (with duplicate candidates), update, addresses, statuses, households, merge
and pseudonymize.

Duplicates: on create (and on import, which calls `find_duplicates`), a person is a candidate when they have
the same CCCD; or the same diacritic-folded name, the same birth (date, or year when either record has only
the year) and an address in the same unit; or a fuzzy name match (rapidfuzz `token_ratio` ≥ 88 on folded
names) with the same birth date. `person_create` returns the candidates instead of creating, unless the user
confirms the person is someone else (`confirmed=True`).
"""

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from ctxh.cases.models import (
    Case,
    Consent,
    EventKind,
    Household,
    HouseholdMember,
    Person,
    PersonAddress,
    PersonStatus,
    ServiceDelivery,
    VulnerabilityCategory,
)
from ctxh.cases.services.common import dmy, local_day, record_event, save
from ctxh.core.cccd import normalize_cccd, validate_cccd
from ctxh.core.concurrency import ConcurrentEditError, changes_since
from ctxh.core.reference import Sex
from ctxh.core.text import fold, nfc

FUZZY_THRESHOLD = 88
PERSON_FIELDS = (
    "full_name", "sex", "date_of_birth", "birth_year", "ethnicity", "cccd", "phone", "address_text",
    "guardian", "guardian_name", "guardian_relationship", "note",
)
OLDEST_BIRTH_YEAR = 1900


@dataclass(frozen=True)
class DuplicateCandidate:
    person: Person
    reasons: tuple[str, ...]


@dataclass
class PersonCreateResult:
    """Either the new `person`, or (nothing created) the `candidates` the user must look at first."""

    person: Person | None
    candidates: list[DuplicateCandidate] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return self.person is not None


# --- validation ---


def _validate(person: Person) -> None:
    """Field checks with Vietnamese messages keyed by field; the CCCD against sex and birth."""
    errors: dict[str, Any] = {}
    if not nfc(person.full_name):
        errors["full_name"] = _("Hãy nhập họ và tên.")
    if person.sex not in Sex.values:
        errors["sex"] = _("Hãy chọn giới tính.")
    today = timezone.localdate()
    if person.date_of_birth is None and person.birth_year is None:
        errors["date_of_birth"] = _("Hãy nhập ngày sinh, hoặc năm sinh nếu không biết ngày sinh.")
    elif person.date_of_birth is not None:
        if person.date_of_birth > today:
            errors["date_of_birth"] = _("Ngày sinh không được sau ngày hôm nay.")
        elif person.date_of_birth.year < OLDEST_BIRTH_YEAR:
            errors["date_of_birth"] = _("Ngày sinh không hợp lệ (trước năm 1900).")
        elif person.birth_year is not None and person.birth_year != person.date_of_birth.year:
            errors["birth_year"] = _("Năm sinh khác với năm của ngày sinh.")
    elif not OLDEST_BIRTH_YEAR <= person.birth_year <= today.year:
        errors["birth_year"] = _("Năm sinh phải từ 1900 đến năm nay.")
    person.cccd = normalize_cccd(person.cccd) or None
    if person.cccd and "date_of_birth" not in errors and "birth_year" not in errors:
        try:
            person.cccd = validate_cccd(person.cccd, sex=person.sex if person.sex in Sex.values else None,
                                        birth_date=person.date_of_birth or person.birth_year)
        except ValidationError as error:
            errors["cccd"] = error.messages
    if person.guardian_id and person.guardian_id == person.pk:
        errors["guardian"] = _("Một người không thể là người giám hộ của chính mình.")
    if person.guardian_name.strip() and not person.guardian_relationship.strip():
        errors["guardian_relationship"] = _("Hãy ghi quan hệ với người giám hộ.")
    if errors:
        raise ValidationError(errors)
    if person.date_of_birth is not None:
        person.birth_year = person.date_of_birth.year


def _check_unit(unit, day: dt.date) -> None:
    if not unit.is_valid_on(day):
        raise ValidationError({"unit": _("Đơn vị hành chính “%(unit)s” không tồn tại vào ngày %(day)s.")
                               % {"unit": unit.name, "day": dmy(day)}})


# --- duplicates ---


def find_duplicates(*, full_name: str, date_of_birth: dt.date | None = None, birth_year: int | None = None,
                    cccd: str = "", unit=None, exclude_pk: int | None = None) -> list[DuplicateCandidate]:
    """Live records that may be the same person (see the module docstring). A few indexed queries; the fuzzy
    comparison runs only on the people born the same day."""
    name = fold(full_name)
    year = date_of_birth.year if date_of_birth else birth_year
    reasons: dict[int, list[str]] = {}
    found: dict[int, Person] = {}

    def add(people, reason: str) -> None:
        for person in people:
            if person.pk == exclude_pk:
                continue
            found[person.pk] = person
            if reason not in reasons.setdefault(person.pk, []):
                reasons[person.pk].append(reason)

    live = Person.objects.live()
    number = normalize_cccd(cccd)
    if number:
        add(live.filter(cccd=number), str(_("Trùng số CCCD")))
    if unit is not None and year is not None:
        birth = Q(birth_year=year, date_of_birth__isnull=True)
        birth |= Q(date_of_birth=date_of_birth) if date_of_birth else Q(birth_year=year)
        same = live.filter(birth, search_name=name, addresses__unit=unit).distinct()
        add(same, str(_("Trùng họ tên, ngày (năm) sinh và địa bàn")))
    if date_of_birth is not None:
        born_same_day = live.filter(date_of_birth=date_of_birth).only("pk", "full_name", "search_name")
        similar = [p for p in born_same_day if fuzz.token_ratio(name, p.search_name) >= FUZZY_THRESHOLD]
        add(similar, str(_("Họ tên gần giống, trùng ngày sinh")))
    people = Person.objects.filter(pk__in=found).select_related("ethnicity")
    return [DuplicateCandidate(person, tuple(reasons[person.pk])) for person in people]


# --- create, update ---


@transaction.atomic
def person_create(*, full_name: str, sex: str, date_of_birth: dt.date | None = None,
                  birth_year: int | None = None, ethnicity=None, cccd: str = "", phone: str = "",
                  address_text: str = "", unit=None, unit_from: dt.date | None = None,
                  guardian: Person | None = None, guardian_name: str = "", guardian_relationship: str = "",
                  note: str = "", by=None, confirmed: bool = False) -> PersonCreateResult:
    """Register a person, or return the duplicate candidates (nothing written) unless `confirmed`.

    `unit` is the address unit from `unit_from` (default today). A CCCD already held by a live record is
    refused even when confirmed: merge the records instead.
    """
    person = Person(full_name=nfc(full_name), sex=sex, date_of_birth=date_of_birth,
                    birth_year=None if date_of_birth else birth_year, ethnicity=ethnicity, cccd=cccd,
                    phone=phone.strip(), address_text=address_text, guardian=guardian,
                    guardian_name=guardian_name, guardian_relationship=guardian_relationship, note=note,
                    created_by=by)
    _validate(person)
    since = unit_from or timezone.localdate()
    if unit is not None:
        _check_unit(unit, since)
    candidates = find_duplicates(full_name=person.full_name, date_of_birth=person.date_of_birth,
                                 birth_year=person.birth_year, cccd=person.cccd or "", unit=unit)
    same_cccd = [c for c in candidates if person.cccd and c.person.cccd == person.cccd]
    if same_cccd:
        if confirmed:
            raise ValidationError({"cccd": _("Số CCCD này đã ghi cho %(name)s; nếu là cùng một người, hãy "
                                             "gộp hồ sơ.") % {"name": same_cccd[0].person.full_name}})
        return PersonCreateResult(None, candidates)
    if candidates and not confirmed:
        return PersonCreateResult(None, candidates)
    save(person)
    if unit is not None:
        PersonAddress.objects.create(person=person, unit=unit, valid_from=since)
    return PersonCreateResult(person, candidates)


@transaction.atomic
def person_update(*, person: Person, version: int, data: Mapping[str, Any], by=None) -> Person:
    """Change a person read at `version`; refused with what changed if someone saved it in between."""
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"person_update: unknown fields {sorted(unknown)}")
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != version:
        raise ConcurrentEditError(changes_since(current, version, PERSON_FIELDS))
    if current.merged_into_id:
        raise ValidationError({"person": _("Hồ sơ này đã được gộp vào hồ sơ khác; hãy sửa hồ sơ được giữ "
                                           "lại.")})
    for name, value in data.items():
        setattr(current, name, value)
    if "date_of_birth" in data and data["date_of_birth"] and "birth_year" not in data:
        current.birth_year = None
    _validate(current)
    current.version = version + 1
    save(current)
    if {"date_of_birth", "birth_year"} & set(data):
        _refresh_child_flags(current)
    return current


def _refresh_child_flags(person: Person) -> None:
    """A corrected birth date changes whether the person was a child at each intake."""
    for case in Case.objects.filter(person=person):
        flag = person.is_child_on(local_day(case.opened_at))
        if flag != case.is_child_at_intake:
            case.is_child_at_intake = flag
            case.save(update_fields=["is_child_at_intake", "updated_at"])


# --- addresses, statuses, households ---


@transaction.atomic
def address_set(*, person: Person, unit, valid_from: dt.date, by=None) -> PersonAddress:
    """The person lives in `unit` from `valid_from`; the previous address ends the day before."""
    if valid_from > timezone.localdate():
        raise ValidationError({"valid_from": _("Ngày bắt đầu không được sau ngày hôm nay.")})
    _check_unit(unit, valid_from)
    addresses = PersonAddress.objects.select_for_update().filter(person=person)
    if addresses.filter(valid_from__gte=valid_from).exists():
        raise ValidationError({"valid_from": _("Đã có địa bàn cư trú từ ngày này hoặc sau ngày này.")})
    addresses.filter(valid_to__isnull=True).update(valid_to=valid_from - dt.timedelta(days=1))
    return PersonAddress.objects.create(person=person, unit=unit, valid_from=valid_from)


@transaction.atomic
def status_add(*, person: Person, category: VulnerabilityCategory, start_date: dt.date,
               end_date: dt.date | None = None, evidence: str = "", verified_by=None,
               verified_on: dt.date | None = None, severity: str = "", event: str = "",
               note: str = "") -> PersonStatus:
    if verified_on is not None and verified_on > timezone.localdate():
        raise ValidationError({"verified_on": _("Ngày xác minh không được sau ngày hôm nay.")})
    status = PersonStatus(person=person, category=category, start_date=start_date, end_date=end_date,
                          evidence=evidence, verified_by=verified_by, verified_on=verified_on,
                          severity=severity, event=event.strip(), note=note)
    save(status)
    return status


@transaction.atomic
def status_end(*, status: PersonStatus, end_date: dt.date) -> PersonStatus:
    status = PersonStatus.objects.select_for_update().get(pk=status.pk)
    if status.end_date is not None and status.end_date <= timezone.localdate():
        raise ValidationError({"end_date": _("Tình trạng này đã kết thúc ngày %(day)s.")
                               % {"day": dmy(status.end_date)}})
    status.end_date = end_date
    save(status)
    return status


@transaction.atomic
def status_verify(*, status: PersonStatus, by, verified_on: dt.date | None = None,
                  evidence: str | None = None) -> PersonStatus:
    """Record who verified a status and when, against which papers (`evidence` replaces the text when
    given). A status is verified once; verifying it again records the new check."""
    status = PersonStatus.objects.select_for_update().get(pk=status.pk)
    day = verified_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"verified_on": _("Ngày xác minh không được sau ngày hôm nay.")})
    if day < status.start_date:
        raise ValidationError({"verified_on": _("Ngày xác minh không được trước ngày bắt đầu (%(day)s).")
                               % {"day": dmy(status.start_date)}})
    if evidence is not None:
        status.evidence = evidence.strip()
    if not status.evidence.strip():
        raise ValidationError({"evidence": _("Hãy ghi căn cứ, giấy tờ đã đối chiếu khi xác minh.")})
    status.verified_by = by
    status.verified_on = day
    save(status)
    return status


@transaction.atomic
def household_create(*, name: str = "", unit=None, address_text: str = "", is_poor: bool = False,
                     is_near_poor: bool = False) -> Household:
    if is_poor and is_near_poor:
        raise ValidationError({"is_near_poor": _("Một hộ không thể vừa là hộ nghèo vừa là hộ cận nghèo.")})
    household = Household(name=nfc(name), unit=unit, address_text=nfc(address_text), is_poor=is_poor,
                          is_near_poor=is_near_poor)
    save(household)
    return household


HOUSEHOLD_FIELDS = ("name", "unit", "address_text", "is_poor", "is_near_poor")


@transaction.atomic
def household_update(*, household: Household, version: int, data: Mapping[str, Any]) -> Household:
    """Change a household read at `version`; refused with what changed if someone saved it in between."""
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValueError(f"household_update: unknown fields {sorted(unknown)}")
    current = Household.objects.select_for_update().get(pk=household.pk)
    if current.version != version:
        raise ConcurrentEditError(changes_since(current, version, HOUSEHOLD_FIELDS))
    for name, value in data.items():
        setattr(current, name, nfc(value) if name in ("name", "address_text") else value)
    if current.is_poor and current.is_near_poor:
        raise ValidationError({"is_near_poor": _("Một hộ không thể vừa là hộ nghèo vừa là hộ cận nghèo.")})
    current.version = version + 1
    save(current)
    return current


@transaction.atomic
def household_member_update(*, member: HouseholdMember, relationship: str) -> HouseholdMember:
    """Correct a member's relationship to the head of the household."""
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    member.relationship = relationship
    save(member)
    return member


@transaction.atomic
def household_member_add(*, household: Household, person: Person, relationship: str,
                         start_date: dt.date) -> HouseholdMember:
    """A person joins a household; they belong to one household at a time (no overlapping memberships)."""
    Person.objects.select_for_update().get(pk=person.pk)
    overlapping = HouseholdMember.objects.filter(person=person).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    if overlapping.exists():
        raise ValidationError({"person": _(
            "%(name)s đang là thành viên của một hộ khác vào ngày %(day)s; hãy kết thúc tư cách thành viên "
            "đó trước.") % {"name": person.full_name, "day": dmy(start_date)}})
    member = HouseholdMember(household=household, person=person, relationship=relationship,
                             start_date=start_date)
    save(member)
    return member


@transaction.atomic
def household_member_end(*, member: HouseholdMember, end_date: dt.date) -> HouseholdMember:
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    if end_date < member.start_date:
        raise ValidationError({"end_date": _("Ngày kết thúc không được trước ngày bắt đầu.")})
    member.end_date = end_date
    save(member)
    return member


# --- merge and pseudonymize ---

_FILL_BLANKS = ("date_of_birth", "ethnicity_id", "phone", "address_text", "guardian_id", "guardian_name",
                "guardian_relationship")


@transaction.atomic
def person_merge(*, keep: Person, merge: Person, by=None,
                 versions: Mapping[int, int] | None = None) -> Person:
    """Merge the duplicate `merge` into `keep`: every link moves to `keep` (statuses, household memberships,
    cases and their services, consents, addresses, guardianships); `merge` stays, marked `merged_into`, with
    its history; `keep` takes the values it lacked. Nothing is deleted.

    `versions` ({person id: version read}), when given, refuses the merge if either record changed since the
    user compared them (the confirmation page)."""
    if keep.pk == merge.pk:
        raise ValidationError({"merge": _("Không thể gộp một hồ sơ vào chính nó.")})
    keep, merge = (Person.objects.select_for_update().get(pk=pk) for pk in (keep.pk, merge.pk))
    for person in (keep, merge):
        read = (versions or {}).get(person.pk)
        if read is not None and read != person.version:
            raise ConcurrentEditError(changes_since(person, read, PERSON_FIELDS))
    if keep.merged_into_id or merge.merged_into_id:
        raise ValidationError({"merge": _("Một trong hai hồ sơ đã được gộp trước đó.")})
    if (HouseholdMember.objects.filter(person=keep, end_date__isnull=True).exists()
            and HouseholdMember.objects.filter(person=merge, end_date__isnull=True).exists()):
        raise ValidationError({"merge": _(
            "Cả hai hồ sơ đều đang là thành viên của một hộ; hãy kết thúc một tư cách thành viên trước khi "
            "gộp.")})
    now = timezone.now()
    for status in PersonStatus.objects.filter(person=merge):  # one by one: the move is in their history
        status.person = keep
        status.save(update_fields=["person"])
    HouseholdMember.objects.filter(person=merge).update(person=keep)
    PersonAddress.objects.filter(person=merge).update(person=keep)
    Consent.objects.filter(person=merge).update(person=keep)
    ServiceDelivery.objects.filter(person=merge).update(person=keep)
    Person.objects.filter(guardian=merge).update(guardian=keep)
    Person.objects.filter(merged_into=merge).update(merged_into=keep)
    for case in Case.objects.filter(person=merge):
        case.person = keep
        case.version += 1
        case.save(update_fields=["person", "version", "updated_at"])
        record_event(case, EventKind.PERSON_MERGED, by=by, at=now, kept=keep, merged=merge)
    cccd = merge.cccd
    merge.merged_into = keep
    merge.version += 1
    merge.save()
    for name in _FILL_BLANKS:
        if not getattr(keep, name) and getattr(merge, name):
            setattr(keep, name, getattr(merge, name))
    if keep.date_of_birth and keep.birth_year != keep.date_of_birth.year:
        keep.date_of_birth = None  # the merged record's date contradicts the kept year: keep the year only
    if not keep.cccd and cccd:
        keep.cccd = cccd
    keep.version += 1
    keep.save()
    _refresh_child_flags(keep)
    return keep


PSEUDONYM_PREFIX = "Ẩn danh"


@transaction.atomic
def person_pseudonymize(*, person: Person, by=None) -> Person:
    """Pseudonymize on a lawful request: name, CCCD, phone, contact address, birth day and month, guardian
    text and note are replaced (in the record and in its change history); sex, birth year, ethnicity, address
    unit, statuses, cases and services stay, so the counts do not change. Free text of cases and statuses is
    not touched (it is not the person's identity data; the access rules protect it)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.is_pseudonymized:
        raise ValidationError({"person": _("Hồ sơ này đã được ẩn danh.")})
    pseudonym = f"{PSEUDONYM_PREFIX} {secrets.token_hex(4).upper()}"
    scrubbed = {"full_name": pseudonym, "search_name": fold(pseudonym), "cccd": None, "phone": "",
                "address_text": "", "date_of_birth": None, "guardian_name": "", "guardian_relationship": "",
                "note": ""}
    birth_year = person.birth_year
    for name, value in scrubbed.items():
        setattr(person, name, value)
    person.birth_year = birth_year
    person.is_pseudonymized = True
    person.version += 1
    person.save()
    person.history.filter(id=person.pk).update(**scrubbed, birth_year=birth_year)
    Consent.objects.filter(person=person).update(representative_name="", representative_relationship="")
    return person


__all__ = [
    "DuplicateCandidate", "PersonCreateResult", "address_set", "find_duplicates", "household_create",
    "household_member_add", "household_member_end", "household_member_update", "household_update",
    "person_create", "person_merge", "person_pseudonymize", "person_update", "status_add", "status_end",
    "status_verify",
]
