"""The English translation: a complete, compiled catalogue whose placeholders match; pages that speak English.

Vietnamese is the source language (every msgid is Vietnamese); English is chosen with the language switch.
"""

import gettext
import html.parser
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from ctxh.accounts.roles import Role
from ctxh.imports.spreadsheet import CellValueError, parse_choice
from ctxh.orgs.models import OrgKind
from ctxh.testing import make_org, make_user

LC_MESSAGES = Path(settings.BASE_DIR) / "ctxh" / "locale" / "en" / "LC_MESSAGES"

# What must survive translation: named %-placeholders, str.format fields and HTML tags in every message; in a
# message that is %-formatted (flag python-format), every %-directive, %% included (a lone % would raise).
PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[-#0 +]*\d*(?:\.\d+)?[a-z]|\{[A-Za-z0-9_]*\}")
DIRECTIVE = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]?")
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str) -> str:
    """The content of one quoted PO string ("...") with its C escapes resolved."""
    body = text.strip()[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def read_po(path: Path) -> list[Entry]:
    """A small PO reader (the project has no PO library): entries with their flags and translations."""
    entries: list[Entry] = []
    entry, key = Entry(), None

    def finish() -> None:
        nonlocal entry, key
        if key is not None:
            entries.append(entry)
        entry, key = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue  # obsolete entry
        elif line.startswith("#,"):
            if key is not None:
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            if key is not None:
                finish()
        elif line.startswith('"'):
            if key == "msgid":
                entry.msgid += _unquote(line)
            elif key == "msgid_plural":
                entry.msgid_plural += _unquote(line)
            elif key == "msgctxt":
                entry.msgctxt += _unquote(line)
            elif isinstance(key, int):
                entry.msgstr[key] += _unquote(line)
        else:
            keyword, _space, value = line.partition(" ")
            if keyword == "msgctxt":
                if key is not None:
                    finish()
                key, entry.msgctxt = "msgctxt", _unquote(value)
            elif keyword == "msgid":
                if key not in (None, "msgctxt"):
                    finish()
                key, entry.msgid, entry.line = "msgid", _unquote(value), number
            elif keyword == "msgid_plural":
                key, entry.msgid_plural = "msgid_plural", _unquote(value)
            elif keyword == "msgstr":
                key, entry.msgstr[0] = 0, _unquote(value)
            elif keyword.startswith("msgstr["):
                key = int(keyword[7:-1])
                entry.msgstr[key] = _unquote(value)
    finish()
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = read_po(LC_MESSAGES / "django.po")
    return [e for e in entries if e.msgid]  # the header entry has an empty msgid


def describe(entry: Entry) -> str:
    return f"django.po line {entry.line}: {entry.msgid!r}"


def test_the_english_catalogue_is_complete(catalogue):
    assert len(catalogue) > 500
    untranslated = [describe(e) for e in catalogue if not all(s.strip() for s in e.msgstr.values())]
    fuzzy = [describe(e) for e in catalogue if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    plurals = [e for e in catalogue if e.msgid_plural]
    assert plurals and all(sorted(e.msgstr) == [0, 1] for e in plurals)


def test_every_placeholder_of_a_message_survives_its_translation(catalogue):
    problems = []
    for entry in catalogue:
        for index, target in sorted(entry.msgstr.items()):
            source = entry.msgid_plural if index and entry.msgid_plural else entry.msgid
            pattern = DIRECTIVE if "python-format" in entry.flags else PLACEHOLDER
            # The same placeholders (a missing one loses information, an extra one raises at run time).
            if sorted(pattern.findall(source)) != sorted(pattern.findall(target)):
                problems.append(f"{describe(entry)}: {pattern.findall(source)} vs {pattern.findall(target)}")
            for tag in TAG.findall(source):
                if source.count(tag) != target.count(tag):
                    problems.append(f"{describe(entry)}: tag {tag!r} lost")
    assert problems == []


def test_the_committed_mo_file_is_compiled_from_the_po_file(catalogue):
    """Installing needs no gettext tools, so the .mo file is committed: it must not lag behind the .po."""
    with (LC_MESSAGES / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue:
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            found = [compiled.ngettext(msgid, entry.msgid_plural, n) for n in (1, 2)]
            expected = [entry.msgstr[0], entry.msgstr[1]]
        else:
            found, expected = [compiled.gettext(msgid)], [entry.msgstr[0]]
        if found != expected:
            stale.append(describe(entry))
    assert stale == [], "run `make messages` to compile the translations"


# ---- pages ---------------------------------------------------------------------------------------------


class _VisibleText(html.parser.HTMLParser):
    """The words a person reads or a screen reader speaks: text outside scripts, and labelling attributes."""

    SPOKEN = {"aria-label", "title", "placeholder", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def vietnamese_words(page: str, data: list[str]) -> list[str]:
    """Words with Vietnamese letters in a page once the data shown on it (names) is taken out."""
    parser = _VisibleText()
    parser.feed(page)
    text = unicodedata.normalize("NFC", " ".join(parser.parts))
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    words = text.split()
    return [w for w in words if "đ" in w.lower() or unicodedata.normalize("NFD", w) != w]


@pytest.fixture
def officer_with_organizations(small_geo):
    make_org(small_geo.n1, "UBND phường Minh Xuân", OrgKind.COMMUNE_COMMITTEE)
    make_org(small_geo.n1, "Trường Tiểu học Minh Xuân", OrgKind.SCHOOL)
    officer = make_user("canbo", Role.ORG_OFFICER, units=[small_geo.n1], full_name="Trần Văn Bình")
    return officer


# Data the pages show as it is stored, whatever the language: people's, units' and organizations' names.
DATA = [
    "Trần Văn Bình", "UBND phường Minh Xuân", "Trường Tiểu học Minh Xuân", "Phường Minh Xuân", "Xã Nông Tiến",
    "Tỉnh Tuyên Quang", "Tiếng Việt",
]


def switch_to_english(client, next_url: str = "/") -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": next_url})
    assert response.status_code == 302


def test_the_login_page_is_vietnamese_by_default_and_english_after_the_switch(client, db):
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Log in" not in page

    switch_to_english(client, "/tai-khoan/dang-nhap/")
    page = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert '<html lang="en">' in page
    assert "<h1 class=\"h3 mb-1\">Log in</h1>" in page
    assert "Username" in page and "Password" in page
    assert "Management system for the Social Work Development Programme" in page
    assert vietnamese_words(page, DATA) == []


def test_the_home_page_is_vietnamese_by_default_and_english_after_the_switch(
    client, officer_with_organizations
):
    client.force_login(officer_with_organizations)
    page = client.get("/").content.decode()
    assert "Xin chào, Trần Văn Bình" in page and "Danh sách tổ chức" in page

    switch_to_english(client)
    page = client.get("/").content.decode()
    assert "Hello, Trần Văn Bình" in page
    assert "Organization officer (commune, ward, facility)" in page
    assert "Your data scope" in page and "Shortcuts" in page
    assert ">Organizations<" in page
    assert "Commune-level People&#x27;s Committee" in page
    assert vietnamese_words(page, DATA) == []


def test_the_organizations_list_is_vietnamese_by_default_and_english_after_the_switch(
    client, officer_with_organizations
):
    client.force_login(officer_with_organizations)
    page = client.get("/to-chuc/").content.decode()
    assert "2 tổ chức (2 đang hoạt động, 0 đã chấm dứt)" in page

    switch_to_english(client, "/to-chuc/")
    page = client.get("/to-chuc/").content.decode()
    assert '<h1 class="h3 mb-0">Organizations</h1>' in page
    assert "2 organizations (2 active, 0 closed)" in page
    assert "Organization type" in page and "Clear filters" in page
    assert "School" in page and "Trường học" not in page
    assert vietnamese_words(page, DATA) == []

    # Back to Vietnamese with the same switch.
    client.post("/i18n/setlang/", {"language": "vi", "next": "/to-chuc/"})
    assert "Xóa bộ lọc" in client.get("/to-chuc/").content.decode()


def test_a_spreadsheet_value_may_use_the_label_of_either_language():
    """A file filled in Vietnamese imports for a user who reads English; an English export, the other way."""
    with translation.override("en"):
        assert parse_choice("Trường học", OrgKind.choices) == OrgKind.SCHOOL
        assert parse_choice("commune-level people's committee", OrgKind.choices) == OrgKind.COMMUNE_COMMITTEE
        with pytest.raises(CellValueError, match="is not in the list of values"):
            parse_choice("Nhà hàng", OrgKind.choices)
    with translation.override("vi"):
        assert parse_choice("Commune-level People's Committee", OrgKind.choices) == OrgKind.COMMUNE_COMMITTEE
        assert parse_choice("truong hoc", OrgKind.choices) == OrgKind.SCHOOL
