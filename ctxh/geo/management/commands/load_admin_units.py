"""`manage.py load_admin_units`: Vietnam's administrative units over time (see docs/geo.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ctxh.geo.changesets import ChangeSetError
from ctxh.geo.mapping import MappingError
from ctxh.geo.models import Level
from ctxh.geo.package import PackageDataError
from ctxh.geo.services import ChangeSetReport, LoadReport, admin_units_load, changeset_apply
from ctxh.geo.sync import Counts, SyncError


def n(value: int) -> str:
    return number_format(value, force_grouping=True)


def shown_path(path: Path) -> str:
    """A path relative to the project when it is inside it (shorter, and the same on every machine)."""
    try:
        return str(Path(path).resolve().relative_to(settings.BASE_DIR))
    except ValueError:
        return str(path)


def counts_line(label: str, counts: Counts) -> str:
    return _("%(label)s: tạo mới %(created)s, cập nhật %(updated)s, không đổi %(unchanged)s.") % {
        "label": label,
        "created": n(counts.created),
        "updated": n(counts.updated),
        "unchanged": n(counts.unchanged),
    }


class Command(BaseCommand):
    help = _(
        "Nạp đơn vị hành chính từ gói vietnam-provinces (thế hệ cũ đến 30/06/2025, thế hệ mới từ "
        "01/07/2025, bảng chuyển đổi chính thức) và bản đối chiếu địa phương; hoặc áp dụng tệp thay đổi "
        "(--changeset). Chạy lại không thay đổi gì."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--mapping",
            action="append",
            default=[],
            metavar="TỆP",
            type=Path,
            help=_(
                "Tệp CSV đối chiếu bổ sung (old_code,new_code,kind,partly_merged,note); dùng được nhiều lần."
            ),
        )
        parser.add_argument(
            "--no-local-mapping",
            action="store_true",
            help=_("Không áp dụng bản đối chiếu địa phương đi kèm (ctxh/geo/data/)."),
        )
        parser.add_argument(
            "--changeset",
            action="append",
            default=[],
            metavar="TỆP",
            type=Path,
            help=_(
                "Áp dụng tệp thay đổi JSON (docs/geo.md) thay vì nạp lại từ gói; "
                "dùng được nhiều lần, theo thứ tự."
            ),
        )

    def handle(self, *args, mapping, no_local_mapping, changeset, **options):
        try:
            if changeset:
                if mapping or no_local_mapping:
                    raise CommandError(
                        _("--changeset không dùng chung với --mapping hay --no-local-mapping.")
                    )
                for path in changeset:
                    self.show_changeset(changeset_apply(path=path))
                return
            self.show_load(admin_units_load(mapping_files=mapping, use_shipped_mapping=not no_local_mapping))
        except (ChangeSetError, MappingError, PackageDataError, SyncError) as exc:
            raise CommandError(str(exc)) from exc

    def show_load(self, report: LoadReport) -> None:
        data = report.package
        out = self.stdout.write
        out(
            _("Nguồn: vietnam-provinces %(version)s (dữ liệu ngày %(data)s).")
            % {"version": data.version, "data": data.data_version}
        )
        out(
            _("Thế hệ cũ (đến 30/06/2025): %(p)s cấp tỉnh, %(d)s cấp huyện, %(c)s cấp xã.")
            % {
                "p": n(data.legacy_counts[Level.PROVINCE]),
                "d": n(data.legacy_counts[Level.DISTRICT]),
                "c": n(data.legacy_counts[Level.COMMUNE]),
            }
        )
        out(
            _("Thế hệ mới (từ 01/07/2025): %(p)s cấp tỉnh, %(c)s cấp xã.")
            % {"p": n(data.new_counts[Level.PROVINCE]), "c": n(data.new_counts[Level.COMMUNE])}
        )
        out(counts_line(_("Đơn vị hành chính"), report.units))
        out(counts_line(_("Quan hệ kế thừa"), report.successions))
        out(
            _("Bảng chuyển đổi chính thức không có đơn vị kế thừa cho %(count)s xã cũ.")
            % {"count": n(len(data.missing_in_table))}
        )
        if data.unknown_in_table:
            out(
                _(
                    "Bảng chuyển đổi nhắc đến %(count)s mã xã cũ không có trong danh sách xã cũ của gói "
                    "(bỏ qua): %(codes)s."
                )
                % {"count": n(len(data.unknown_in_table)), "codes": ", ".join(data.unknown_in_table)}
            )
        if data.new_without_predecessor:
            out(
                _("%(count)s xã mới không có xã cũ nào chuyển vào theo bảng: %(units)s.")
                % {
                    "count": n(len(data.new_without_predecessor)),
                    "units": ", ".join(
                        f"{code} {data.new_communes[code]}" for code in data.new_without_predecessor
                    ),
                }
            )
        for path in report.mapping_files:
            out(_("Bản đối chiếu địa phương: %(file)s") % {"file": shown_path(path)})
        for row in report.local_rows:
            old = data.legacy_communes.get(row.old_code)
            out(
                "  "
                + _("%(old)s → %(new)s %(name)s (%(kind)s)")
                % {
                    "old": old or row.old_code,
                    "new": row.new_code,
                    "name": data.new_communes.get(row.new_code, ""),
                    "kind": row.kind,
                }
            )
        if report.unmapped:
            out(
                _("Còn %(count)s xã cũ chưa có đơn vị kế thừa (bổ sung bằng --mapping TỆP, xem docs/geo.md):")
                % {"count": n(len(report.unmapped))}
            )
            for commune in report.unmapped:
                out(f"  {commune}")
        else:
            out(_("Mọi xã cũ đều đã có đơn vị kế thừa."))
        if report.changed:
            out(self.style.SUCCESS(_("Đã ghi các thay đổi.")))
        else:
            out(self.style.SUCCESS(_("Không có thay đổi nào: cơ sở dữ liệu đã khớp với nguồn.")))
        out(_("Thời gian nạp: %(seconds)s giây.") % {"seconds": number_format(report.seconds, 2)})

    def show_changeset(self, report: ChangeSetReport) -> None:
        out = self.stdout.write
        cs = report.changeset
        out(_("Tệp thay đổi %(file)s: %(title)s") % {"file": cs.file, "title": cs.title or cs.source})
        out(counts_line(_("Đơn vị hành chính"), report.units))
        if report.ended:
            out("  " + _("trong đó %(count)s đơn vị kết thúc hiệu lực.") % {"count": n(report.ended)})
        out(counts_line(_("Quan hệ kế thừa"), report.successions))
        if report.changed:
            out(self.style.SUCCESS(_("Đã ghi các thay đổi.")))
        else:
            out(self.style.SUCCESS(_("Không có thay đổi nào: tệp thay đổi đã được áp dụng trước đó.")))
