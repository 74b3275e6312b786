"""Indicator definitions, programmes and targets as data: the JSON files of `ctxh/indicators/data/`.

`load_indicator_data(paths)` reads the files (every file of the folder by default), checks everything, then
upserts by code in one transaction: a bad file writes nothing, and every message names the file and the
place in it (`plan154_tuyen_quang.json, targets[2].value: ...`). Nothing is deleted: a programme or a
definition missing from the files stays as it is (switch it off with `is_active`). The format is described
in docs/programmes.md.

A file holds any of these sections, each optional:
- `category_combos` (with their `options`), `data_elements`, `indicators`, `data_sets`, `validation_rules`:
  the shared reference data (`reference.json`);
- `programme` (one object) and its `targets`: one file per programme (`plan154_tuyen_quang.json`).

A reference (an indicator's data element, a target's indicator, ...) may name a code defined in any of the
files loaded together, or one already in the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from ctxh.geo.models import Level
from ctxh.geo.sync import Counts
from ctxh.indicators.models import (
    CategoryCombo,
    CategoryOptionCombo,
    CombinationRule,
    Comparison,
    DataElement,
    DataSet,
    DataSetElement,
    Direction,
    IndicatorDefinition,
    IndicatorKind,
    PeriodType,
    Programme,
    Source,
    Target,
    TargetScope,
    ValidationAction,
    ValidationRule,
    ValueType,
)
from ctxh.indicators.periods import Period, PeriodKind, parse_period
from ctxh.indicators.registry import METHODS
from ctxh.workforce.models import ProgrammePhase

DATA_DIR = Path(__file__).resolve().parent / "data"


class DefinitionsError(Exception):
    """The files cannot be loaded; `messages` says where and why (nothing was written)."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class LoadReport:
    files: list[str]
    # (model, label, counts) in the order the data is written: disaggregations first, targets last.
    counts: list[tuple[type[models.Model], str, Counts]] = field(default_factory=list)

    def get(self, model: type[models.Model]) -> Counts:
        return next(counts for written, _label, counts in self.counts if written is model)

    @property
    def changed(self) -> bool:
        return any(counts.changed for _model, _label, counts in self.counts)


# ---------------------------------------------------------------------------------------------- reading

# The last parsed content of each file: path -> (digest of the bytes, parsed JSON).
_parsed: dict[str, tuple[bytes, Any]] = {}


def data_files(paths: Iterable[str | Path] | None = None) -> list[Path]:
    """The files to load: those given, or every `*.json` of the data folder (by name)."""
    if paths:
        return [Path(path) for path in paths]
    return sorted(DATA_DIR.glob("*.json"))


