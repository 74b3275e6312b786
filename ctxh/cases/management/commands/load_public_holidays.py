"""Load the public holidays of ctxh/cases/data/public_holidays.csv into the table of days off.

New days are added; days already in the table keep an administrator's corrections unless --overwrite.
"""

from django.core.management.base import BaseCommand

from ctxh.cases.holidays import load_holidays
from ctxh.cases.models import PublicHoliday


class Command(BaseCommand):
    help = "Nạp ngày nghỉ lễ, Tết từ tệp dữ liệu (ctxh/cases/data/public_holidays.csv)."

    def add_arguments(self, parser):
        parser.add_argument("--overwrite", action="store_true",
                            help="Ghi đè cả những ngày đã có bằng giá trị trong tệp.")

    def handle(self, *args, overwrite: bool = False, **options):
        created, updated = load_holidays(PublicHoliday, overwrite=overwrite)
        self.stdout.write(f"Ngày nghỉ lễ: thêm {created}, cập nhật {updated}.")
