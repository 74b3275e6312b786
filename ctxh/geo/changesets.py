"""Change-sets: later reorganizations of administrative units, as data (format in docs/geo.md).

A change-set is a JSON file with three lists: units that end, new units, and successions. Reading it is done
in two steps, both before anything is written:

1. `read_changeset` checks the form (fields, types, dates, codes);
2. `plan_changeset` checks it against the stored units: every code is looked up *as of* the date it refers
   to (codes are reused), validity periods of one code and level may not overlap, a new unit's parent must be
   valid on the unit's first day, a unit may not end while its children go on.

Every problem is collected and reported at once, in Vietnamese, naming the entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ctxh.geo.models import CODE_WIDTH, KIND_LEVEL, Level, SuccessionKind, Unit, UnitKind
from ctxh.geo.sync import KEEP, SuccessionRow, UnitKey, UnitRow, level_name

FORMAT = "ctxh.geo.changeset/1"
MAX_BYTES = 5 * 1024 * 1024
TOP_KEYS = {"format", "title", "source", "description", "ended_units", "new_units", "successions"}
ENDED_KEYS = {"code", "level", "valid_to", "note"}
NEW_KEYS = {"code", "name", "kind", "parent_code", "parent_level", "valid_from", "valid_to", "note"}
SUCCESSION_KEYS = {
    "old_code",
    "old_level",
    "new_code",
    "new_level",
    "kind",
    "partly_merged",
    "effective_date",
    "note",
}
WIDTH_LEVEL = {width: level for level, width in CODE_WIDTH.items()}


def show(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


class ChangeSetError(Exception):
    """The change-set is wrong; nothing was written. `errors` lists every problem, each naming its entry."""

    def __init__(self, file: str, errors: list[str]):
        self.file = file
        self.errors = errors
        super().__init__(str(self))

    def __str__(self) -> str:
        head = _("Tệp thay đổi %(file)s có %(count)s lỗi, không có gì được ghi vào cơ sở dữ liệu:") % {
            "file": self.file,
            "count": len(self.errors),
        }
        return "\n".join([head, *(f"- {error}" for error in self.errors)])


@dataclass(frozen=True)
class EndedEntry:
    where: str
    code: str
    level: int
    valid_to: dt.date


@dataclass(frozen=True)
class NewEntry:
    where: str
    code: str
    name: str
    kind: str
    parent_code: str | None
    parent_level: int | None
    valid_from: dt.date
    valid_to: dt.date | None

    @property
    def level(self) -> int:
        return int(KIND_LEVEL[self.kind])


@dataclass(frozen=True)
class SuccessionEntry:
    where: str
    old_code: str
    old_level: int
    new_code: str
    new_level: int
    kind: str
    partly_merged: bool
    effective_date: dt.date
    note: str


@dataclass
class ChangeSet:
    file: str
    title: str
    source: str
    ended: list[EndedEntry] = field(default_factory=list)
    new: list[NewEntry] = field(default_factory=list)
    successions: list[SuccessionEntry] = field(default_factory=list)


class _Reader:
    """Collects form errors while converting the JSON values."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str, **params: Any) -> None:
        self.errors.append(f"{where}: {message % params}" if params else f"{where}: {message}")

    def text(self, item: dict, key: str, where: str, *, required: bool = True, max_length: int = 200) -> str:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(where, _("thiếu «%(field)s»."), field=key)
            return ""
        if not isinstance(value, str):
            self.error(where, _("«%(field)s» phải là chuỗi ký tự."), field=key)
            return ""
        if len(value.strip()) > max_length:
            self.error(where, _("«%(field)s» dài quá %(max)s ký tự."), field=key, max=max_length)
        return value.strip()

    def date(self, item: dict, key: str, where: str, *, required: bool = True) -> dt.date | None:
        value = item.get(key)
        if value is None:
            if required:
                self.error(where, _("thiếu «%(field)s»."), field=key)
            return None
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(
                where,
                _("«%(field)s»: ngày «%(value)s» không hợp lệ (cần dạng YYYY-MM-DD, ví dụ 2026-04-30)."),
                field=key,
                value=value,
            )
            return None

    def level(self, item: dict, key: str, where: str, code: str | None) -> int | None:
        """An explicit level (1, 2, 3), or the level that the code's width gives (2, 3 or 5 digits)."""
        value = item.get(key)
        if value is None:
            return WIDTH_LEVEL.get(len(code)) if code else None
        if value not in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE) or isinstance(value, bool):
            self.error(
                where,
                _("«%(field)s» phải là 1 (tỉnh), 2 (huyện) hoặc 3 (xã), không phải «%(value)s»."),
                field=key,
                value=value,
            )
            return None
        return int(value)

    def code(self, item: dict, key: str, where: str, *, required: bool = True) -> str | None:
        value = item.get(key)
        if value is None:
            if required:
                self.error(where, _("thiếu «%(field)s»."), field=key)
            return None
        if not isinstance(value, str) or not value.isdigit() or len(value) not in WIDTH_LEVEL:
            self.error(
                where,
                _(
                    "«%(field)s»: mã «%(value)s» không hợp lệ (chuỗi 2, 3 hoặc 5 chữ số, giữ các số 0 "
                    'ở đầu, ví dụ "08", "070", "02215").'
                ),
                field=key,
                value=value,
            )
            return None
        return value

    def width(self, code: str | None, level: int | None, field_name: str, where: str) -> None:
        if code and level and len(code) != CODE_WIDTH[level]:
            self.error(
                where,
                _("«%(field)s»: mã %(code)s không có %(width)s chữ số như mã %(level)s."),
                field=field_name,
                code=code,
                width=CODE_WIDTH[level],
                level=level_name(level),
            )

    def keys(self, item: Any, allowed: set[str], where: str) -> bool:
        if not isinstance(item, dict):
            self.error(where, _("mỗi mục phải là một đối tượng JSON {…}."))
            return False
        for key in sorted(set(item) - allowed):
            self.error(
                where,
                _("trường «%(field)s» không được hỗ trợ (chỉ dùng: %(allowed)s)."),
                field=key,
                allowed=", ".join(sorted(allowed)),
            )
        return True