def read_data_file(path: Path) -> Any:
    """The parsed JSON of one file, kept in memory while its content does not change (the tests load the
    files many times). Numbers with a decimal point are read as Decimal, exactly as written."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DefinitionsError([_("%(file)s: không mở được tệp (%(error)s).")
                                % {"file": path.name, "error": error.strerror or error}]) from None
    key, digest = str(path.resolve()), hashlib.sha256(content).digest()
    if _parsed.get(key, (None,))[0] != digest:
        try:
            _parsed[key] = (digest, json.loads(content.decode("utf-8"), parse_float=Decimal))
        except UnicodeDecodeError:
            raise DefinitionsError([_("%(file)s: tệp không được mã hóa UTF-8.") % {"file": path.name}]) \
                from None
        except json.JSONDecodeError as error:
            raise DefinitionsError([
                _("%(file)s: không đọc được JSON ở dòng %(line)s, cột %(column)s (%(error)s).")
                % {"file": path.name, "line": error.lineno, "column": error.colno, "error": error.msg}
            ]) from None
    return _parsed[key][1]


# ---------------------------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class Spec:
    """One key of an object in a file: its type, whether it is required, its default."""

    kind: str  # "str", "int", "bool", "date", "number", "strings", "dict", "objects"
    required: bool = False
    default: Any = None
    max_length: int | None = None
    choices: tuple[str, ...] = ()


def _text(max_length: int | None = 300, *, required: bool = False) -> Spec:
    return Spec("str", required=required, default="", max_length=max_length)


def _code(max_length: int) -> Spec:
    return Spec("str", required=True, max_length=max_length)


def _choice(choices, default=None) -> Spec:
    return Spec("str", required=default is None, default=default, choices=tuple(choices))


COMBO = {"code": _code(40), "name_vi": _text(required=True), "name_en": _text(),
         "options": Spec("objects", required=True)}
OPTION = {"code": _code(60), "name_vi": _text(required=True), "name_en": _text(),
          "dimensions": Spec("dict", default={}), "sort_order": Spec("int")}
ELEMENT = {
    "code": _code(60), "name_vi": _text(required=True), "name_en": _text(), "short_name_vi": _text(120),
    "description_vi": _text(None), "description_en": _text(None),
    "value_type": _choice(ValueType.values, ValueType.INTEGER_ZERO_OR_POSITIVE.value),
    "category_combo": _code(40), "zero_is_significant": Spec("bool", default=True),
}
INDICATOR = {
    "code": _code(40), "name_vi": _text(required=True), "name_en": _text(),
    "short_name_vi": _text(120), "short_name_en": _text(120),
    "description_vi": _text(None), "description_en": _text(None),
    "kind": _choice(IndicatorKind.values), "value_kind": _choice(("ratio", "count")),
    "source": _choice(Source.values, Source.RECORDS.value), "method": _text(40),
    "data_element": Spec("str", default=None, max_length=60),
    "denominator_element": Spec("str", default=None, max_length=60),
    "combination_rule": _choice(CombinationRule.values, CombinationRule.NONE.value),
    "disaggregations": Spec("strings", default=[]),
    "direction": _choice(Direction.values, Direction.UP.value),
    "sort_order": Spec("int", default=0), "is_active": Spec("bool", default=True),
}
DATA_SET = {
    "code": _code(40), "name_vi": _text(required=True), "name_en": _text(),
    "period_type": _choice(PeriodType.values),
    "unit_level": Spec("int", default=Level.COMMUNE.value), "expiry_days": Spec("int", default=30),
    "timely_days": Spec("int", default=15), "is_active": Spec("bool", default=True),
    "elements": Spec("strings", required=True),
}
RULE = {
    "code": _code(60), "data_set": _code(40), "name_vi": _text(required=True), "name_en": _text(),
    "left_side": _text(500, required=True), "operator": _choice(("<=", "<", "==", ">=", ">")),
    "right_side": _text(500, required=True),
    "action": _choice(ValidationAction.values, ValidationAction.WARN.value),
    "instruction_vi": _text(required=True), "instruction_en": _text(),
}
PROGRAMME = {
    "code": _code(30), "name_vi": _text(required=True), "name_en": _text(), "document": _text(),
    "scope_unit_code": _text(10), "start_date": Spec("date", required=True),
    "end_date": Spec("date", required=True), "is_active": Spec("bool", default=True),
    "sort_order": Spec("int", default=0),
}
TARGET = {
    "indicator": _code(40), "phase_code": _text(10), "period_code": _code(20),
    "start_date": Spec("date", required=True), "deadline": Spec("date", required=True),
    "value": Spec("number", required=True), "comparison": _choice(Comparison.values),
    "baseline_period_code": _text(20), "applies_to": _choice(TargetScope.values, TargetScope.ANY_UNIT.value),
    "label_vi": _text(required=True), "label_en": _text(), "is_confirmed": Spec("bool", default=True),
}
LISTS = ("category_combos", "data_elements", "indicators", "data_sets", "validation_rules", "targets")
TOP_LEVEL = (*LISTS, "programme", "note")

_TERM = re.compile(r"#\{([^}.\s]+)(?:\.([^}\s]+))?\}")
_EXPRESSION = re.compile(r"^\s*#\{[^}]+\}(\s*\+\s*#\{[^}]+\})*\s*$")


@dataclass
class Row:
    """One object of a file, read: its values and where it came from (for messages)."""

    file: str
    path: str
    data: dict


class Checker:
    """Reads the files' objects, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, file: str, path: str, message: str) -> None:
        self.errors.append(f"{file}, {path}: {message}" if path else f"{file}: {message}")

    def read(self, file: str, path: str, value: Any, specs: dict[str, Spec]) -> dict | None:
        """The object's values by key, defaults filled in; None when it is not an object."""
        if not isinstance(value, dict):
            self.error(file, path, _("phải là một đối tượng JSON ({...})."))
            return None
        for key in value:
            if key not in specs:
                self.error(file, f"{path}.{key}", _("khóa không được dùng ở đây. Các khóa được dùng: "
                                                    "%(keys)s.") % {"keys": ", ".join(specs)})
        data = {}
        for key, spec in specs.items():
            where = f"{path}.{key}"
            if value.get(key) is None:
                if spec.required:
                    self.error(file, where, _missing(key))
                default = spec.default
                data[key] = list(default) if isinstance(default, list) else dict(default) \
                    if isinstance(default, dict) else default
            else:
                data[key] = self.value(file, where, value[key], spec)
        return data

    def value(self, file: str, where: str, value: Any, spec: Spec) -> Any:
        """One value of the spec's type; the spec's default (and a message) when it is not."""
        read = getattr(self, f"_{spec.kind}")
        problem, result = read(value, spec)
        if problem:
            self.error(file, where, problem)
            return spec.default
        if spec.required and result == "":
            self.error(file, where, _missing(where.rsplit(".", 1)[-1]))
        return result

    @staticmethod
    def _str(value, spec: Spec) -> tuple[str, Any]:
        if not isinstance(value, str):
            return _("phải là một chuỗi ký tự."), None
        value = value.strip()
        if spec.max_length and len(value) > spec.max_length:
            return _("dài quá %(n)s ký tự.") % {"n": spec.max_length}, None
        if spec.choices and value not in spec.choices and (value or not spec.required):
            return _("“%(value)s” không hợp lệ. Giá trị hợp lệ: %(values)s.") % {
                "value": value, "values": ", ".join(choice or '""' for choice in spec.choices)}, None
        return "", value

    @staticmethod
    def _int(value, spec: Spec) -> tuple[str, Any]:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return _("phải là một số nguyên không âm."), None
        return "", value

    @staticmethod
    def _bool(value, spec: Spec) -> tuple[str, Any]:
        return ("", value) if isinstance(value, bool) else (_("phải là true hoặc false."), None)

    @staticmethod
    def _date(value, spec: Spec) -> tuple[str, Any]:
        problem = _("“%(value)s” không phải một ngày hợp lệ; hãy viết YYYY-MM-DD (ví dụ 2025-12-31).") % {
            "value": value}
        if not isinstance(value, str) or len(value) != 10:
            return problem, None
        try:
            return "", dt.date.fromisoformat(value)
        except ValueError:
            return problem, None

    @staticmethod
    def _number(value, spec: Spec) -> tuple[str, Any]:
        # Written as a JSON number (0.6, 2000), not a string: a typo must not pass as a value.
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite():
            return _("“%(value)s” không phải một số (viết không có dấu ngoặc kép, dấu chấm thập phân, ví dụ "
                     "0.6 hoặc 2000).") % {"value": value}, None
        return "", Decimal(value)

    @staticmethod
    def _dict(value, spec: Spec) -> tuple[str, Any]:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return _("phải là một đối tượng JSON mà mỗi giá trị là một chuỗi, ví dụ "
                     "{\"sex\": \"female\"}."), None
        return "", dict(value)  # a copy: the parsed file is kept in memory

    @staticmethod
    def _strings(value, spec: Spec) -> tuple[str, Any]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return _("phải là một danh sách chuỗi ký tự, ví dụ [\"sex\", \"group\"]."), None
        return "", [v.strip() for v in value]

    @staticmethod
    def _objects(value, spec: Spec) -> tuple[str, Any]:
        return ("", value) if isinstance(value, list) else (_("phải là một danh sách ([...])."), None)


