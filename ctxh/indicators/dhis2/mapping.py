"""ctxh codes and the codes a DHIS2 instance knows them by (`Dhis2Mapping`, idScheme=code).

Out (export): a ctxh code maps to its row's `dhis2_code`, or to itself when there is no row (identity).
Back (import): a DHIS2 code maps to the ctxh code of the row carrying it; a code without a row is read as
the same ctxh code, unless that ctxh code has a row giving it another DHIS2 code (then the DHIS2 code names
something ctxh does not know): the caller reports it as unknown, never guesses.

Units: our codes are reused across generations (02200 is Phan Thiết until 30/06/2025 and Minh Xuân after).
An `orgUnit` row's `ctxh_code` is either `CODE` (every generation of the code) or `CODE@YYYY-MM-DD` (the
generation valid from that day), the latter first. Which generation a plain code means is decided by the
period of the value (see `ctxh.indicators.dhis2.export.resolve_unit`).

    codes = CodeMap("default")
    codes.out(Kind.DATA_ELEMENT, "COUNSELLED_PEOPLE")  -> "COUNSELLED_PEOPLE" or the mapped code
    codes.back(Kind.DATA_ELEMENT, "DE_123")           -> "COUNSELLED_PEOPLE" or None (unknown)
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ctxh.geo.models import Unit
from ctxh.indicators.models import Dhis2Mapping

Kind = Dhis2Mapping.Kind
DEFAULT_INSTANCE = "default"
GENERATION_MARK = "@"


@dataclass(frozen=True)
class UnitRef:
    """A unit code read back from DHIS2, with the generation when the mapping names one."""

    code: str
    valid_from: dt.date | None = None
    # Generations of the code that a mapping row gives another DHIS2 code: a plain code never means them.
    excluded: frozenset[dt.date] = frozenset()

    def allows(self, unit: Unit) -> bool:
        if unit.code != self.code:
            return False
        if self.valid_from is not None:
            return unit.valid_from == self.valid_from
        return unit.valid_from not in self.excluded


def unit_key(unit: Unit) -> str:
    """The `ctxh_code` naming one generation of a unit: `02200@2025-07-01` (a plain code when open-ended)."""
    if unit.valid_from is None:
        return unit.code
    return f"{unit.code}{GENERATION_MARK}{unit.valid_from.isoformat()}"


def parse_unit_key(text: str) -> UnitRef | None:
    code, mark, day = str(text).partition(GENERATION_MARK)
    if not mark:
        return UnitRef(code)
    try:
        return UnitRef(code, dt.date.fromisoformat(day))
    except ValueError:
        return None


class CodeMap:
    """Every mapping row of one DHIS2 instance, read with one query; lookups are dictionary reads."""

    def __init__(self, instance: str = DEFAULT_INSTANCE):
        self.instance = instance or DEFAULT_INSTANCE
        self._out: dict[tuple[str, str], str] = {}
        self._back: dict[tuple[str, str], str] = {}
        rows = (Dhis2Mapping.objects.filter(instance=self.instance)
                .values_list("kind", "ctxh_code", "dhis2_code"))
        # Unit generations mapped one by one: code -> the valid_from days of its mapped generations.
        self._mapped_generations: dict[str, set[dt.date]] = {}
        for kind, ctxh_code, dhis2_code in rows:
            self._out[(kind, ctxh_code)] = dhis2_code
            self._back[(kind, dhis2_code)] = ctxh_code
            ref = parse_unit_key(ctxh_code) if kind == Kind.ORG_UNIT else None
            if ref is not None and ref.valid_from is not None:
                self._mapped_generations.setdefault(ref.code, set()).add(ref.valid_from)

    def out(self, kind: str, code: str) -> str:
        """The DHIS2 code of a ctxh code (the code itself without a mapping row)."""
        return self._out.get((kind, code), code)

    def back(self, kind: str, code: str) -> str | None:
        """The ctxh code of a DHIS2 code, or None when the DHIS2 code cannot be ours (see the module doc)."""
        code = str(code or "").strip()
        if not code:
            return None
        if (kind, code) in self._back:
            return self._back[(kind, code)]
        if (kind, code) in self._out:
            return None  # our code `code` is known to DHIS2 by another code: this one is something else
        return code

    def unit_out(self, unit: Unit) -> str:
        """A unit's DHIS2 code: the row of its generation, else the row of its code, else the code."""
        generation = self._out.get((Kind.ORG_UNIT, unit_key(unit)))
        return generation if generation is not None else self.out(Kind.ORG_UNIT, unit.code)

    def unit_back(self, code: str) -> UnitRef | None:
        """The unit a DHIS2 orgUnit code names: a code (the period decides the generation), or one generation
        when the mapping row names it. None when unknown."""
        code = str(code or "").strip()
        if not code:
            return None
        if (Kind.ORG_UNIT, code) in self._back:
            return parse_unit_key(self._back[(Kind.ORG_UNIT, code)])
        if (Kind.ORG_UNIT, code) in self._out:
            return None  # the code's every generation is known to DHIS2 by another code
        return UnitRef(code, excluded=frozenset(self._mapped_generations.get(code, ())))