def _entry(section: str, number: int, item: Any, code_key: str) -> str:
    code = item.get(code_key) if isinstance(item, dict) else None
    label = _("%(section)s, mục %(number)s") % {"section": section, "number": number}
    return f"{label} ({_('mã')} {code})" if isinstance(code, str) else label


def read_changeset(path: Path) -> ChangeSet:
    """Check the form of a change-set file; raise ChangeSetError listing every problem."""
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ChangeSetError(
            str(path), [_("không đọc được tệp: %(error)s.") % {"error": exc.strerror or exc}]
        ) from exc
    if not raw.strip():
        raise ChangeSetError(file, [_("tệp rỗng.")])
    if len(raw) > MAX_BYTES:
        raise ChangeSetError(file, [_("tệp quá lớn (tối đa 5 MB).")])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ChangeSetError(file, [_("tệp không phải văn bản UTF-8.")]) from exc
    except json.JSONDecodeError as exc:
        raise ChangeSetError(
            file,
            [
                _("không phải JSON hợp lệ (dòng %(line)s, cột %(column)s): %(message)s.")
                % {"line": exc.lineno, "column": exc.colno, "message": exc.msg}
            ],
        ) from exc

    r = _Reader()
    top = _("Tệp")
    if not isinstance(data, dict):
        raise ChangeSetError(file, [_("nội dung phải là một đối tượng JSON {…}.")])
    r.keys(data, TOP_KEYS, top)
    if data.get("format") != FORMAT:
        r.error(
            top,
            _('«format» phải là "%(format)s" (đang là «%(value)s»).'),
            format=FORMAT,
            value=data.get("format"),
        )
    changeset = ChangeSet(
        file=file,
        title=r.text(data, "title", top, required=False),
        source=r.text(data, "source", top, max_length=100),
    )
    sections = {}
    for section in ("ended_units", "new_units", "successions"):
        items = data.get(section, [])
        if not isinstance(items, list):
            r.error(top, _("«%(field)s» phải là một danh sách […]."), field=section)
            items = []
        sections[section] = items
    if not any(sections.values()):
        r.error(top, _("không có thay đổi nào (ended_units, new_units và successions đều trống)."))

    for number, item in enumerate(sections["ended_units"], start=1):
        where = _entry("ended_units", number, item, "code")
        if not r.keys(item, ENDED_KEYS, where):
            continue
        code = r.code(item, "code", where)
        level = r.level(item, "level", where, code)
        r.width(code, level, "code", where)
        valid_to = r.date(item, "valid_to", where)
        if code and level and valid_to:
            changeset.ended.append(EndedEntry(where, code, level, valid_to))

    for number, item in enumerate(sections["new_units"], start=1):
        where = _entry("new_units", number, item, "code")
        if not r.keys(item, NEW_KEYS, where):
            continue
        code = r.code(item, "code", where)
        name = r.text(item, "name", where)
        kind = item.get("kind")
        if kind not in UnitKind.values:
            r.error(
                where,
                _("«kind»: loại «%(value)s» không hợp lệ (cần một trong: %(allowed)s)."),
                value=kind,
                allowed=", ".join(UnitKind.values),
            )
            kind = None
        level = int(KIND_LEVEL[kind]) if kind else None
        r.width(code, level, "code", where)
        parent_code = r.code(
            item, "parent_code", where, required=level is not None and level > Level.PROVINCE
        )
        parent_level = r.level(item, "parent_level", where, parent_code)
        r.width(parent_code, parent_level, "parent_code", where)
        if level == Level.PROVINCE and parent_code:
            r.error(where, _("đơn vị cấp tỉnh không có đơn vị cấp trên («parent_code» phải để trống)."))
        elif level and parent_level and parent_level >= level:
            r.error(
                where,
                _("«parent_code»: đơn vị cấp trên phải thuộc cấp cao hơn %(level)s."),
                level=level_name(level),
            )
        valid_from = r.date(item, "valid_from", where)
        valid_to = r.date(item, "valid_to", where, required=False)
        if valid_from and valid_to and valid_to < valid_from:
            r.error(
                where,
                _("«valid_to» (%(end)s) trước «valid_from» (%(start)s)."),
                end=show(valid_to),
                start=show(valid_from),
            )
            continue
        if code and name and kind and valid_from and (level == Level.PROVINCE or parent_code):
            changeset.new.append(
                NewEntry(where, code, name, kind, parent_code, parent_level, valid_from, valid_to)
            )

    for number, item in enumerate(sections["successions"], start=1):
        where = _entry("successions", number, item, "old_code")
        if not r.keys(item, SUCCESSION_KEYS, where):
            continue
        old_code = r.code(item, "old_code", where)
        old_level = r.level(item, "old_level", where, old_code)
        r.width(old_code, old_level, "old_code", where)
        new_code = r.code(item, "new_code", where)
        new_level = r.level(item, "new_level", where, new_code)
        r.width(new_code, new_level, "new_code", where)
        kind = item.get("kind")
        if kind not in SuccessionKind.values:
            r.error(
                where,
                _("«kind»: hình thức «%(value)s» không hợp lệ (cần một trong: %(allowed)s)."),
                value=kind,
                allowed=", ".join(SuccessionKind.values),
            )
            kind = None
        partly = item.get("partly_merged", False)
        if not isinstance(partly, bool):
            r.error(where, _("«partly_merged» phải là true hoặc false."))
        effective = r.date(item, "effective_date", where)
        note = r.text(item, "note", where, required=False, max_length=2000)
        if (
            old_code
            and old_level
            and new_code
            and new_level
            and kind
            and effective
            and isinstance(partly, bool)
        ):
            changeset.successions.append(
                SuccessionEntry(
                    where, old_code, old_level, new_code, new_level, kind, partly, effective, note
                )
            )
    if r.errors:
        raise ChangeSetError(file, r.errors)
    return changeset


