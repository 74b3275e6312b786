"""One demo user of each role, with a scope that shows what the role is for.

Passwords come from CTXH_DEMO_PASSWORD when it is set (the same for every user); otherwise each user's is
generated once and kept in var/demo_credentials.txt (readable by its owner only), so a second run prints the
same ones. A user that exists already is left as it is; if its password is no longer the known one, the
table says so instead of printing it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctxh.accounts.models import User
from ctxh.accounts.roles import Role
from ctxh.accounts.services import user_create
from ctxh.core.text import fold
from ctxh.demo.builder import BuildStats, DemoDataError
from ctxh.demo.geography import Geography, short_name
from ctxh.geo.models import Unit, UnitKind
from ctxh.orgs.models import Organization

PASSWORD_ENV = "CTXH_DEMO_PASSWORD"
OFFICER_COMMUNE = "Minh Xuân"
SOCIAL_WORK_CENTRE = "TTCTXH-TQ"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    scope: str  # "all", "province", "commune", or "org:<code>"


DEMO_USERS = (
    DemoUser("quantri", Role.ADMIN, "Nguyễn Văn Hùng", "all"),
    DemoUser("quanly", Role.PROGRAMME_MANAGER, "Hoàng Thị Thu Hà", "province"),
    DemoUser("canbo.xa", Role.ORG_OFFICER, "Ma Văn Tuấn", "commune"),
    DemoUser("ctxh", Role.SOCIAL_WORKER, "Nông Thị Lan", f"org:{SOCIAL_WORK_CENTRE}"),
    DemoUser("giangvien", Role.TRAINER, "Phạm Thị Hương", "province"),
    DemoUser("lanhdao", Role.LEADER, "Trần Quốc Bình", "province"),
)


@dataclass(frozen=True)
class Account:
    """A line of the printed table."""

    role: str
    username: str
    password: str
    scope: str
    created: bool

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def demo_users(geo: Geography, *, stats: BuildStats, password: str | None,
               credentials_path: Path) -> list[Account]:
    stored = {} if password else read_credentials(credentials_path)
    generated: dict[str, str] = {}
    accounts = []
    for demo in DEMO_USERS:
        units, organizations, scope_label = _scope(geo, demo, stats)
        known = password or stored.get(demo.username)
        user = User.objects.filter(username=demo.username).first()
        if user is not None:
            shown = known if known and user.check_password(known) else _("(đã đổi, không hiển thị)")
            accounts.append(Account(user.role, user.username, shown, scope_label, created=False))
            continue
        if not known:
            known = generated[demo.username] = new_password()
        try:
            user_create(username=demo.username, password=known, role=demo.role, full_name=demo.full_name,
                        units=units, organizations=organizations)
        except ValidationError as exc:
            raise DemoDataError(_("Không tạo được người dùng %(username)s: %(errors)s") % {
                "username": demo.username, "errors": " ".join(exc.messages)}) from exc
        stats.created["user"] += 1
        accounts.append(Account(demo.role, demo.username, known, scope_label, created=True))
    if generated:
        write_credentials(credentials_path, {**stored, **generated})
    return accounts


def _scope(geo: Geography, demo: DemoUser, stats: BuildStats) -> tuple[list[Unit], list[Organization], str]:
    if demo.scope == "all":
        return [], [], _("Toàn hệ thống")
    if demo.scope == "commune":
        commune = officer_commune(geo)
        return [commune], [], commune.name
    if demo.scope.startswith("org:"):
        org = Organization.objects.filter(code=demo.scope.removeprefix("org:")).first()
        if org is not None:
            return [], [org], org.name
        stats.warnings.append(_("Không có tổ chức %(code)s: %(username)s nhận phạm vi cả tỉnh.") % {
            "code": demo.scope.removeprefix("org:"), "username": demo.username})
    return [geo.province], [], geo.province.name


def officer_commune(geo: Geography) -> Unit:
    """Phường Minh Xuân (in the provincial capital) if the province has it, else its first ward or commune."""
    wanted = fold(OFFICER_COMMUNE)
    for commune in geo.communes:
        if fold(short_name(commune.name)) == wanted:
            return commune
    wards = [c for c in geo.communes if c.kind == UnitKind.WARD]
    if not (wards or geo.communes):
        raise DemoDataError(_("%(province)s không có xã, phường nào.") % {"province": geo.province.name})
    return (wards or geo.communes)[0]


# Letters and digits that cannot be mistaken for one another when read off a screen.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_password(length: int = 16) -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))


def read_credentials(path: Path) -> dict[str, str]:
    """username -> password, from lines "username<TAB>password" (lines starting with # are comments)."""
    if not path.exists():
        return {}
    credentials = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            username, password = line.split("\t", 1)
            credentials[username.strip()] = password.strip()
    return credentials


def write_credentials(path: Path, credentials: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# ctxh: mật khẩu của người dùng mẫu (manage.py load_demo). Giữ kín; chỉ dùng để thử nghiệm."]
    lines += [f"{username}\t{password}" for username, password in credentials.items()]
    temporary = path.with_suffix(path.suffix + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
