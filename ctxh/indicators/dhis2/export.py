"""DHIS2 `dataValueSets` export (idScheme=code): the aggregate values and the indicator facts.

    payload = data_value_set(user=user, data_set="CTXH_6M", periods=["2025S1"], org_units=["08"],
                             children=True)
    to_csv(payload)  # the same values in DHIS2's CSV columns

Sources:
- the reported numbers (`DataValue`, element x category option combo) of the data set's elements, for the
  periods of the data set's type;
- the indicator facts (`IndicatorFact`) of the indicators asked for: data element `COUNSELLED` (the total,
  category option combo `default`), `COUNSELLED_SEX` (one value per sex, category option combo `MALE`,
  `FEMALE`), and for a ratio (`STAFFING`, `CHILDREN`) the share 0..1 with six decimals plus
  `STAFFING_NUMERATOR` and `STAFFING_DENOMINATOR` so that DHIS2 can re-aggregate it.

Units: an `orgUnit` code is resolved for each period (our codes are reused across generations): the
generation valid on a day of the period, the one valid on its last day first. `children` adds the units under
it that existed in the period (the historical geography of the period). A code naming no unit of the user's
scope in any of the periods raises `UnitNotAvailable` (404 for the API, with the same message as an unknown
code); the units under a unit of the scope are in the scope.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ctxh.accounts.roles import Capability
from ctxh.geo.models import Unit
from ctxh.indicators.dhis2.common import (
    COUNT_DECIMALS,
    DEFAULT_OPTION,
    RATIO_DECIMALS,
    STORED_BY_ENGINE,
    FactElement,
    OptionCodes,
    dhis2_period,
    exists_in,
    fact_elements,
    indicator_catalogue,
    number_text,
    period_type_of,
    pick_generation,
    subtree,
    timestamp,
)
from ctxh.indicators.dhis2.mapping import DEFAULT_INSTANCE, CodeMap, Kind, UnitRef
from ctxh.indicators.models import DataElement, DataSet, DataValue, IndicatorFact
from ctxh.indicators.periods import Period
from ctxh.indicators.registry import UnitNotAvailable

# DHIS2's CSV columns, in DHIS2's order (docs.dhis2.org, Developer guide > Web API > Data > "CSV data value
# format" and "Reading data values"; DHIS2 reads the columns by position and skips the header row).
CSV_COLUMNS = ("dataelement", "period", "orgunit", "catoptcombo", "attroptcombo", "value", "storedby",
               "lastupdated", "comment", "followup")
JSON_KEYS = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value",
             "comment", "storedBy", "created", "lastUpdated", "followup")
_CSV_FROM_JSON = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value",
                  "storedBy", "lastUpdated", "comment", "followup")


@dataclass
class Export:
    """The payload, and what the access log records: the reported values' ids and the number of rows."""

    payload: dict
    data_value_ids: list[int] = field(default_factory=list)
    fact_ids: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.payload["dataValues"])


def data_value_set(*, user, data_set: DataSet | str | None = None, elements: Iterable[str] | None = None,
                   indicators: Iterable[str] | None = None, periods: Iterable[Period | str],
                   org_units: Iterable[Unit | str], children: bool = False,
                   instance: str = DEFAULT_INSTANCE) -> dict:
    """The values as a DHIS2 `dataValueSets` payload (a dict ready for JSON). See the module doc.

    `data_set`, `elements` (data elements or fact elements such as `COUNSELLED_SEX`) and `orgUnit` codes are
    DHIS2 codes, read back through the mapping. Raises PermissionDenied (no VIEW_INDICATORS),
    UnitNotAvailable (a unit outside the scope) and ValidationError (bad parameters, keyed by parameter:
    dataSet, dataElement, period, orgUnit).
    """
    return build_export(user=user, data_set=data_set, elements=elements, indicators=indicators,
                        periods=periods, org_units=org_units, children=children, instance=instance).payload