def _missing(key: str) -> str:
    if key.startswith("name_") and key.endswith("_vi"):
        return _("thiếu tên tiếng Việt (bắt buộc).")
    if key.endswith("_vi"):
        return _("thiếu nội dung tiếng Việt (bắt buộc).")
    return _("bắt buộc, chưa có.")


# ---------------------------------------------------------------------------------------------- checking


@dataclass
class Plan:
    """Everything the files define, keyed by code (targets by programme, indicator and period)."""

    files: list[str]
    combos: dict[str, Row] = field(default_factory=dict)
    options: dict[str, Row] = field(default_factory=dict)
    elements: dict[str, Row] = field(default_factory=dict)
    indicators: dict[str, Row] = field(default_factory=dict)
    data_sets: dict[str, Row] = field(default_factory=dict)
    rules: dict[str, Row] = field(default_factory=dict)
    programmes: dict[str, Row] = field(default_factory=dict)
    targets: dict[tuple[str, str, str], Row] = field(default_factory=dict)


class _Stored:
    """What the database already holds, read only when a file refers to a code the files do not define."""

    def __init__(self) -> None:
        self._read: dict[str, Any] = {}

    def _once(self, name: str, read: Callable[[], Any]) -> Any:
        if name not in self._read:
            self._read[name] = read()
        return self._read[name]

    def element_combos(self) -> dict[str, str]:
        return self._once("elements", lambda: dict(
            DataElement.objects.values_list("code", "category_combo__code")))

    def combo_options(self) -> dict[str, set[str]]:
        """Every combo's option codes (a combo without options too)."""
        def read() -> dict[str, set[str]]:
            options = {code: set() for code in CategoryCombo.objects.values_list("code", flat=True)}
            for combo, option in CategoryOptionCombo.objects.values_list("combo__code", "code"):
                options[combo].add(option)
            return options
        return self._once("combos", read)

    def option_combos(self) -> dict[str, str]:
        return self._once("options", lambda: dict(
            CategoryOptionCombo.objects.values_list("code", "combo__code")))

    def indicator_value_kinds(self) -> dict[str, str]:
        return self._once("indicators", lambda: dict(
            IndicatorDefinition.objects.values_list("code", "value_kind")))

    def data_set_elements(self) -> dict[str, set[str]]:
        def read() -> dict[str, set[str]]:
            sets = {code: set() for code in DataSet.objects.values_list("code", flat=True)}
            pairs = DataSetElement.objects.values_list("data_set__code", "data_element__code")
            for data_set, element in pairs:
                sets[data_set].add(element)
            return sets
        return self._once("data_sets", read)

    def phases(self) -> dict[str, tuple[dt.date, dt.date]]:
        return self._once("phases", lambda: {
            code: (start, end)
            for code, start, end in ProgrammePhase.objects.values_list("code", "start_date", "end_date")})


