"""Field masking: which fields are sensitive, who may see them, and how they read to everyone else.

Declarative rule: `SENSITIVE_FIELDS` maps a model label ("cases.PersonStatus") to its sensitive fields, each a
field name (masked as free text) or a `Sensitive(name, kind, when)`. Apps fill it for their own models from
their AppConfig.ready(), with `register_sensitive`:

    register_sensitive("cases.Person", Sensitive("cccd", MaskKind.CCCD), Sensitive("phone", MaskKind.PHONE))
    register_sensitive("cases.PersonStatus", Sensitive("note", when=lambda status: status.is_health_related))

Who may see them: `may_see_sensitive(user, obj)`: the roles with VIEW_SENSITIVE (administrator, provincial
programme manager) everywhere in their scope; others where an app's rule says so (a social worker on the cases
assigned to them: the cases app registers that rule with `register_sensitive_access`). Scope is not checked
here: the object was already found through `for_user` (the one door).

How they read otherwise: `mask(value, kind)`: a CCCD keeps its last 4 digits, a phone number its last 3,
free text becomes "•••". Empty values stay empty.

The same rule serves every way out: `MaskedObject` and the template filters of `{% load audit %}` for pages,
`SensitiveFieldsSerializerMixin` (ctxh.audit.api) for the API, `masked_rows` / `masked_workbook` for exports.
"""

import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ctxh.accounts.roles import Capability

TEXT_MASK = "•••"
DIGIT_MASK = "*"


class MaskKind(StrEnum):
    CCCD = "cccd"  # last 4 digits kept
    PHONE = "phone"  # last 3 digits kept
    TEXT = "text"  # replaced as a whole


# ---------------------------------------------------------------------------------------------- how


def _keep_last_digits(text: str, keep: int) -> str:
    """Every digit but the last `keep` replaced by "*"; spaces, "+" and dashes kept so the shape stays."""
    digits = sum(ch.isdigit() for ch in text)
    if digits == 0:
        return TEXT_MASK
    hide = digits - keep if digits > keep else digits  # a value no longer than `keep` is hidden whole
    out = []
    for ch in text:
        if ch.isdigit() and hide > 0:
            out.append(DIGIT_MASK)
            hide -= 1
        else:
            out.append(ch)
    return "".join(out)


def mask(value: Any, kind: MaskKind | str = MaskKind.TEXT) -> Any:
    """A value as someone who may not see it reads it. None and "" stay as they are (whether a field is
    filled is not hidden); any other value is masked by kind."""
    if value is None or value == "":
        return value
    kind = MaskKind(kind)
    if kind == MaskKind.CCCD:
        return _keep_last_digits(str(value), 4)
    if kind == MaskKind.PHONE:
        return _keep_last_digits(str(value), 3)
    return TEXT_MASK


def mask_cccd(number: str | None) -> str:
    """A CCCD for people who may not see it whole: only the last four digits ("********3456")."""
    return mask(number or "", MaskKind.CCCD)


def is_masked(value: Any) -> bool:
    """Does a CCCD or phone cell read back from an export carry a mask rather than a number?"""
    return isinstance(value, str) and (TEXT_MASK in value or DIGIT_MASK in value)


# ---------------------------------------------------------------------------------------------- what


@dataclass(frozen=True)
class Sensitive:
    """A sensitive field: its name, how to mask it, and optionally a test on the row (a status is sensitive
    only when it is a health status, say). `name` is the model field; a serializer or an export column that
    shows it under another name is matched by its source."""

    name: str
    kind: MaskKind = MaskKind.TEXT
    when: Callable[[Any], bool] | None = None

    def applies_to(self, obj: Any) -> bool:
        return self.when is None or obj is None or bool(self.when(obj))


# Filled by the apps (register_sensitive), keyed by model label ("cases.PersonStatus").
SENSITIVE_FIELDS: dict[str, list[Sensitive | str]] = {}

# Rules that let a user without VIEW_SENSITIVE see the sensitive fields of one object (keyed by model label).
SENSITIVE_ACCESS_RULES: dict[str, list[Callable[[Any, Any], bool]]] = {}


def _label(model_or_obj: Any) -> str:
    if isinstance(model_or_obj, str):
        return model_or_obj
    return model_or_obj._meta.label


def register_sensitive(model_label: str, *fields: Sensitive | str) -> None:
    """Declare sensitive fields of a model (call from the app's AppConfig.ready())."""
    known = {_as_sensitive(entry).name for entry in SENSITIVE_FIELDS.get(model_label, [])}
    SENSITIVE_FIELDS.setdefault(model_label, []).extend(
        field for field in fields if _as_sensitive(field).name not in known
    )


