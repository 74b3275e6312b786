import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError

from ctxh.core.cccd import PROVINCE_CODES, validate_cccd, validate_cccd_number
from ctxh.core.reference import Sex


def reason(value, **kwargs) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_cccd(value, **kwargs)
    return caught.value.code, caught.value.messages[0]


def test_a_valid_number_is_accepted_and_normalized():
    # Tuyên Quang (008), female born in the 1900s (1), 1990 (90).
    assert validate_cccd("008 190 123456", sex=Sex.FEMALE, birth_date=dt.date(1990, 5, 17)) == "008190123456"
    # Hà Giang (002), male born in the 2000s (2), 2003 (03).
    assert validate_cccd("002203000001", sex=Sex.MALE, birth_date=2003) == "002203000001"


def test_province_codes_are_the_63_legacy_codes():
    assert len(PROVINCE_CODES) == 63
    assert {"001", "002", "008", "096"} <= PROVINCE_CODES
    assert "003" not in PROVINCE_CODES


def test_letters_are_refused():
    code, message = reason("00819012345A")
    assert code == "cccd_not_digits"
    assert "chỉ gồm chữ số" in message


def test_wrong_length_says_how_many_digits():
    code, message = reason("0081901234")
    assert code == "cccd_length"
    assert "đúng 12 chữ số" in message and "10 chữ số" in message


def test_an_old_nine_digit_identity_card_is_named():
    code, message = reason("070123456")
    assert code == "cccd_old_cmnd"
    assert "chứng minh nhân dân" in message


def test_unknown_province_code_is_refused():
    code, message = reason("003190123456")
    assert code == "cccd_province"
    assert "Ba chữ số đầu (003)" in message


def test_fourth_digit_outside_0_to_5_is_refused():
    code, message = reason("008790123456")
    assert code == "cccd_sex_century"
    assert "Chữ số thứ tư (7)" in message


def test_fourth_digit_must_match_sex():
    code, message = reason("008090123456", sex=Sex.FEMALE, birth_date=dt.date(1990, 1, 1))
    assert code == "cccd_sex"
    assert "giới tính nam" in message and "giới tính đã nhập là nữ" in message


def test_fourth_digit_must_match_birth_century():
    code, message = reason("008290123456", sex=Sex.MALE, birth_date=dt.date(1990, 1, 1))
    assert code == "cccd_century"
    assert "từ năm 2000 đến năm 2099" in message and "1990" in message


def test_fifth_and_sixth_digits_are_the_birth_year():
    code, message = reason("008191123456", sex=Sex.FEMALE, birth_date=dt.date(1990, 1, 1))
    assert code == "cccd_year"
    assert "(91)" in message and "1990" in message


def test_the_field_validator_checks_the_number_alone_in_a_form():
    class PersonForm(forms.Form):
        cccd = forms.CharField(required=False, validators=[validate_cccd_number])

    assert PersonForm({"cccd": ""}).is_valid()
    assert PersonForm({"cccd": "008090123456"}).is_valid()
    form = PersonForm({"cccd": "999090123456"})
    assert not form.is_valid()
    assert "Ba chữ số đầu (999)" in form.errors["cccd"][0]
