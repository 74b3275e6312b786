"""manage.py load_demo: a realistic organization network and one user per role (see ctxh.demo.services)."""

import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ctxh.accounts.roles import Role
from ctxh.demo.builder import DemoDataError
from ctxh.demo.cases import cases_summary
from ctxh.demo.services import demo_load, demo_province
from ctxh.demo.training import training_summary
from ctxh.demo.users import PASSWORD_ENV
from ctxh.demo.workforce import STAFFING_DAY, staffing_summary
from ctxh.indicators.periods import Period, day_period, years_period
from ctxh.indicators.refresh import facts_paused
from ctxh.indicators.targets import programme_for_unit, target_in_force, target_label
from ctxh.orgs.models import OrgKind

SITE_URL = "http://127.0.0.1:8000/"



def _target_text(province, code: str, period: Period) -> str:
    """The province's programme target for the period (ctxh/indicators/data/), or a dash."""
    target = target_in_force(programme_for_unit(province), code, period, unit=province)
    return target_label(target) if target is not None else "—"


class Command(BaseCommand):
    help = _("Tải dữ liệu mẫu: mạng lưới tổ chức của tỉnh (trước và sau 01/07/2025) và một người dùng "
             "cho mỗi vai trò. Chạy lại không tạo trùng.")

    def add_arguments(self, parser):
        parser.add_argument("--province", default="08",
                            help=_("Mã tỉnh (hiệu lực từ 01/07/2025); mặc định 08, Tuyên Quang."))
        parser.add_argument("--credentials-file", type=Path,
                            default=Path(settings.VAR_DIR) / "demo_credentials.txt",
                            help=_("Tệp giữ mật khẩu đã sinh của người dùng mẫu (khi không đặt %(env)s).")
                            % {"env": PASSWORD_ENV})

    def handle(self, *args, province, credentials_file, **options):
        started = time.monotonic()
        password = os.environ.get(PASSWORD_ENV) or None
        try:
            # The facts are rebuilt once afterwards (`make demo-data`: rebuild_facts), not after every row.
            with facts_paused(refresh=False):
                result = demo_load(province=demo_province(province), password=password,
                                   credentials_path=credentials_file)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc

        geo, stats = result.geography, result.stats
        old = ", ".join(p.unit.name for p in geo.old_provinces)
        self.stdout.write(
            _("Dữ liệu mẫu: %(province)s, %(count)s xã, phường từ 01/07/2025; trước đó: %(old)s.")
            % {"province": geo.province.name, "count": len(geo.communes), "old": old or "—"}
        )
        organizations = sum(stats.created[kind] for kind in OrgKind.values)
        self.stdout.write(_("Tổ chức: tạo mới %(created)s, đã có %(reused)s.") % {
            "created": number_format(organizations, force_grouping=True),
            "reused": number_format(stats.reused, force_grouping=True)})
        for kind in OrgKind:
            if stats.created[kind]:
                count = number_format(stats.created[kind], force_grouping=True)
                self.stdout.write(f"  {kind.label}: {count}")
        self.stdout.write(_(
            "Người làm công tác xã hội: tạo mới %(workers)s người, %(positions)s vị trí công tác, "
            "%(allowances)s mức phụ cấp."
        ) % {key: number_format(stats.created[label], force_grouping=True) for key, label in (
            ("workers", "worker"), ("positions", "position"), ("allowances", "allowance"))})
        self.stdout.write(_(
            "Đào tạo: tạo mới %(courses)s khóa, %(sessions)s lớp, %(named)s lượt dự có tên, %(counted)s dòng "
            "số người dự."
        ) % {key: number_format(stats.created[label], force_grouping=True) for key, label in (
            ("courses", "course"), ("sessions", "session"), ("named", "attendance"),
            ("counted", "counted_attendance"))})
        self.stdout.write(_(
            "Người cần trợ giúp: tạo mới %(persons)s người, %(statuses)s trạng thái, %(cases)s hồ sơ, "
            "%(services)s lượt dịch vụ, %(referrals)s lượt chuyển gửi."
        ) % {key: number_format(stats.created[label], force_grouping=True) for key, label in (
            ("persons", "person"), ("statuses", "person_status"), ("cases", "case"), ("services", "service"),
            ("referrals", "referral"))})
        for warning in stats.warnings:
            self.stdout.write(self.style.WARNING(_("Lưu ý: %(text)s") % {"text": warning}))

        self._indicators(geo.province)

        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Người dùng mẫu")))
        header = (_("Vai trò"), _("Tên đăng nhập"), _("Mật khẩu"), _("Phạm vi"))
        rows = [header] + [(a.role_label, a.username, a.password, a.scope) for a in result.accounts]
        widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
        for number, row in enumerate(rows):
            self.stdout.write("  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        if password:
            self.stdout.write(_("Mật khẩu lấy từ biến môi trường %(env)s.") % {"env": PASSWORD_ENV})
        else:
            self.stdout.write(_("Mật khẩu được lưu trong %(file)s (chỉ chủ sở hữu đọc được).")
                              % {"file": credentials_file})
        admins = [a.username for a in result.accounts if a.role == Role.ADMIN]
        for username in admins:
            self.stdout.write(self.style.WARNING(
                _("Tài khoản quản trị %(username)s phải thiết lập ứng dụng xác thực (TOTP, ví dụ Google "
                  "Authenticator, FreeOTP) ở lần đăng nhập đầu tiên: quét mã QR rồi nhập mã 6 chữ số.")
                % {"username": username}))
        self.stdout.write(_("Mở %(url)s (xong sau %(seconds)s giây).")
                          % {"url": SITE_URL, "seconds": number_format(time.monotonic() - started, 1)})

    def _indicators(self, province):
        """The two indicators of Plan 154 on the demo data (ctxh.workforce / ctxh.training selectors)."""
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Chỉ tiêu trên dữ liệu mẫu: %(province)s")
                                                     % {"province": province.name}))
        self.stdout.write(
            _("Tỷ lệ cơ sở có người làm công tác xã hội hưởng phụ cấp từ mức lương cơ sở trở lên:"))
        for result in staffing_summary(province, [STAFFING_DAY, dt.date.today()]):
            percent = number_format(round(100 * (result.value or 0), 1), 1)
            target = _target_text(province, "STAFFING", day_period(result.day))
            self.stdout.write("  " + _(
                "ngày %(day)s: %(numerator)s/%(denominator)s = %(percent)s %% (mục tiêu: %(target)s)"
            ) % {"day": result.day.strftime("%d/%m/%Y"), "percent": percent, "target": target,
                 "numerator": number_format(result.numerator, force_grouping=True),
                 "denominator": number_format(result.denominator, force_grouping=True)})
        self.stdout.write(_("Lượt người được đào tạo, bồi dưỡng về công tác xã hội:"))
        for result in training_summary(province):
            target = _target_text(province, "TRAINING", years_period(result.start.year, result.end.year))
            self.stdout.write("  " + _(
                "%(first)s-%(last)s: %(total)s lượt (%(named)s có tên, %(counted)s chỉ có số; mục tiêu: "
                "%(target)s)"
            ) % {"first": result.start.year, "last": result.end.year, "target": target,
                 **{key: number_format(getattr(result, key), force_grouping=True)
                    for key in ("total", "named", "counted")}})
        self._cases_indicators(province)

    def _cases_indicators(self, province):
        """COUNSELLED and CHILDREN on the demo data (ctxh.cases.indicators)."""
        summary = cases_summary(province)
        self.stdout.write(_("Người có hoàn cảnh khó khăn được tư vấn, hỗ trợ (không trùng, theo năm):"))
        self.stdout.write("  " + "; ".join(f"{year}: {number_format(n, force_grouping=True)}"
                                           for year, n in sorted(summary.counselled.items())))
        if summary.growth_2025 is not None:
            growth = number_format(round(100 * summary.growth_2025, 1), 1)
            self.stdout.write("  " + _("Năm 2025 so với năm 2020: %(growth)s %% (mục tiêu: tăng ít nhất "
                                       "20 %%)") % {"growth": growth})
        percent = number_format(round(100 * (summary.children_value or 0), 1), 1)
        self.stdout.write(_(
            "Trẻ em thuộc sáu nhóm được trợ giúp xã hội và dịch vụ công tác xã hội từ nguồn xã hội hóa, năm "
            "2025: %(numerator)s/%(denominator)s = %(percent)s %% (mục tiêu: ít nhất 90 %%)"
        ) % {"numerator": number_format(summary.children_numerator, force_grouping=True),
             "denominator": number_format(summary.children_denominator, force_grouping=True),
             "percent": percent})
