"""Text helpers shared by every app: Unicode normalization and diacritic-insensitive search keys."""

import unicodedata

_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str) -> str:
    """Names, IDs and free text are stored in Unicode NFC with surrounding white space removed."""
    return unicodedata.normalize("NFC", value or "").strip()


def fold(value: str) -> str:
    """A search key: lower case, no Vietnamese diacritics, single spaces ("Nguyễn  Văn Ấ" -> "nguyen van a").

    Stored beside a name so that search ignores diacritics identically on SQLite and PostgreSQL.
    """
    decomposed = unicodedata.normalize("NFD", (value or "").translate(_FOLD_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
