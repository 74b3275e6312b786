"""docs/roles.md says in a table what each role may do: it must say what roles.py does."""

import re
from pathlib import Path

from django.conf import settings

from ctxh.accounts.roles import ROLE_CAPABILITIES, TWO_FACTOR_ROLES, Capability, Role

DOC = Path(settings.BASE_DIR) / "docs" / "roles.md"
TWO_FACTOR_ROW = "two_factor_required"
YES, NO = "✓", "–"


def permission_table() -> tuple[list[str], dict[str, list[str]]]:
    """The roles (columns) and each capability code with its cells, from the table headed `capability`."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| capability |"))
    roles = re.findall(r"`([a-z_]+)`", lines[start])
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        code = re.search(r"`([a-z_]+)`", cells[0]).group(1)
        assert code not in rows, f"{code} appears twice in docs/roles.md"
        rows[code] = cells[1:]
    return roles, rows


def test_table_has_one_column_per_role():
    roles, rows = permission_table()
    assert roles == list(Role.values)
    assert all(len(cells) == len(roles) for cells in rows.values())


def test_table_has_one_row_per_capability_and_two_factor():
    _, rows = permission_table()
    assert set(rows) == {str(capability) for capability in Capability} | {TWO_FACTOR_ROW}


def test_table_matches_role_capabilities():
    roles, rows = permission_table()
    for code, cells in rows.items():
        for role, cell in zip(roles, cells, strict=True):
            assert cell in (YES, NO), f"docs/roles.md: {code} / {role} is “{cell}”, expected ✓ or –"
            if code == TWO_FACTOR_ROW:
                expected = role in TWO_FACTOR_ROLES
            else:
                expected = Capability(code) in ROLE_CAPABILITIES[role]
            assert (cell == YES) == expected, (
                f"docs/roles.md says {code} for {role} is {cell}; roles.py disagrees"
            )
