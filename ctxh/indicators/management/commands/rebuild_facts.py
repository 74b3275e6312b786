"""`manage.py rebuild_facts [--indicator CODE ...] [--period CODE ...] [--unit-map]`: recompute the fact table
(see docs/engine.md)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ctxh.indicators.engine import rebuild_facts
from ctxh.indicators.engine.periods import parse_fact_period
from ctxh.indicators.unitmap import UnitMapError


def seconds(value: float) -> str:
    return number_format(round(value, 2), 2)


class Command(BaseCommand):
    help = _(
        "Tính lại bảng số liệu chỉ số (IndicatorFact) từ hồ sơ và số liệu báo cáo, cho mọi đơn vị; mặc định "
        "mọi chỉ số đang dùng và mọi kỳ (các năm từ 2020, sáu tháng, giai đoạn)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--indicator", action="append", metavar="MÃ",
                            help=_("Chỉ tính lại chỉ số này (có thể lặp lại)."))
        parser.add_argument("--period", action="append", metavar="KỲ",
                            help=_("Chỉ tính lại kỳ này: 2025, 2025S1, 2021-2025 (có thể lặp lại)."))
        parser.add_argument("--unit-map", action="store_true",
                            help=_("Dựng lại bảng quy đổi đơn vị hành chính trước (sau khi nạp đơn vị, sửa "
                                   "tỷ lệ phân bổ)."))

    def handle(self, *args, indicator=None, period=None, unit_map=False, **options):
        try:
            periods = [parse_fact_period(code) for code in period] if period else None
            result = rebuild_facts(indicator, periods, unit_map=unit_map)
        except (ValidationError, UnitMapError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError("\n".join(messages)) from None
        if result.unit_map_seconds is not None:
            self.stdout.write(_("Bảng quy đổi đơn vị: dựng lại trong %(s)s giây.")
                              % {"s": seconds(result.unit_map_seconds)})
        if not result.indicators:
            self.stdout.write(self.style.WARNING(_(
                "Không có chỉ số nào để tính: hãy nạp định nghĩa chỉ số (manage.py load_indicator_data).")))
        done = {item.code for item in result.indicators}
        missing = sorted({code.strip().upper() for code in indicator or []} - done)
        if missing:
            self.stdout.write(self.style.WARNING(_(
                "Không có chỉ số đang dùng, tính được, mang mã: %(codes)s.") % {"codes": ", ".join(missing)}))
        for item in result.indicators:
            self.stdout.write(_("%(code)s: %(facts)s số liệu (%(changed)s dòng thay đổi), %(periods)s kỳ, "
                                "%(s)s giây.") % {
                "code": item.code, "facts": number_format(item.facts, force_grouping=True),
                "changed": number_format(item.changed, force_grouping=True), "periods": item.periods,
                "s": seconds(item.seconds)})
        self.stdout.write(self.style.SUCCESS(_("Xong: %(facts)s số liệu (%(changed)s dòng thay đổi) trong "
                                               "%(s)s giây.") % {
            "facts": number_format(result.facts, force_grouping=True),
            "changed": number_format(result.changed, force_grouping=True), "s": seconds(result.seconds)}))
