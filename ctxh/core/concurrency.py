"""Optimistic locking, shared by every app whose records carry a `version` and a simple_history `history`.

A form or an API call carries the version it read; the service compares it with the row (locked with
SELECT ... FOR UPDATE) and refuses a stale save with `ConcurrentEditError`, which names the fields the other
person changed (`changes_since`). Nothing is ever silently overwritten.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    theirs: Any  # the value saved by the other person


class ConcurrentEditError(ValidationError):
    """The record changed after it was read: the save is refused, with the fields the other person changed."""

    def __init__(self, changes: list[FieldChange]):
        self.changes = changes
        names = ", ".join(change.label for change in changes) or str(_("không rõ"))
        super().__init__(
            _("Bản ghi đã được người khác sửa sau khi bạn mở ra (%(fields)s). Hãy tải lại trang, xem "
              "thay đổi của họ rồi nhập lại thay đổi của bạn."),
            code="stale_version", params={"fields": names},
        )


def changes_since(instance, version: int, fields: tuple[str, ...]) -> list[FieldChange]:
    """The `fields` of `instance` (with history and a `version`) that differ from what `version` held."""
    seen = instance.history.filter(version=version).order_by("-history_date").first()
    if seen is None:
        return []
    changes = []
    for name in fields:
        field = instance._meta.get_field(name)
        attname = field.attname
        if getattr(seen, attname) != getattr(instance, attname):
            changes.append(FieldChange(name, str(field.verbose_name), getattr(instance, name)))
    return changes
