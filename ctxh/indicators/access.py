"""The access log for indicator answers that name people.

CHILDREN's actionable list names the children not yet served: reading it on the page, in the API or in an
XLSX is a read of personal data (Law 91/2025/QH15), written to the access log like any list of people.
Indicators whose lists name organizations or units write nothing here.
"""

from ctxh.audit.models import AccessAction
from ctxh.audit.services import log_access, log_export
from ctxh.cases.models import Person
from ctxh.indicators.results import IndicatorResult


def listed_person_ids(result: IndicatorResult) -> list[int]:
    listing = result.actionable
    return [row["person_id"] for row in listing.rows if "person_id" in row] if listing else []


def log_people_listed(request, result: IndicatorResult, *, action: str = AccessAction.LIST,
                      export: bool = False) -> None:
    """Record the people of `result`'s actionable list that `request`'s user read (or exported)."""
    ids = listed_person_ids(result)
    if not ids:
        return
    description = f"{result.code} {result.unit.code} {result.period.code}"
    if export:
        log_export(request_or_user=request, objects=ids, model=Person, description=description)
    else:
        log_access(request_or_user=request, action=action, objects=ids, model=Person, description=description)