def check_files(paths: Sequence[Path]) -> Plan:
    """Read and check the files; raises DefinitionsError with every problem found.

    Each object is checked on its own first; then, when that passed, the references between objects.
    """
    checker = Checker()
    plan = Plan(files=[path.name for path in paths])
    for path in paths:
        try:
            content = read_data_file(path)
        except DefinitionsError as error:
            checker.errors.extend(error.messages)
            continue
        _collect(checker, plan, path.name, content)
    if not checker.errors:
        _check_references(checker, plan, _Stored())
    if checker.errors:
        raise DefinitionsError(checker.errors)
    return plan


def _collect(checker: Checker, plan: Plan, file: str, content: Any) -> None:
    """The file's objects into the plan, each checked on its own."""
    if not isinstance(content, dict):
        checker.error(file, "", _("tệp phải chứa một đối tượng JSON ({...}) với các mục %(sections)s.")
                      % {"sections": ", ".join(TOP_LEVEL)})
        return
    for key in content:
        if key not in TOP_LEVEL:
            checker.error(file, key, _("mục không được dùng. Các mục được dùng: %(sections)s.")
                          % {"sections": ", ".join(TOP_LEVEL)})

    def add(registry: dict, key: str | tuple, row: Row) -> None:
        if key in registry:
            first = registry[key]
            checker.error(row.file, row.path, _("trùng mã “%(code)s” với %(file)s, %(path)s.") % {
                "code": key if isinstance(key, str) else " / ".join(key[1:]), "file": first.file,
                "path": first.path})
        else:
            registry[key] = row

    def objects(section: str, specs: dict[str, Spec]) -> Iterator[Row]:
        for index, value in enumerate(checker.value(file, section, content.get(section, []),
                                                    Spec("objects", default=[]))):
            path = f"{section}[{index}]"
            data = checker.read(file, path, value, specs)
            if data is not None:
                yield Row(file, path, data)

    for combo in objects("category_combos", COMBO):
        add(plan.combos, combo.data["code"], combo)
        options = combo.data.pop("options")
        if options == []:
            checker.error(file, f"{combo.path}.options", _("cần ít nhất một ô phân tổ."))
        for index, value in enumerate(options or []):
            path = f"{combo.path}.options[{index}]"
            data = checker.read(file, path, value, OPTION)
            if data is not None:
                data["combo"] = combo.data["code"]
                data["sort_order"] = index if data["sort_order"] is None else data["sort_order"]
                add(plan.options, data["code"], Row(file, path, data))
    for section, specs, registry in (("data_elements", ELEMENT, plan.elements),
                                     ("indicators", INDICATOR, plan.indicators),
                                     ("data_sets", DATA_SET, plan.data_sets),
                                     ("validation_rules", RULE, plan.rules)):
        for row in objects(section, specs):
            add(registry, row.data["code"], row)

    programme = None
    if "programme" in content:
        data = checker.read(file, "programme", content["programme"], PROGRAMME)
        if data is not None:
            programme = data["code"]
            add(plan.programmes, programme, Row(file, "programme", data | {"source_file": file}))
    elif "targets" in content:
        checker.error(file, "targets", _("chỉ tiêu phải nằm trong tệp của chương trình (cần mục programme)."))
    for row in objects("targets", TARGET):
        if programme:
            row.data["programme"] = programme
            add(plan.targets, (programme, row.data["indicator"], row.data["period_code"]), row)