def build_export(*, user, data_set=None, elements=None, indicators=None, periods, org_units,
                 children=False, instance=DEFAULT_INSTANCE) -> Export:
    if user is None or not user.is_authenticated or not user.can(Capability.VIEW_INDICATORS):
        raise PermissionDenied(_("Vai trò của bạn không được xem các chỉ số và số liệu báo cáo."))
    codes = CodeMap(instance)
    data_set = _data_set(data_set, codes)
    element_codes, facts_wanted = _elements(data_set, list(elements or []), list(indicators or []), codes)
    period_list = _periods(periods, data_set)
    units_by_period = _units(user, list(org_units), period_list, children, codes)

    rows: list[dict] = []
    value_ids: list[int] = []
    if element_codes:
        for value in _data_values(element_codes, units_by_period, data_set):
            value_ids.append(value.pk)
            rows.append(_value_row(value, codes))
    fact_ids: list[int] = []
    if facts_wanted:
        options = OptionCodes.load()
        catalogue = indicator_catalogue()
        for fact in _facts(facts_wanted, units_by_period):
            produced = _fact_rows(fact, facts_wanted, catalogue, options, codes)
            if produced:
                fact_ids.append(fact.pk)
                rows += produced
    rows.sort(key=lambda row: (row["orgUnit"], row["period"], row["dataElement"], row["categoryOptionCombo"]))
    payload: dict = {}
    if data_set is not None:
        payload["dataSet"] = codes.out(Kind.DATA_SET, data_set.code)
    payload["dataValues"] = rows
    return Export(payload, value_ids, fact_ids)


# ---------------------------------------------------------------------------------------------- parameters


def _error(param: str, message: str) -> ValidationError:
    return ValidationError({param: [message]})


def _data_set(data_set, codes: CodeMap) -> DataSet | None:
    if data_set is None or isinstance(data_set, DataSet):
        return data_set
    text = str(data_set).strip()
    if not text:
        return None
    code = codes.back(Kind.DATA_SET, text)
    found = DataSet.objects.filter(code=code).first() if code else None
    if found is None:
        raise _error("dataSet", _("Không có bộ số liệu mã “%(code)s”.") % {"code": text})
    return found


def _elements(data_set: DataSet | None, elements: list[str], indicators: list[str], codes: CodeMap
              ) -> tuple[list[str], dict[str, set[FactElement] | None]]:
    """(the DataElement codes to export, the facts to export by indicator: None for every fact element of
    the indicator, else the fact elements named)."""
    catalogue = indicator_catalogue()
    by_code = fact_elements(catalogue)
    facts: dict[str, set[FactElement] | None] = {}
    for text in indicators:
        code = str(text).strip().upper()
        if code not in catalogue:
            raise _error("dataElement", _("Không có chỉ số mã “%(code)s”.") % {"code": text})
        facts[code] = None
    in_set = (set(data_set.elements.values_list("code", flat=True)) if data_set is not None else set())
    named: list[str] = []
    asked = [(text, codes.back(Kind.DATA_ELEMENT, text)) for text in (str(text).strip() for text in elements)
             if text]
    wanted = {code for _text, code in asked if code and code not in by_code}
    stored = set(DataElement.objects.filter(code__in=wanted).values_list("code", flat=True))
    for text, code in asked:
        if code in by_code:
            element = by_code[code]
            if facts.get(element.indicator, set()) is not None:
                facts.setdefault(element.indicator, set()).add(element)
            continue
        if code is None or code not in stored:
            raise _error("dataElement", _("Không có phần tử dữ liệu mã “%(code)s”.") % {"code": text})
        if data_set is not None and code not in in_set:
            raise _error("dataElement", _("Phần tử dữ liệu “%(code)s” không thuộc bộ số liệu “%(set)s”.")
                         % {"code": text, "set": data_set.code})
        named.append(code)
    if named:
        return named, facts
    if data_set is not None and not any(str(text).strip() for text in elements):
        return sorted(in_set), facts
    if not facts and data_set is None:
        raise _error("dataSet", _("Hãy chọn một bộ số liệu (dataSet) hoặc ít nhất một phần tử dữ liệu "
                                  "(dataElement)."))
    return [], facts


