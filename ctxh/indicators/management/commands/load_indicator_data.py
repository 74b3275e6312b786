"""`manage.py load_indicator_data [FILE ...]`: indicator definitions, programmes and targets from the JSON
files of ctxh/indicators/data/ (all of them by default). See docs/programmes.md."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ctxh.geo.management.commands.load_admin_units import counts_line
from ctxh.indicators.definitions import DefinitionsError, load_indicator_data


class Command(BaseCommand):
    help = _(
        "Nạp định nghĩa chỉ số, chương trình và chỉ tiêu từ các tệp JSON (mặc định: mọi tệp trong "
        "ctxh/indicators/data/). Kiểm tra hết trước khi ghi: có lỗi thì không ghi gì. Chạy lại không thay "
        "đổi gì; không xóa gì."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="TỆP", help=_(
            "Các tệp JSON cần nạp; để trống để nạp mọi tệp trong ctxh/indicators/data/."))

    def handle(self, *args, files: list[str], **options):
        try:
            report = load_indicator_data(files or None)
        except DefinitionsError as error:
            raise CommandError("\n".join([_("Không nạp được, chưa ghi gì:"), *error.messages])) from None
        self.stdout.write(_("Đã đọc: %(files)s.") % {"files": ", ".join(report.files)})
        for _model, label, counts in report.counts:
            self.stdout.write(counts_line(label, counts))