def _check_references(checker: Checker, plan: Plan, stored: _Stored) -> None:
    """References between objects (to the files loaded together, or to the database), and the rules that
    involve several keys of one object."""
    error = checker.error

    def combo_of_element(code: str) -> str | None:
        row = plan.elements.get(code)
        return row.data["category_combo"] if row else stored.element_combos().get(code)

    def options_of_combo(code: str) -> set[str]:
        options = {option for option, row in plan.options.items() if row.data["combo"] == code}
        return options | stored.combo_options().get(code, set())

    for code, row in plan.options.items():
        combo = stored.option_combos().get(code)
        if combo is not None and combo != row.data["combo"]:
            error(row.file, f"{row.path}.code", _("ô phân tổ “%(code)s” đã thuộc cách phân tổ “%(combo)s”.")
                  % {"code": code, "combo": combo})
    for row in plan.elements.values():
        combo = row.data["category_combo"]
        if combo not in plan.combos and combo not in stored.combo_options():
            error(row.file, f"{row.path}.category_combo", _("không có cách phân tổ mã “%(code)s”.")
                  % {"code": combo})
    for row in plan.indicators.values():
        _check_indicator(checker, row, combo_of_element)

    set_elements = {code: set(row.data["elements"]) for code, row in plan.data_sets.items()}
    for row in plan.data_sets.values():
        if row.data["unit_level"] not in Level.values:
            error(row.file, f"{row.path}.unit_level", _("cấp đơn vị phải là 1, 2 hoặc 3."))
        seen: set[str] = set()
        for index, element in enumerate(row.data["elements"]):
            where = f"{row.path}.elements[{index}]"
            if combo_of_element(element) is None:
                error(row.file, where, _("không có phần tử dữ liệu mã “%(code)s”.") % {"code": element})
            elif element in seen:
                error(row.file, where, _("phần tử dữ liệu “%(code)s” bị lặp.") % {"code": element})
            seen.add(element)
    for row in plan.rules.values():
        data_set = row.data["data_set"]
        elements = set_elements.get(data_set)
        if elements is None:
            elements = stored.data_set_elements().get(data_set)
        if elements is None:
            error(row.file, f"{row.path}.data_set", _("không có bộ số liệu mã “%(code)s”.")
                  % {"code": data_set})
            continue
        for side in ("left_side", "right_side"):
            _check_expression(checker, row, side, elements, combo_of_element, options_of_combo)

    for row in plan.programmes.values():
        data = row.data
        if data["end_date"] < data["start_date"]:
            error(row.file, f"{row.path}.end_date", _("ngày kết thúc trước ngày bắt đầu."))
        if data["scope_unit_code"] and not data["scope_unit_code"].isdigit():
            error(row.file, f"{row.path}.scope_unit_code", _(
                "phải là mã đơn vị hành chính (chữ số), ví dụ “08”; để trống với một chương trình toàn "
                "quốc."))
    for row in plan.targets.values():
        _check_target(checker, plan, stored, row)