def to_dhis2(kind: str, code: str, *, instance: str = DEFAULT_INSTANCE) -> str:
    """One code out (a query per call: use CodeMap for many)."""
    return CodeMap(instance).out(kind, code)


def from_dhis2(kind: str, code: str, *, instance: str = DEFAULT_INSTANCE) -> str | None:
    """One code back, or None when unknown (a query per call: use CodeMap for many)."""
    return CodeMap(instance).back(kind, code)


# ------------------------------------------------------------------------------------- loading from CSV

CSV_HEADER = ("kind", "ctxh_code", "dhis2_code")


@dataclass
class MappingLoad:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


CODE_MAX = 80  # Dhis2Mapping.ctxh_code and dhis2_code


def load_mappings_csv(text: str, *, instance: str = DEFAULT_INSTANCE) -> MappingLoad:
    """Create or update mapping rows from a CSV `kind,ctxh_code,dhis2_code` (header required; `kind` one of
    dataElement, categoryOptionCombo, orgUnit, dataSet). All or nothing: a bad row raises ValidationError
    naming the row, and nothing is written."""
    from ctxh.indicators.dhis2.export import CSV_UNREADABLE  # export imports this module

    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:  # a cell over the csv module's field limit (128 KB), a quote never closed
        raise ValidationError(CSV_UNREADABLE % {"row": reader.line_num}, code="bad_csv") from None
    if not rows or tuple(cell.strip() for cell in rows[0]) != CSV_HEADER:
        raise ValidationError(_("Dòng 1: tiêu đề phải là “%(header)s”.") % {"header": ",".join(CSV_HEADER)})
    errors: list[str] = []
    wanted: dict[tuple[str, str], str] = {}
    seen_dhis2: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != 3:
            errors.append(_("Dòng %(row)s: cần đúng 3 cột.") % {"row": number})
            continue
        kind, ctxh_code, dhis2_code = (cell.strip() for cell in row)
        if kind not in Kind.values:
            errors.append(_("Dòng %(row)s: loại “%(kind)s” không hợp lệ; hãy dùng %(kinds)s.") % {
                "row": number, "kind": kind, "kinds": ", ".join(Kind.values)})
            continue
        if not ctxh_code or not dhis2_code:
            errors.append(_("Dòng %(row)s: thiếu mã trong ctxh hoặc mã trong DHIS2.") % {"row": number})
            continue
        if max(len(ctxh_code), len(dhis2_code)) > CODE_MAX:  # the columns' length (PostgreSQL refuses more)
            errors.append(_("Dòng %(row)s: mã dài quá %(n)s ký tự.") % {"row": number, "n": CODE_MAX})
            continue
        if kind == Kind.ORG_UNIT and parse_unit_key(ctxh_code) is None:
            errors.append(_("Dòng %(row)s: mã đơn vị “%(code)s” không hợp lệ; hãy viết MÃ hoặc "
                            "MÃ@YYYY-MM-DD.") % {"row": number, "code": ctxh_code})
            continue
        if (kind, dhis2_code) in seen_dhis2:
            errors.append(_("Dòng %(row)s: mã DHIS2 “%(code)s” đã dùng ở dòng %(first)s.") % {
                "row": number, "code": dhis2_code, "first": seen_dhis2[(kind, dhis2_code)]})
            continue
        seen_dhis2[(kind, dhis2_code)] = number
        wanted[(kind, ctxh_code)] = dhis2_code
    if errors:
        raise ValidationError(errors)
    result = MappingLoad()
    with transaction.atomic():
        existing = {(row.kind, row.ctxh_code): row
                    for row in Dhis2Mapping.objects.select_for_update().filter(instance=instance)}
        changed = []
        for key, dhis2_code in wanted.items():
            row = existing.get(key)
            if row is None:
                changed.append(Dhis2Mapping(instance=instance, kind=key[0], ctxh_code=key[1],
                                            dhis2_code=dhis2_code))
                result.created += 1
            elif row.dhis2_code == dhis2_code:
                result.unchanged += 1
            else:
                row.dhis2_code = dhis2_code
                changed.append(row)
                result.updated += 1
        # A DHIS2 code moving from one ctxh code to another: clear the old holders first (unique constraint).
        moving = [row for row in changed if row.pk]
        for row in moving:
            Dhis2Mapping.objects.filter(pk=row.pk).update(dhis2_code=f"__moving_{row.pk}")
        taken = {(row.kind, row.dhis2_code): row for row in existing.values() if (row.kind, row.ctxh_code)
                 not in wanted}
        for row in changed:
            holder = taken.get((row.kind, row.dhis2_code))
            if holder is not None:
                raise ValidationError(_("Mã DHIS2 “%(code)s” đang dùng cho “%(other)s”; hãy sửa cả dòng đó.")
                                      % {"code": row.dhis2_code, "other": holder.ctxh_code})
        for row in changed:
            row.save()
    return result
