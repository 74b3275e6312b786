"""`manage.py rebuild_unit_map`: the unit map the engine aggregates through (ctxh.indicators.unitmap)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ctxh.indicators.unitmap import UnitMapError, rebuild_unit_map


class Command(BaseCommand):
    help = _(
        "Dựng lại bảng quy đổi đơn vị hành chính (đơn vị, đơn vị cấp trên, đơn vị kế thừa và tỷ lệ phân "
        "bổ) mà chỉ số dùng để cộng dồn; tạo tỷ lệ chia đều cho các đơn vị sáp nhập một phần chưa có tỷ lệ."
    )

    def handle(self, *args, **options):
        try:
            result = rebuild_unit_map()
        except UnitMapError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_(
            "Bảng quy đổi: %(units)s đơn vị, %(rows)s dòng (%(estimated)s dòng ước tính theo tỷ lệ phân bổ), "
            "%(generations)s thế hệ; tạo %(shares)s tỷ lệ chia đều; %(s)s giây."
        ) % {"units": number_format(result.units, force_grouping=True),
             "rows": number_format(result.rows, force_grouping=True),
             "estimated": number_format(result.estimated_rows, force_grouping=True),
             "generations": result.generations,
             "shares": number_format(result.shares_created, force_grouping=True),
             "s": number_format(round(result.seconds, 2), 2)})