def _check_indicator(checker: Checker, row: Row, combo_of_element) -> None:
    data, error = row.data, checker.error
    element, method, source = data["data_element"], data["method"], data["source"]
    if element and combo_of_element(element) is None:
        error(row.file, f"{row.path}.data_element", _("không có phần tử dữ liệu mã “%(code)s”.")
              % {"code": element})
    if method and method not in METHODS:
        error(row.file, f"{row.path}.method", _("không có phương pháp tính “%(method)s”. Các phương pháp: "
                                                "%(methods)s.") % {"method": method,
                                                                  "methods": ", ".join(METHODS)})
    denominator = data["denominator_element"]
    if denominator and combo_of_element(denominator) is None:
        error(row.file, f"{row.path}.denominator_element", _("không có phần tử dữ liệu mã “%(code)s”.")
              % {"code": denominator})
    reported_ratio = source in (Source.AGGREGATE, Source.BOTH) and data["value_kind"] == "ratio"
    if reported_ratio and not denominator:
        error(row.file, f"{row.path}.denominator_element", _(
            "tỷ lệ lấy số liệu báo cáo cần phần tử dữ liệu của mẫu số."))
    if denominator and not reported_ratio:
        error(row.file, f"{row.path}.denominator_element", _(
            "chỉ dùng cho một tỷ lệ lấy số liệu báo cáo (value_kind “ratio”, source “aggregate” hoặc "
            "“both”)."))
    if source in (Source.AGGREGATE, Source.BOTH) and not element:
        error(row.file, f"{row.path}.data_element", _(
            "chỉ số lấy số liệu báo cáo (source “%(source)s”) cần một phần tử dữ liệu.") % {"source": source})
    if source in (Source.RECORDS, Source.BOTH) and not method:
        error(row.file, f"{row.path}.method",
              _("chỉ số tính từ hồ sơ (source “%(source)s”) cần một phương pháp tính.") % {"source": source})
    if (source == Source.BOTH) != bool(data["combination_rule"]):
        error(row.file, f"{row.path}.combination_rule", _(
            "chỉ số có cả hai nguồn (source “both”) cần quy tắc kết hợp “records_first”; các chỉ số khác để "
            "trống."))


def _check_expression(checker: Checker, row: Row, side: str, elements: set[str], combo_of_element,
                      options_of_combo) -> None:
    text, where = row.data[side], f"{row.path}.{side}"
    if not _EXPRESSION.match(text):
        checker.error(row.file, where, _(
            "“%(text)s” không hợp lệ: hãy viết một tổng các số hạng #{MÃ} hoặc #{MÃ.Ô}, ví dụ "
            "#{COUNSELLED_PEOPLE} + #{COUNSELLED_CHILDREN.MALE}.") % {"text": text})
        return
    for element, option in _TERM.findall(text):
        if element not in elements:
            checker.error(row.file, where, _("phần tử dữ liệu “%(code)s” không thuộc bộ số liệu “%(set)s”.")
                          % {"code": element, "set": row.data["data_set"]})
        elif option and option not in options_of_combo(combo_of_element(element)):
            checker.error(row.file, where, _("“%(option)s” không phải một ô phân tổ của “%(code)s”.")
                          % {"option": option, "code": element})


def _period(checker: Checker, row: Row, key: str) -> Period | None:
    """A target's period: a year, six months or a span of years, written as its code."""
    code = row.data[key]
    try:
        period = parse_period(code)
    except ValidationError as error:
        checker.error(row.file, f"{row.path}.{key}", " ".join(error.messages))
        return None
    if period.kind == PeriodKind.DAY or period.code != code:
        checker.error(row.file, f"{row.path}.{key}", _(
            "“%(code)s” không dùng được làm kỳ của chỉ tiêu: hãy dùng một năm (2025), sáu tháng (2025S1) "
            "hoặc một giai đoạn (2021-2025).") % {"code": code})
        return None
    return period


