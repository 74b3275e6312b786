"""Validation rules: `left operator right`, each side a sum of terms `#{ELEMENT}` (every cell of the element)
or `#{ELEMENT.OPTION}` (one cell), joined by `+`.

A side "has values" when at least one of its cells holds a value; a rule is checked only when both sides have
values (DHIS2's default "skip if all values are missing"); inside a side a missing cell counts as 0.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctxh.indicators.models import ValidationAction, ValidationRule

_TERM = re.compile(r"^#\{\s*([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\s*\}$")

OPERATORS = {
    "<=": lambda left, right: left <= right,
    "<": lambda left, right: left < right,
    "==": lambda left, right: left == right,
    ">=": lambda left, right: left >= right,
    ">": lambda left, right: left > right,
}

# A cell: (element code, option code); the values of a form are keyed by cells.
Cell = tuple[str, str]


@dataclass(frozen=True)
class Term:
    element: str
    option: str | None  # None: every cell of the element

    def cells(self, values: Mapping[Cell, Decimal]) -> list[Cell]:
        return [cell for cell in values if cell[0] == self.element
                and (self.option is None or cell[1] == self.option)]

    def __str__(self) -> str:
        return f"#{{{self.element}}}" if self.option is None else f"#{{{self.element}.{self.option}}}"


@dataclass(frozen=True)
class Side:
    terms: tuple[Term, ...]

    @property
    def elements(self) -> set[str]:
        return {term.element for term in self.terms}

    def evaluate(self, values: Mapping[Cell, Decimal]) -> tuple[Decimal, bool]:
        """The sum of the side's cells, and whether any of them holds a value."""
        cells = {cell for term in self.terms for cell in term.cells(values)}
        return sum((values[cell] for cell in cells), Decimal(0)), bool(cells)


def parse_side(text: str) -> Side:
    """`#{A} + #{B.C}` -> Side; a ValidationError naming the bad part otherwise."""
    parts = [part.strip() for part in str(text or "").split("+")]
    terms = []
    for part in parts:
        match = _TERM.match(part)
        if not match:
            raise ValidationError(
                _("Biểu thức “%(text)s”: “%(part)s” không phải #{ELEMENT} hoặc #{ELEMENT.OPTION} (mã phần "
                  "tử, mã ô).")
                % {"text": text, "part": part}, code="invalid_expression")
        terms.append(Term(match[1], match[2]))
    return Side(tuple(terms))


@dataclass(frozen=True)
class RuleCheck:
    """A rule with its sides parsed."""

    rule: ValidationRule
    left: Side
    right: Side

    @property
    def refuses(self) -> bool:
        return self.rule.action == ValidationAction.REFUSE

    @property
    def elements(self) -> set[str]:
        return self.left.elements | self.right.elements


@dataclass(frozen=True)
class Violation:
    check: RuleCheck
    left: Decimal
    right: Decimal

    @property
    def refuses(self) -> bool:
        return self.check.refuses

    @property
    def elements(self) -> set[str]:
        return self.check.elements

    def message(self, names: Mapping[str, str]) -> str:
        """The rule's instruction and the two sums, each side named by its elements."""

        def side_name(side: Side) -> str:
            return " + ".join(names.get(term.element, term.element)
                              + (f" ({term.option})" if term.option else "") for term in side.terms)

        return _("%(instruction)s Hiện tại: %(left_name)s = %(left)s; %(right_name)s = %(right)s.") % {
            "instruction": self.check.rule.instruction, "left_name": side_name(self.check.left),
            "left": number_text(self.left), "right_name": side_name(self.check.right),
            "right": number_text(self.right)}


def number_text(value: Decimal | int | float | None) -> str:
    """A number as Vietnamese people write it: 1.234 (and 1.234,5 for a fraction); empty for none."""
    if value is None:
        return ""
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    whole, _sep, fraction = f"{value.normalize():f}".partition(".")
    return f"{int(whole):,}".replace(",", ".") + "," + fraction


def compile_rules(rules: Iterable[ValidationRule]) -> list[RuleCheck]:
    return [RuleCheck(rule, parse_side(rule.left_side), parse_side(rule.right_side)) for rule in rules]


def violations(checks: Iterable[RuleCheck], values: Mapping[Cell, Decimal]) -> list[Violation]:
    """The rules broken by `values` (only those whose both sides have values)."""
    broken = []
    for check in checks:
        left, left_present = check.left.evaluate(values)
        right, right_present = check.right.evaluate(values)
        if not (left_present and right_present):
            continue
        if not OPERATORS[check.rule.operator](left, right):
            broken.append(Violation(check, left, right))
    return broken
