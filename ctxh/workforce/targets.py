"""Plan 154's targets for STAFFING, TRAINING, COUNSELLED and CHILDREN, in one place.

Temporary: the monitoring work turns targets into data (programme, indicator, phase, value, comparison) and
replaces this module; callers only use `target_for`, so the change stays local.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Target:
    indicator: str
    phase_code: str
    value: Decimal
    comparison: str  # ">=" (at least) or ">" (more than)
    label: str

    def is_met(self, value: Decimal | float | int | None) -> bool | None:
        if value is None:
            return None
        value = Decimal(str(value))
        return value >= self.value if self.comparison == ">=" else value > self.value


TARGETS: tuple[Target, ...] = (
    Target("STAFFING", "1", Decimal("0.60"), ">=", _("ít nhất 60 % vào cuối năm 2025")),
    Target("STAFFING", "2", Decimal("0.90"), ">=", _("ít nhất 90 % vào cuối năm 2030")),
    Target("TRAINING", "1", Decimal(2000), ">", _("trên 2.000 lượt người trong giai đoạn 2021-2025")),
    Target("TRAINING", "2", Decimal(3500), ">", _("trên 3.500 lượt người trong giai đoạn 2026-2030")),
    # COUNSELLED: growth of the number of people of the phase's last year on the year before the phase.
    Target("COUNSELLED", "1", Decimal("0.20"), ">=", _("năm 2025 tăng ít nhất 20 % so với năm 2020")),
    Target("COUNSELLED", "2", Decimal("0.30"), ">=", _("năm 2030 tăng ít nhất 30 % so với năm 2025")),
    Target("CHILDREN", "1", Decimal("0.90"), ">=", _("ít nhất 90 % vào năm 2025")),
    Target("CHILDREN", "2", Decimal("1.00"), ">=", _("100 % vào năm 2030")),
)


def target_for(indicator: str, phase_code: str | None) -> Target | None:
    return next((t for t in TARGETS if t.indicator == indicator and t.phase_code == phase_code), None)