def _periods(periods, data_set: DataSet | None) -> list[Period]:
    found: dict[str, Period] = {}
    for item in periods:
        if isinstance(item, Period):
            period = item
        else:
            try:
                period = dhis2_period(str(item).strip())
            except ValidationError as error:
                raise _error("period", " ".join(error.messages)) from None
        if data_set is not None and period_type_of(period) != data_set.period_type:
            raise _error("period", _("Kỳ “%(code)s” không phải kỳ %(type)s của bộ số liệu “%(set)s”.") % {
                "code": period.code, "type": data_set.get_period_type_display().lower(),
                "set": data_set.code})
        found.setdefault(period.code, period)
    if not found:
        raise _error("period", _("Hãy chọn ít nhất một kỳ (period), hoặc startDate và endDate."))
    return list(found.values())


def _units(user, org_units: list, periods: list[Period], children: bool, codes: CodeMap
           ) -> dict[str, set[int]]:
    """The unit ids to export for each period code (see the module doc)."""
    if not org_units:
        raise _error("orgUnit", _("Hãy chọn ít nhất một đơn vị (orgUnit)."))
    scoped = Unit.objects.for_user(user)
    refs: list[tuple[str, UnitRef | Unit]] = []
    for item in org_units:
        if isinstance(item, Unit):
            refs.append((item.code, item))
            continue
        text = str(item).strip()
        ref = codes.unit_back(text)
        if ref is None:
            raise UnitNotAvailable(text)
        refs.append((text, ref))
    plain_codes = {ref.code for _text, ref in refs}
    candidates = list(scoped.filter(code__in=plain_codes))
    in_scope = {unit.pk for unit in candidates}
    chosen: dict[str, list[Unit]] = {period.code: [] for period in periods}
    for text, ref in refs:
        found_any = False
        for period in periods:
            if isinstance(ref, Unit):
                unit = ref if ref.pk in in_scope and exists_in(ref, period) else None
                if ref.pk not in in_scope:
                    raise UnitNotAvailable(text)
            else:
                unit = pick_generation(candidates, ref, period)
            if unit is not None:
                chosen[period.code].append(unit)
                found_any = True
        if not found_any:
            raise UnitNotAvailable(text)
    result: dict[str, set[int]] = {}
    if not children:
        return {code: {unit.pk for unit in units} for code, units in chosen.items()}
    everything = subtree({unit.pk: unit for units in chosen.values() for unit in units}.values())
    scoped_ids = set(scoped.filter(pk__in=[unit.pk for unit in everything]).values_list("pk", flat=True))
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in everything:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    for period in periods:
        ids: set[int] = set()
        frontier = [unit for unit in chosen[period.code]]
        while frontier:
            unit = frontier.pop()
            if unit.pk in ids or not exists_in(unit, period) or unit.pk not in scoped_ids:
                continue
            ids.add(unit.pk)
            frontier += by_parent.get(unit.pk, [])
        result[period.code] = ids
    return result


def _by_period(units_by_period: dict[str, set[int]]) -> Q:
    query = Q(pk__in=[])
    for period_code, ids in units_by_period.items():
        if ids:
            query |= Q(period_code=period_code, unit_id__in=sorted(ids))
    return query


# ------------------------------------------------------------------------------------------------- values


def _data_values(element_codes: Sequence[str], units_by_period: dict[str, set[int]],
                 data_set: DataSet | None):
    values = (DataValue.objects.filter(_by_period(units_by_period), data_element__code__in=element_codes)
              .select_related("data_element", "category_option_combo", "unit", "stored_by"))
    if data_set is not None:
        # Both data sets hold the same elements: a value belongs to the one whose period type it has.
        wanted = [code for code in units_by_period if _period_type(code) == data_set.period_type]
        values = values.filter(period_code__in=wanted)
    return values.order_by("unit__code", "period_code", "data_element__code", "category_option_combo__code")


def _period_type(code: str) -> str:
    return period_type_of(dhis2_period(code))


