"""Create a user from a script: `manage.py create_user --username ... --role ... --unit-code ...`."""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.accounts.roles import Role
from ctxh.accounts.services import user_create
from ctxh.geo.models import Unit
from ctxh.orgs.models import Organization


class Command(BaseCommand):
    help = (
        "Tạo người dùng (không hỏi lại): vai trò và phạm vi theo mã đơn vị hành chính và/hoặc mã tổ chức. "
        "Không có --password thì sinh mật khẩu ngẫu nhiên và in ra."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True, help="Tên đăng nhập")
        parser.add_argument("--password", help="Mật khẩu (bỏ trống: sinh ngẫu nhiên và in ra)")
        parser.add_argument("--role", required=True, choices=Role.values, help="Vai trò")
        parser.add_argument("--full-name", default="", help="Họ và tên")
        parser.add_argument(
            "--unit-code", action="append", default=[],
            help="Mã đơn vị hành chính trong phạm vi (nhắc lại để thêm nhiều đơn vị); tra theo ngày --as-of",
        )
        parser.add_argument(
            "--org-code", action="append", default=[],
            help="Mã tổ chức trong phạm vi (nhắc lại để thêm nhiều tổ chức)",
        )
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, default=None,
            help="Ngày tra mã đơn vị (YYYY-MM-DD; mặc định hôm nay): mã được dùng lại giữa các thời kỳ",
        )

    def handle(self, *args, **options):
        day = options["as_of"] or timezone.localdate()
        units = [self._unit(code, day) for code in options["unit_code"]]
        organizations = [self._organization(code) for code in options["org_code"]]
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            user = user_create(
                username=options["username"],
                password=password,
                role=options["role"],
                full_name=options["full_name"],
                units=units,
                organizations=organizations,
            )
        except ValidationError as exc:
            lines = [f"{field}: {msg}" for field, msgs in exc.message_dict.items() for msg in msgs]
            raise CommandError(_("Không tạo được người dùng.") + "\n" + "\n".join(lines)) from exc
        self.stdout.write(self.style.SUCCESS(
            _("Đã tạo người dùng %(username)s (%(role)s).")
            % {"username": user.username, "role": user.get_role_display()}
        ))
        if not options["password"]:
            self.stdout.write(_("Mật khẩu: %(password)s") % {"password": password})

    @staticmethod
    def _unit(code: str, day: dt.date) -> Unit:
        matches = list(Unit.objects.by_code(code.strip(), day)[:2])
        if not matches:
            raise CommandError(
                _("--unit-code: không có đơn vị hành chính mã “%(code)s” vào ngày %(day)s.")
                % {"code": code, "day": f"{day:%d/%m/%Y}"}
            )
        if len(matches) > 1:
            raise CommandError(
                _("--unit-code: mã “%(code)s” ứng với nhiều đơn vị vào ngày %(day)s.")
                % {"code": code, "day": f"{day:%d/%m/%Y}"}
            )
        return matches[0]

    @staticmethod
    def _organization(code: str) -> Organization:
        try:
            return Organization.objects.get(code=code.strip())
        except Organization.DoesNotExist:
            raise CommandError(_("--org-code: không có tổ chức mã “%(code)s”.") % {"code": code}) from None
