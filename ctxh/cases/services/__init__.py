"""Changes to the registry of people and to cases. One module per domain noun; everything is re-exported here
so callers write `from ctxh.cases import services` and `services.case_open(...)`.

- persons.py: people, duplicates, merge, pseudonymize, addresses, statuses, households
- workflow.py: cases and their stages, assessments, plans, services delivered, close, reopen, transfer
- referrals.py: referrals between organizations, consent
"""

from ctxh.cases.services.persons import (
    DuplicateCandidate,
    PersonCreateResult,
    address_set,
    find_duplicates,
    household_create,
    household_member_add,
    household_member_end,
    household_member_update,
    household_update,
    person_create,
    person_merge,
    person_pseudonymize,
    person_update,
    status_add,
    status_end,
    status_verify,
)
from ctxh.cases.services.referrals import (
    consent_problem,
    consent_record,
    consent_withdraw,
    referral_complete,
    referral_respond,
    referral_send,
    referral_withdraw,
    sharing_consent,
)
from ctxh.cases.services.workflow import (
    ALLOWED,
    STAGE_ORDER,
    assessment_add,
    case_advance,
    case_assign,
    case_close,
    case_open,
    case_reopen,
    case_transfer,
    case_update,
    emergency_measures_record,
    next_case_number,
    plan_approve,
    plan_draft,
    service_record,
)
from ctxh.core.concurrency import ConcurrentEditError

__all__ = [
    "ALLOWED", "STAGE_ORDER", "ConcurrentEditError", "DuplicateCandidate", "PersonCreateResult",
    "address_set", "assessment_add", "case_advance", "case_assign", "case_close", "case_open", "case_reopen",
    "case_transfer", "case_update", "consent_problem", "consent_record", "consent_withdraw",
    "emergency_measures_record", "find_duplicates", "household_create", "household_member_add",
    "household_member_end", "household_member_update", "household_update", "next_case_number",
    "person_create", "person_merge", "person_pseudonymize", "person_update", "plan_approve", "plan_draft",
    "referral_complete", "referral_respond", "referral_send", "referral_withdraw", "service_record",
    "sharing_consent", "status_add", "status_end", "status_verify",
]