@dataclass
class _Planned:
    """A unit as it will be after the change-set: stored (id set) or new."""

    id: int | None
    level: int
    code: str
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    parent_id: int | None = None
    entry: NewEntry | None = None

    @property
    def key(self) -> UnitKey:
        return (self.level, self.code, self.valid_from)

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def describe(self) -> str:
        end = show(self.valid_to) if self.valid_to else _("chưa kết thúc")
        start = show(self.valid_from) if self.valid_from else _("trước khi có dữ liệu")
        return _("«%(name)s» (%(start)s – %(end)s)") % {"name": self.name, "start": start, "end": end}


@dataclass
class Plan:
    """What applying the change-set will write."""

    ends: list[tuple[int, dt.date]] = field(default_factory=list)  # (unit id, new valid_to)
    units: list[UnitRow] = field(default_factory=list)
    successions: list[SuccessionRow] = field(default_factory=list)
    unchanged_ends: int = 0


def _overlap(a: _Planned, b: _Planned) -> bool:
    low = dt.date.min
    high = dt.date.max
    return (a.valid_from or low) <= (b.valid_to or high) and (b.valid_from or low) <= (a.valid_to or high)


def plan_changeset(changeset: ChangeSet) -> Plan:
    """Check the change-set against the stored units and work out the rows to write (nothing is written)."""
    errors: list[str] = []
    codes = (
        {e.code for e in changeset.ended}
        | {e.code for e in changeset.new}
        | {e.parent_code for e in changeset.new if e.parent_code}
        | {e.old_code for e in changeset.successions}
        | {e.new_code for e in changeset.successions}
    )
    units: dict[tuple[int, str], list[_Planned]] = defaultdict(list)
    for pk, level, code, name, valid_from, valid_to, parent_id in (
        Unit.objects.order_by()
        .filter(code__in=codes)
        .values_list("id", "level", "code", "name", "valid_from", "valid_to", "parent_id")
    ):
        units[(level, code)].append(_Planned(pk, level, code, name, valid_from, valid_to, parent_id))
    by_id = {u.id: u for group in units.values() for u in group}

    def find(level: int, code: str, day: dt.date, *, stored_only: bool = False) -> list[_Planned]:
        return [u for u in units[(level, code)] if u.valid_on(day) and (u.id or not stored_only)]

    def missing(where: str, level: int, code: str, day: dt.date, what: str) -> None:
        if not units[(level, code)]:
            errors.append(
                _("%(where)s: không có %(what)s %(level)s nào mang mã %(code)s.")
                % {"where": where, "what": what, "level": level_name(level), "code": code}
            )
        else:
            known = "; ".join(u.describe() for u in units[(level, code)])
            errors.append(
                _(
                    "%(where)s: không có %(what)s %(level)s mã %(code)s có hiệu lực ngày %(day)s "
                    "(mã này: %(known)s)."
                )
                % {
                    "where": where,
                    "what": what,
                    "level": level_name(level),
                    "code": code,
                    "day": show(day),
                    "known": known,
                }
            )

    plan = Plan()
    # 1. Units that end: looked up among stored units as of their last day.
    ended_ids: dict[int, EndedEntry] = {}
    for entry in changeset.ended:
        found = find(entry.level, entry.code, entry.valid_to, stored_only=True)
        if not found:
            missing(entry.where, entry.level, entry.code, entry.valid_to, _("đơn vị"))
            continue
        unit = found[0]
        if unit.id in ended_ids:
            errors.append(
                _("%(where)s: đơn vị %(unit)s đã được kết thúc ở %(other)s.")
                % {"where": entry.where, "unit": unit.describe(), "other": ended_ids[unit.id].where}
            )
            continue
        ended_ids[unit.id] = entry
        if unit.valid_to == entry.valid_to:
            plan.unchanged_ends += 1
        elif unit.valid_to is not None:
            errors.append(
                _("%(where)s: đơn vị %(unit)s đã kết thúc ngày %(day)s; không thể đặt lại ngày kết thúc.")
                % {"where": entry.where, "unit": unit.describe(), "day": show(unit.valid_to)}
            )
        else:
            unit.valid_to = entry.valid_to
            plan.ends.append((unit.id, entry.valid_to))

    # 2. New units: the same key (level, code, first day) as a stored unit means that unit (a second run).
    seen_new: dict[UnitKey, NewEntry] = {}
    for entry in changeset.new:
        key = (entry.level, entry.code, entry.valid_from)
        if key in seen_new:
            errors.append(
                _("%(where)s: trùng với %(other)s (cùng mã, cấp và ngày bắt đầu).")
                % {"where": entry.where, "other": seen_new[key].where}
            )
            continue
        seen_new[key] = entry
        same = [u for u in units[(entry.level, entry.code)] if u.valid_from == entry.valid_from]
        if same:
            # Without an explicit end, a unit ended since (by a later change-set) keeps its end.
            same[0].entry, same[0].name = entry, entry.name
            same[0].valid_to = entry.valid_to or same[0].valid_to
        else:
            units[(entry.level, entry.code)].append(
                _Planned(
                    None, entry.level, entry.code, entry.name, entry.valid_from, entry.valid_to, entry=entry
                )
            )

    # 3. No two units of one code and level valid on the same day.
    for group in units.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if (a.entry or b.entry) and _overlap(a, b):
                    mine, other = (a, b) if a.entry else (b, a)
                    errors.append(
                        _("%(where)s: thời gian hiệu lực trùng với đơn vị %(other)s cùng mã %(code)s.")
                        % {"where": mine.entry.where, "other": other.describe(), "code": mine.code}
                    )

    # 4. Parents: valid on the new unit's first day, and not ending before it.
    for entry in changeset.new:
        if (
            entry.parent_code is None
            or seen_new.get((entry.level, entry.code, entry.valid_from)) is not entry
        ):
            continue
        level = entry.parent_level or Level.PROVINCE
        parents = find(level, entry.parent_code, entry.valid_from)
        if not parents:
            missing(entry.where, level, entry.parent_code, entry.valid_from, _("đơn vị cấp trên"))
            continue
        parent = parents[0]
        unit_end = next(u.valid_to for u in units[(entry.level, entry.code)] if u.entry is entry)
        if parent.valid_to and (unit_end is None or unit_end > parent.valid_to):
            errors.append(
                _("%(where)s: đơn vị cấp trên %(parent)s kết thúc trước đơn vị này.")
                % {"where": entry.where, "parent": parent.describe()}
            )
            continue
        plan.units.append(
            UnitRow(
                code=entry.code,
                name=entry.name,
                kind=entry.kind,
                valid_from=entry.valid_from,
                valid_to=entry.valid_to or KEEP,
                parent=parent.key,
                source=changeset.source,
            )
        )
    for entry in changeset.new:
        if (
            entry.level == Level.PROVINCE
            and seen_new.get((entry.level, entry.code, entry.valid_from)) is entry
        ):
            plan.units.append(
                UnitRow(
                    code=entry.code,
                    name=entry.name,
                    kind=entry.kind,
                    valid_from=entry.valid_from,
                    valid_to=entry.valid_to or KEEP,
                    parent=None,
                    source=changeset.source,
                )
            )

    # 5. A unit may not end while its children go on (they must end too, and start again under a new parent).
    if ended_ids:
        for pk, name, code, valid_from, valid_to, parent_id in (
            Unit.objects.order_by()
            .filter(parent_id__in=list(ended_ids))
            .values_list("id", "name", "code", "valid_from", "valid_to", "parent_id")
        ):
            child = by_id.get(pk) or _Planned(pk, 0, code, name, valid_from, valid_to)
            end = ended_ids[parent_id].valid_to
            if child.valid_to is None or child.valid_to > end:
                errors.append(
                    _(
                        "%(where)s: đơn vị con %(child)s (mã %(code)s) vẫn còn hiệu lực sau ngày %(day)s; "
                        "hãy kết thúc cả đơn vị con trong cùng tệp."
                    )
                    % {
                        "where": ended_ids[parent_id].where,
                        "child": child.describe(),
                        "code": code,
                        "day": show(end),
                    }
                )

    # 6. Successions: the old unit as of the day before the change, the new one as of the day itself.
    seen_succession: dict[tuple[UnitKey, UnitKey, dt.date], str] = {}
    for entry in changeset.successions:
        last_old_day = entry.effective_date - dt.timedelta(days=1)
        olds = find(entry.old_level, entry.old_code, last_old_day)
        news = find(entry.new_level, entry.new_code, entry.effective_date)
        if not olds:
            missing(entry.where, entry.old_level, entry.old_code, last_old_day, _("đơn vị cũ"))
        if not news:
            missing(entry.where, entry.new_level, entry.new_code, entry.effective_date, _("đơn vị mới"))
        if not (olds and news):
            continue
        if olds[0] is news[0]:
            errors.append(
                _("%(where)s: đơn vị cũ và đơn vị mới là cùng một đơn vị %(unit)s.")
                % {"where": entry.where, "unit": olds[0].describe()}
            )
            continue
        key = (olds[0].key, news[0].key, entry.effective_date)
        if key in seen_succession:
            errors.append(
                _("%(where)s: trùng với %(other)s.") % {"where": entry.where, "other": seen_succession[key]}
            )
            continue
        seen_succession[key] = entry.where
        plan.successions.append(
            SuccessionRow(
                predecessor=olds[0].key,
                successor=news[0].key,
                effective_date=entry.effective_date,
                kind=entry.kind,
                partly_merged=entry.partly_merged,
                source=changeset.source,
                note=entry.note,
            )
        )
    if errors:
        raise ChangeSetError(changeset.file, errors)
    return plan