def _check_target(checker: Checker, plan: Plan, stored: _Stored, row: Row) -> None:
    data, error = row.data, checker.error
    indicator = plan.indicators.get(data["indicator"])
    value_kind = (indicator.data["value_kind"] if indicator
                  else stored.indicator_value_kinds().get(data["indicator"]))
    if value_kind is None:
        error(row.file, f"{row.path}.indicator", _("không có chỉ số mã “%(code)s”.")
              % {"code": data["indicator"]})

    period = _period(checker, row, "period_code")
    start, deadline = data["start_date"], data["deadline"]
    if deadline < start:
        error(row.file, f"{row.path}.deadline", _("thời hạn trước ngày bắt đầu tính."))
    elif period and not (start <= period.start and period.end <= deadline):
        error(row.file, f"{row.path}.period_code", _(
            "kỳ %(period)s phải nằm trong khoảng từ ngày bắt đầu tính (%(start)s) đến thời hạn "
            "(%(deadline)s).")
            % {"period": period.code, "start": _dmy(start), "deadline": _dmy(deadline)})
    programme = plan.programmes[data["programme"]].data
    if not (programme["start_date"] <= start and deadline <= programme["end_date"]):
        error(row.file, f"{row.path}.deadline", _(
            "chỉ tiêu phải nằm trong thời gian của chương trình (%(start)s - %(end)s).")
            % {"start": _dmy(programme["start_date"]), "end": _dmy(programme["end_date"])})
    phases = stored.phases()
    # No phases at all: a test database emptied by a transactional test (the phases come from a migration).
    if data["phase_code"] and phases:
        bounds = phases.get(data["phase_code"])
        if bounds is None:
            error(row.file, f"{row.path}.phase_code", _("không có giai đoạn mã “%(code)s”. Các giai đoạn: "
                                                        "%(codes)s.") % {"code": data["phase_code"],
                                                                         "codes": ", ".join(phases)})
        elif not (bounds[0] <= start and deadline <= bounds[1]):
            error(row.file, f"{row.path}.phase_code", _(
                "từ ngày bắt đầu tính đến thời hạn phải nằm trong giai đoạn %(code)s (%(start)s - %(end)s).")
                % {"code": data["phase_code"], "start": _dmy(bounds[0]), "end": _dmy(bounds[1])})

    growth = data["comparison"] == Comparison.GROWTH_AT_LEAST
    if growth and not data["baseline_period_code"]:
        error(row.file, f"{row.path}.baseline_period_code", _(
            "chỉ tiêu tăng trưởng (comparison “growth>=”) cần kỳ gốc để so sánh, ví dụ “2020”."))
    elif data["baseline_period_code"] and not growth:
        error(row.file, f"{row.path}.baseline_period_code", _(
            "chỉ dùng kỳ gốc với chỉ tiêu tăng trưởng (comparison “growth>=”)."))
    elif growth:
        baseline = _period(checker, row, "baseline_period_code")
        if baseline and period and baseline.end >= period.start:
            error(row.file, f"{row.path}.baseline_period_code",
                  _("kỳ gốc phải kết thúc trước kỳ của chỉ tiêu."))

    value = data["value"]
    if value < 0:
        error(row.file, f"{row.path}.value", _("không được âm."))
    elif value_kind == "ratio" and not growth and value > 1:
        error(row.file, f"{row.path}.value", _(
            "chỉ số là một tỷ lệ: hãy viết chỉ tiêu từ 0 đến 1 (60 %% là 0.6), không phải %(value)s.")
            % {"value": value})
    elif value.as_tuple().exponent < -4 or value >= 10**10:
        error(row.file, f"{row.path}.value", _("tối đa 10 chữ số phần nguyên và 4 chữ số thập phân."))


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------- writing


def _upsert(model: type[models.Model], rows: list[dict], key_fields: tuple[str, ...],
            existing: Iterable[models.Model]) -> tuple[Counts, dict[tuple, models.Model]]:
    """Create the rows that are new, update those that differ, by natural key; never delete."""
    stored = {tuple(getattr(obj, name) for name in key_fields): obj for obj in existing}
    counts = Counts()
    to_create, to_update, changed_fields = [], [], set()
    for row in rows:
        key = tuple(row[name] for name in key_fields)
        obj = stored.get(key)
        if obj is None:
            stored[key] = obj = model(**row)
            to_create.append(obj)
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, row[name])
        if changed:
            to_update.append(obj)
            changed_fields.update(changed)
        else:
            counts.unchanged += 1
    if to_create:
        model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(changed_fields))
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts, stored


def _ids(model: type[models.Model], codes: Iterable[str | None], written: dict[str, models.Model]
         ) -> dict[str, int]:
    """Primary keys by code: of the objects just written, and of the others (read in one query)."""
    ids = {code: obj.pk for code, obj in written.items()}
    missing = {code for code in codes if code} - set(ids)
    if missing:
        ids |= dict(model.objects.filter(code__in=missing).values_list("code", "pk"))
    return ids


