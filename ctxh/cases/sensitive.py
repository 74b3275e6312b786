"""The sensitive fields of people and cases (docs/privacy.md), and who besides VIEW_SENSITIVE sees them.

Registered from CasesConfig.ready(). A social worker sees the sensitive fields of the cases assigned to them,
and of the person (statuses included) of such a case.
"""

from ctxh.audit.masking import MaskKind, Sensitive, register_sensitive, register_sensitive_access


def _sensitive_status(status) -> bool:
    return bool(status.category_id and status.category.is_sensitive)


def _assigned(user, person_id) -> bool:
    from ctxh.cases.models import Case

    return Case.objects.filter(person_id=person_id, assigned_worker__user=user).exists()


def register() -> None:
    register_sensitive("cases.Person", Sensitive("cccd", MaskKind.CCCD), Sensitive("phone", MaskKind.PHONE),
                       "note")
    # Evidence and notes may quote medical or court papers whatever the status: always sensitive. Which
    # status a person holds is sensitive only for the sensitive categories (HIV, violence, drug use...).
    register_sensitive("cases.PersonStatus", Sensitive("category", when=_sensitive_status),
                       "evidence", "note",
                       Sensitive("event", when=_sensitive_status))
    register_sensitive("cases.Case", "intake_summary", "outcome")
    register_sensitive("cases.Assessment", "needs")
    register_sensitive("cases.ServiceDelivery", "note")
    register_sensitive("cases.EmergencyMeasure", "measures")
    register_sensitive("cases.CarePlan", "note")

    @register_sensitive_access("cases.Case")
    def _case_worker(user, case) -> bool:
        worker = case.assigned_worker
        return worker is not None and worker.user_id == user.pk

    @register_sensitive_access("cases.Assessment")
    def _assessment_worker(user, assessment) -> bool:
        return _case_worker(user, assessment.case)

    @register_sensitive_access("cases.ServiceDelivery")
    def _service_worker(user, service) -> bool:
        return _case_worker(user, service.case)

    @register_sensitive_access("cases.CarePlan")
    def _plan_worker(user, plan) -> bool:
        return _case_worker(user, plan.case)

    @register_sensitive_access("cases.EmergencyMeasure")
    def _measure_worker(user, measure) -> bool:
        return _case_worker(user, measure.case)

    @register_sensitive_access("cases.Person")
    def _person_worker(user, person) -> bool:
        return _assigned(user, person.pk)

    @register_sensitive_access("cases.PersonStatus")
    def _status_worker(user, status) -> bool:
        return _assigned(user, status.person_id)


def persons_seen_whole(user, person_ids) -> set[int]:
    """Of `person_ids`, the people whose sensitive fields (their own and their statuses') `user` sees whole:
    all of them with VIEW_SENSITIVE, otherwise those of a case assigned to the user. The same rule as the
    registered ones above, in one query for a list or an export instead of one per row."""
    from ctxh.accounts.roles import Capability
    from ctxh.cases.models import Case

    ids = set(person_ids)
    if not (user is not None and user.is_authenticated and user.is_active):
        return set()
    if user.can(Capability.VIEW_SENSITIVE):
        return ids
    return set(Case.objects.filter(person_id__in=ids, assigned_worker__user=user)
               .values_list("person_id", flat=True))
