"""Validation rule expressions: `#{ELEMENT}` (every cell), `#{ELEMENT.OPTION}` (one cell), joined by `+`."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from ctxh.indicators.aggregate.rules import RuleCheck, Term, number_text, parse_side, violations


def rule(left, operator, right, action="refuse"):
    model = SimpleNamespace(left_side=left, operator=operator, right_side=right, action=action,
                            instruction="Vế trái không được lớn hơn vế phải.")
    return RuleCheck(model, parse_side(left), parse_side(right))


VALUES = {("A", "MALE"): Decimal(3), ("A", "FEMALE"): Decimal(4), ("B", "default"): Decimal(6),
          ("C", "MALE"): Decimal(1)}


def test_terms_are_parsed_with_and_without_a_cell():
    side = parse_side("#{A} + #{C.MALE}+#{ B }")
    assert side.terms == (Term("A", None), Term("C", "MALE"), Term("B", None))
    assert side.evaluate(VALUES) == (Decimal(3 + 4 + 1 + 6), True)


@pytest.mark.parametrize("text", ["A", "#{A} - #{B}", "#{A.}", "", "#{A} +"])
def test_a_bad_expression_is_refused_naming_the_part(text):
    with pytest.raises(ValidationError, match="không phải #{ELEMENT} hoặc #{ELEMENT.OPTION}"):
        parse_side(text)


def test_a_whole_element_sums_its_cells_and_a_cell_term_takes_one():
    assert [v.left for v in violations([rule("#{A}", "<=", "#{B}")], VALUES)] == [Decimal(7)]  # 7 > 6
    assert violations([rule("#{A.MALE}", "<=", "#{B}")], VALUES) == []  # 3 <= 6
    assert len(violations([rule("#{A.FEMALE} + #{C}", "==", "#{B}")], VALUES)) == 1  # 5 != 6
    assert violations([rule("#{A.FEMALE} + #{C} + #{A.MALE}", ">", "#{B}")], VALUES) == []  # 8 > 6


def test_a_rule_with_a_side_without_any_value_is_not_checked():
    assert violations([rule("#{A}", "<=", "#{MISSING}")], VALUES) == []
    assert violations([rule("#{MISSING} + #{C}", ">=", "#{B}")], VALUES)  # one term has a value: 1 < 6


def test_numbers_are_written_the_vietnamese_way():
    assert number_text(Decimal("1234567")) == "1.234.567"
    assert number_text(Decimal("1234.5")) == "1.234,5"
    assert number_text(Decimal("12.0000")) == "12"
    assert number_text(None) == ""