def _write(plan: Plan) -> list[tuple[type[models.Model], str, Counts]]:
    """Upsert the plan, the objects referred to before the objects that refer to them."""
    report: list[tuple[type[models.Model], str, Counts]] = []

    def fields(row: Row, *references: str) -> dict:
        return {name: value for name, value in row.data.items() if name not in references}

    def by_code(model, rows: dict[str, Row], label: str, convert: Callable[[Row], dict]) -> dict:
        counts, stored = _upsert(model, [convert(row) for row in rows.values()], ("code",),
                                 model.objects.filter(code__in=list(rows)))
        report.append((model, label, counts))
        return {key[0]: obj for key, obj in stored.items()}

    def by_key(model, rows: list[dict], label: str, key_fields: tuple[str, ...], existing) -> None:
        report.append((model, label, _upsert(model, rows, key_fields, existing)[0]))

    combos = by_code(CategoryCombo, plan.combos, _("Cách phân tổ"), fields)
    combo_ids = _ids(CategoryCombo, [row.data["combo"] for row in plan.options.values()]
                     + [row.data["category_combo"] for row in plan.elements.values()], combos)
    by_code(CategoryOptionCombo, plan.options, _("Ô phân tổ"),
            lambda row: fields(row, "combo") | {"combo_id": combo_ids[row.data["combo"]]})
    elements = by_code(DataElement, plan.elements, _("Phần tử dữ liệu"), lambda row: fields(
        row, "category_combo") | {"category_combo_id": combo_ids[row.data["category_combo"]]})
    element_ids = _ids(DataElement, [row.data[name] for row in plan.indicators.values()
                                     for name in ("data_element", "denominator_element")]
                       + [code for row in plan.data_sets.values() for code in row.data["elements"]], elements)
    indicators = by_code(IndicatorDefinition, plan.indicators, _("Chỉ số"), lambda row: fields(
        row, "data_element", "denominator_element") | {
        "data_element_id": element_ids.get(row.data["data_element"]),
        "denominator_element_id": element_ids.get(row.data["denominator_element"])})
    data_sets = by_code(DataSet, plan.data_sets, _("Bộ số liệu"), lambda row: fields(row, "elements"))
    by_key(DataSetElement, [
        {"data_set_id": data_sets[code].pk, "data_element_id": element_ids[element], "sort_order": index}
        for code, row in plan.data_sets.items() for index, element in enumerate(row.data["elements"])
    ], _("Phần tử của bộ số liệu"), ("data_set_id", "data_element_id"),
        DataSetElement.objects.filter(data_set__in=list(data_sets.values())))
    set_ids = _ids(DataSet, [row.data["data_set"] for row in plan.rules.values()], data_sets)
    by_code(ValidationRule, plan.rules, _("Quy tắc kiểm tra"),
            lambda row: fields(row, "data_set") | {"data_set_id": set_ids[row.data["data_set"]]})
    programmes = by_code(Programme, plan.programmes, _("Chương trình"), fields)
    indicator_ids = _ids(IndicatorDefinition, [row.data["indicator"] for row in plan.targets.values()],
                         indicators)
    by_key(Target, [
        fields(row, "programme", "indicator") | {"programme_id": programmes[row.data["programme"]].pk,
                                                 "indicator_id": indicator_ids[row.data["indicator"]]}
        for row in plan.targets.values()
    ], _("Chỉ tiêu"), ("programme_id", "indicator_id", "period_code"),
        Target.objects.filter(programme__in=list(programmes.values())))
    return report


def load_indicator_data(paths: Iterable[str | Path] | None = None) -> LoadReport:
    """Check the files (every file of the data folder by default), then upsert them in one transaction.

    Raises DefinitionsError, having written nothing, when anything is wrong.
    """
    files = data_files(paths)
    if not files:
        raise DefinitionsError([_("Không có tệp dữ liệu nào trong %(folder)s.") % {"folder": DATA_DIR}])
    plan = check_files(files)
    with transaction.atomic():
        counts = _write(plan)
    return LoadReport(files=plan.files, counts=counts)


def ensure_indicator_data() -> None:
    """Load the data folder when the database has none of it yet (a fresh test database)."""
    if not Target.objects.exists():
        load_indicator_data()