def register_sensitive_access(model_label: str) -> Callable:
    """Decorator: a rule `(user, obj) -> bool` that lets a user see the sensitive fields of `obj` although
    their role lacks VIEW_SENSITIVE (the cases app: the social worker assigned to the case)."""

    def decorator(rule: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
        rules = SENSITIVE_ACCESS_RULES.setdefault(model_label, [])
        if rule not in rules:
            rules.append(rule)
        return rule

    return decorator


def _as_sensitive(entry: Sensitive | str) -> Sensitive:
    return entry if isinstance(entry, Sensitive) else Sensitive(entry)


def sensitive_fields(model_or_obj: Any) -> dict[str, Sensitive]:
    """The sensitive fields declared for a model (a model class, an instance or a label), by field name."""
    entries = SENSITIVE_FIELDS.get(_label(model_or_obj), [])
    return {field.name: field for field in map(_as_sensitive, entries)}


def sensitive_fields_of(obj: Any) -> dict[str, Sensitive]:
    """The sensitive fields that apply to this row (those whose `when` holds)."""
    return {name: field for name, field in sensitive_fields(obj).items() if field.applies_to(obj)}


# ---------------------------------------------------------------------------------------------- who


def may_see_sensitive(user, obj: Any = None) -> bool:
    """May `user` see the sensitive fields (of `obj`, or in general when obj is None)?

    Yes for an active user whose role has VIEW_SENSITIVE (the object is in their scope, else they would not
    have it); otherwise yes only if a rule registered for obj's model says so.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.can(Capability.VIEW_SENSITIVE):
        return True
    if obj is None or not isinstance(obj, models.Model):
        return False
    return any(rule(user, obj) for rule in SENSITIVE_ACCESS_RULES.get(obj._meta.label, ()))


# ---------------------------------------------------------------------------------------------- pages


class MaskedObject:
    """A read-only view of `obj` for `user`: sensitive attributes come out masked unless the user may see
    them; everything else passes through. Templates get one with `obj|masked_for:request.user`."""

    def __init__(self, obj: Any, user):
        self._obj = obj
        self._user = user
        self._visible: bool | None = None
        self._fields = sensitive_fields_of(obj) if obj is not None else {}

    def _may_see(self) -> bool:
        if self._visible is None:
            self._visible = may_see_sensitive(self._user, self._obj)
        return self._visible

    def __getattr__(self, name: str) -> Any:
        if name in ("_obj", "_user", "_visible", "_fields"):  # not yet set (copy, pickle)
            raise AttributeError(name)
        value = getattr(self._obj, name)
        field = self._fields.get(name)
        if field is not None and not self._may_see():
            return mask(value, field.kind)
        return value

    def __str__(self) -> str:
        return str(self._obj)

    def __eq__(self, other: object) -> bool:
        return self._obj == (other._obj if isinstance(other, MaskedObject) else other)

    def __hash__(self) -> int:
        return hash(self._obj)


def masked_value(obj: Any, name: str, user) -> Any:
    """One attribute of obj as `user` may read it."""
    return getattr(MaskedObject(obj, user), name)


# ---------------------------------------------------------------------------------------------- exports


def masked_row(
    obj: Any, values: Mapping[str, Any], *, user, sources: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`values` (one export row about `obj`, keyed by column) with the sensitive columns masked for `user`.

    A column is sensitive when its key, or the model field that `sources` names for it, is a sensitive field
    of obj. Masked cells are text ("********3456"), so a masked export never shows a number it should hide.
    """
    row = dict(values)
    fields = sensitive_fields_of(obj)
    if not fields:
        return row
    sources = sources or {}
    hidden = {key: fields[sources.get(key, key)] for key in row if sources.get(key, key) in fields}
    if hidden and not may_see_sensitive(user, obj):
        for key, field in hidden.items():
            row[key] = mask(row[key], field.kind)
    return row


def masked_rows(
    objects: Iterable,
    *,
    user,
    values: Callable[[Any], Mapping[str, Any]],
    sources: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Export rows, one per object (`values(obj)`), masked for `user` the same way as pages and the API.

    Feed them to ctxh.imports.spreadsheet.build_workbook, or use `masked_workbook` for a plain sheet."""
    for obj in objects:
        yield masked_row(obj, values(obj), user=user, sources=sources)


def masked_workbook(
    objects: Iterable,
    *,
    user,
    columns: Sequence[tuple[str, str]],
    values: Callable[[Any], Mapping[str, Any]],
    sources: Mapping[str, str] | None = None,
    title: str | None = None,
) -> bytes:
    """An .xlsx (openpyxl) with a bold frozen header (`columns`: key and header) and one row per object,
    sensitive cells masked for `user`. Record the export with ctxh.audit.services.log_export."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title or _("Dữ liệu"))[:31]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, (_key, header) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=str(header))
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[cell.column_letter].width = max(12, min(40, len(str(header)) + 4))
    sheet.freeze_panes = "A2"
    for number, row in enumerate(masked_rows(objects, user=user, values=values, sources=sources), start=2):
        for index, (key, _header) in enumerate(columns, start=1):
            value = row.get(key)
            if value is None or value == "":
                continue
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str):
                cell.number_format = "@"
            elif hasattr(value, "year"):
                cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
