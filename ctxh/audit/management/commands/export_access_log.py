"""Export the access log entries older than the retention period to a file, before an administrator archives
them. Deletes nothing: the application cannot delete the log (docs/privacy.md, "Retention").

    manage.py export_access_log --output var/archive/access-log-until-2021-01-01.jsonl.gz
    manage.py export_access_log --before 2021-01-01 --output access-log.jsonl

One JSON object per line (gzip-compressed when the name ends in .gz), oldest first; a `.sha256` file beside
it holds the file's checksum (`sha256sum -c`). The command prints how many entries it wrote, their id and date
range, and the condition that selects exactly these rows, for the administrator who archives them.
"""

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import F
from django.utils import timezone

from ctxh.audit.models import AccessLog

DEFAULT_RETENTION_DAYS = 5 * 365
FIELDS = (
    "id", "at", "user_id", "username", "action", "object_id", "object_label", "object_ids",
    "object_ids_truncated", "count", "description", "purpose", "ip_address", "user_agent", "method", "path",
)


def retention_days() -> int:
    return int(getattr(settings, "CTXH_AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_cutoff(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) - dt.timedelta(days=retention_days())


class Command(BaseCommand):
    help = (
        "Xuất các dòng nhật ký truy cập cũ hơn thời hạn lưu giữ ra tệp (JSON Lines) để quản trị viên "
        "lưu trữ; không xóa gì."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", required=True, help="Tệp ghi ra (.jsonl hoặc .jsonl.gz); không ghi đè tệp đã có."
        )
        parser.add_argument("--before", help=(
            "Xuất các dòng trước ngày này (YYYY-MM-DD); mặc định: hôm nay trừ thời hạn lưu giữ "
            "(CTXH_AUDIT_RETENTION_DAYS)."
        ))

    def handle(self, *args, **options):
        if options["before"]:
            try:
                cutoff = dt.date.fromisoformat(options["before"])
            except ValueError:
                raise CommandError(
                    f"--before: “{options['before']}” không phải ngày hợp lệ; hãy viết YYYY-MM-DD."
                ) from None
        else:
            cutoff = default_cutoff()
        output = Path(options["output"])
        if output.exists():
            raise CommandError(f"Tệp {output} đã có; hãy chọn tên khác (lệnh không ghi đè).")
        output.parent.mkdir(parents=True, exist_ok=True)
        start = timezone.make_aware(dt.datetime.combine(cutoff, dt.time.min))
        entries = (
            AccessLog.objects.filter(at__lt=start)
            .order_by("at", "id")
            .values(*FIELDS, content_app=F("content_type__app_label"), content_model=F("content_type__model"))
        )
        count, first, last, max_id = 0, None, None, None
        opener = gzip.open if output.suffix == ".gz" else open
        with opener(output, "wt", encoding="utf-8") as file:
            for entry in entries.iterator(chunk_size=2000):
                app_label, model = entry.pop("content_app"), entry.pop("content_model")
                entry["content_type"] = f"{app_label}.{model}" if app_label else None
                entry["at"] = timezone.localtime(entry["at"]).isoformat()
                line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
                file.write(line)
                count += 1
                first = first or entry["at"]
                last = entry["at"]
                max_id = entry["id"] if max_id is None else max(max_id, entry["id"])
        checksum = file_sha256(output)
        Path(f"{output}.sha256").write_text(f"{checksum}  {output.name}\n", encoding="utf-8")
        if not count:
            self.stdout.write(f"Không có dòng nào trước ngày {cutoff:%d/%m/%Y}; tệp {output} rỗng.")
            return
        self.stdout.write(
            f"Đã xuất {count} dòng nhật ký truy cập (từ {first} đến {last}, id ≤ {max_id}) ra {output}.\n"
            f"SHA-256 của tệp: {checksum} (kiểm tra: sha256sum -c {output.name}.sha256)\n"
            f"Các dòng này: at < '{start.isoformat()}' AND id <= {max_id}.\n"
            "Ứng dụng không xóa nhật ký: quản trị viên cơ sở dữ liệu lưu trữ tệp rồi mới xử lý các dòng "
            "đã xuất, theo docs/privacy.md (mục “Retention”)."
        )