def _value_row(value: DataValue, codes: CodeMap) -> dict:
    return {
        "dataElement": codes.out(Kind.DATA_ELEMENT, value.data_element.code),
        "period": value.period_code,
        "orgUnit": codes.unit_out(value.unit),
        "categoryOptionCombo": codes.out(Kind.CATEGORY_OPTION_COMBO, value.category_option_combo.code),
        "attributeOptionCombo": codes.out(Kind.CATEGORY_OPTION_COMBO, DEFAULT_OPTION),
        "value": number_text(value.value, COUNT_DECIMALS),
        "comment": value.comment,
        "storedBy": value.stored_by.get_username() if value.stored_by_id else "",
        "created": timestamp(value.created_at),
        "lastUpdated": timestamp(value.updated_at),
        "followup": bool(value.follow_up),
    }


def _facts(wanted: dict[str, set[FactElement] | None], units_by_period: dict[str, set[int]]):
    facts = IndicatorFact.objects.filter(_by_period(units_by_period), indicator_code__in=sorted(wanted))
    dimensions: set[str] = set()
    for elements in wanted.values():
        if elements is None:
            return facts.select_related("unit")
        dimensions |= {element.dimension for element in elements}
    return facts.filter(dimension__in=sorted(dimensions)).select_related("unit")


def _fact_rows(fact: IndicatorFact, wanted: dict[str, set[FactElement] | None], catalogue,
               options: OptionCodes, codes: CodeMap) -> list[dict]:
    info = catalogue.get(fact.indicator_code)
    if info is None:
        return []
    chosen = wanted.get(fact.indicator_code)
    parts = (("", fact.value), ("NUMERATOR", fact.numerator), ("DENOMINATOR", fact.denominator))
    estimate = _("Ước tính: có phần phân bổ từ đơn vị cũ sáp nhập một phần.") if fact.is_estimate else ""
    rows = []
    for part, number in parts if info.is_ratio else parts[:1]:
        element = FactElement(fact.indicator_code, fact.dimension, part)
        if number is None or (chosen is not None and element not in chosen):
            continue
        decimals = RATIO_DECIMALS if info.is_ratio and not part else COUNT_DECIMALS
        rows.append({
            "dataElement": codes.out(Kind.DATA_ELEMENT, element.code),
            "period": fact.period_code,
            "orgUnit": codes.unit_out(fact.unit),
            "categoryOptionCombo": codes.out(Kind.CATEGORY_OPTION_COMBO,
                                             options.code(fact.dimension, fact.category)),
            "attributeOptionCombo": codes.out(Kind.CATEGORY_OPTION_COMBO, DEFAULT_OPTION),
            "value": number_text(number, decimals),
            "comment": estimate,
            "storedBy": STORED_BY_ENGINE,
            "created": timestamp(fact.computed_at),
            "lastUpdated": timestamp(fact.computed_at),
            "followup": False,
        })
    return rows


# ----------------------------------------------------------------------------------------------------- CSV


def to_csv(payload: dict) -> str:
    """The payload's values in DHIS2's CSV columns (CSV_COLUMNS), a header row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in payload.get("dataValues", []):
        cells = [row.get(key, "") for key in _CSV_FROM_JSON]
        cells[-1] = "true" if row.get("followup") else "false"
        writer.writerow(["" if cell is None else cell for cell in cells])
    return out.getvalue()


CSV_UNREADABLE = gettext_lazy("Dòng %(row)s: không đọc được (một ô quá dài hoặc dấu ngoặc kép không đóng).")


def from_csv(text: str) -> dict:
    """A DHIS2 CSV (the columns of CSV_COLUMNS by position, the first row a header, skipped as DHIS2 does)
    as a payload for `import_data_value_set`. Missing trailing columns are empty."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:  # a cell over the csv module's field limit (128 KB), a quote never closed
        raise ValidationError(CSV_UNREADABLE % {"row": reader.line_num}, code="bad_csv") from None
    values = []
    for row in rows[1:]:
        cells = [cell.strip() for cell in row] + [""] * (len(_CSV_FROM_JSON) - len(row))
        item = dict(zip(_CSV_FROM_JSON, cells, strict=False))
        item["followup"] = item["followup"].lower() == "true"
        values.append({key: item[key] for key in _CSV_FROM_JSON if item[key] not in ("", None)})
    return {"dataValues": values}
