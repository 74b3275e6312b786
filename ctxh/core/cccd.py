"""The citizen identity number (căn cước công dân, CCCD): 12 digits that say where and when one was born.

Digits 1-3: the code of the province where the birth was registered, from the list in force before the 2025
reorganization (001 Hà Nội, 002 Hà Giang, 008 Tuyên Quang, ...). A number is for life, so the old codes stay
valid after 2025. Numbers of citizens whose birth was registered abroad carry a country code instead; they are
out of scope here and are refused as an unknown province code.
Digit 4: sex and century of birth (1900s: 0 male, 1 female; 2000s: 2 / 3; 2100s: 4 / 5).
Digits 5-6: the year of birth modulo 100. Digits 7-12: random. There is no checksum.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from vietnam_provinces.legacy import ProvinceCode

from ctxh.core.reference import Sex

CCCD_LENGTH = 12
# The 63 province codes in force until 30/06/2025 (vietnam_provinces.legacy), zero-padded to 3 digits.
PROVINCE_CODES: frozenset[str] = frozenset(f"{int(code):03d}" for code in ProvinceCode)
# Digit 4 -> (sex, first year of the century).
_SEX_CENTURY: dict[str, tuple[str, int]] = {
    "0": (Sex.MALE, 1900), "1": (Sex.FEMALE, 1900),
    "2": (Sex.MALE, 2000), "3": (Sex.FEMALE, 2000),
    "4": (Sex.MALE, 2100), "5": (Sex.FEMALE, 2100),
}


def normalize_cccd(value: str | None) -> str:
    """The number as stored: white space removed (people type "008 090 123 456")."""
    return "".join((value or "").split())


def validate_cccd(value: str, *, sex: str | None = None, birth_date: dt.date | int | None = None) -> str:
    """Check a CCCD number, and its consistency with sex and birth date when they are known.

    Returns the normalized number; raises ValidationError with the precise reason (code and message).
    `birth_date` may be a date or a year.
    """
    number = normalize_cccd(value)
    if not number.isdigit() or not number.isascii():
        raise ValidationError(
            _("Số CCCD chỉ gồm chữ số, không có chữ cái hay ký hiệu."), code="cccd_not_digits"
        )
    if len(number) == 9:
        raise ValidationError(
            _("Đây là số chứng minh nhân dân 9 chữ số (đã hết hạn sử dụng); hãy nhập số CCCD 12 chữ số."),
            code="cccd_old_cmnd",
        )
    if len(number) != CCCD_LENGTH:
        raise ValidationError(
            _("Số CCCD phải gồm đúng 12 chữ số (số đã nhập có %(length)d chữ số)."),
            code="cccd_length", params={"length": len(number)},
        )
    province = number[:3]
    if province not in PROVINCE_CODES:
        raise ValidationError(
            _("Ba chữ số đầu (%(code)s) không phải mã tỉnh, thành phố nơi đăng ký khai sinh."),
            code="cccd_province", params={"code": province},
        )
    digit = number[3]
    if digit not in _SEX_CENTURY:
        raise ValidationError(
            _("Chữ số thứ tư (%(digit)s) không phải mã giới tính và thế kỷ sinh hợp lệ (từ 0 đến 5)."),
            code="cccd_sex_century", params={"digit": digit},
        )
    coded_sex, century = _SEX_CENTURY[digit]
    if sex and sex != coded_sex:
        raise ValidationError(
            _("Chữ số thứ tư (%(digit)s) là mã của giới tính %(coded)s, nhưng giới tính đã nhập là %(sex)s."),
            code="cccd_sex",
            params={"digit": digit, "coded": Sex(coded_sex).label.lower(), "sex": Sex(sex).label.lower()},
        )
    if birth_date is not None:
        year = birth_date if isinstance(birth_date, int) else birth_date.year
        if not century <= year < century + 100:
            raise ValidationError(
                _("Chữ số thứ tư (%(digit)s) là mã của người sinh từ năm %(first)s đến năm %(last)s, "
                  "nhưng năm sinh đã nhập là %(year)s."),
                code="cccd_century",
                params={"digit": digit, "first": century, "last": century + 99, "year": year},
            )
        if number[4:6] != f"{year % 100:02d}":
            raise ValidationError(
                _("Chữ số thứ năm và thứ sáu (%(digits)s) phải là hai số cuối của năm sinh %(year)s "
                  "(%(expected)s)."),
                code="cccd_year",
                params={"digits": number[4:6], "year": year, "expected": f"{year % 100:02d}"},
            )
    return number


@deconstructible
class CCCDValidator:
    """A field validator (forms and models): the number on its own, without sex and birth date.

    The check against sex and birth date needs the other fields; models do it in `clean()`.
    """

    def __call__(self, value: str) -> None:
        if value:
            validate_cccd(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CCCDValidator)


validate_cccd_number = CCCDValidator()
