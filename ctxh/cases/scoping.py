"""Who sees which people, cases and referrals: the one door (`Person.objects.for_user(user)`,
`Case.objects.for_user(user)`, `Referral.objects.for_user(user)`).

The rule, by role (ctxh.accounts.roles.Role), on top of the user's scope (ctxh.accounts.scoping):

- unrestricted scope (administrators): everything.
- programme manager, organization officer (`SCOPED_ROLES`): the cases held by an organization in the user's
  scope (`Organization.objects.for_user`: the organizations located in the user's units, across successions,
  and the user's own organizations with those under them), and the cases referred to such an organization once
  it accepted the referral (accepted or completed). People: those whose address unit history touches the
  user's unit closure, those with a case the user sees, and those the user registered (between registration
  and the opening of a case).
- social worker (`ASSIGNED_ROLES`): only the cases assigned to the worker linked to the user
  (`Worker.user`); people with such a case, and those the user registered.
- leader and trainer: no individual records (they see the indicators, which are counts).

Referrals: those sent by or to an organization the user's role lets them act for (`SCOPED_ROLES`), plus those
of the cases the user sees.

Households: those with a member the user sees, and for `SCOPED_ROLES` those recorded in a unit of the user's
scope. Merging two people needs both in the user's scope and a role that sees whole organizations
(`can_merge_persons`): a social worker sees only the people of their own cases, and a merge moves every case.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from ctxh.accounts.roles import Role
from ctxh.accounts.scoping import scope_for

SCOPED_ROLES: frozenset[str] = frozenset({Role.PROGRAMME_MANAGER, Role.ORG_OFFICER})
ASSIGNED_ROLES: frozenset[str] = frozenset({Role.SOCIAL_WORKER})


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _organizations(user):
    from ctxh.orgs.models import Organization

    return Organization.objects.for_user(user).values("pk")


def visible_cases_condition(user) -> Q | None:
    """A Q on Case for the user, or None for everything. An impossible Q when nothing."""
    from ctxh.cases.models import Referral, ReferralStatus

    if not _active(user):
        return Q(pk__in=[])
    if scope_for(user).unrestricted:
        return None
    if user.role in ASSIGNED_ROLES:
        return Q(assigned_worker__user=user)
    if user.role in SCOPED_ROLES:
        organizations = _organizations(user)
        referred = Referral.objects.filter(
            case=OuterRef("pk"), to_org__in=organizations,
            status__in=[ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED],
        )
        return Q(organization__in=organizations) | Q(Exists(referred))
    return Q(pk__in=[])


def scope_cases(queryset: QuerySet, user) -> QuerySet:
    condition = visible_cases_condition(user)
    return queryset if condition is None else queryset.filter(condition)


def scope_persons(queryset: QuerySet, user) -> QuerySet:
    from ctxh.cases.models import Case, PersonAddress

    if not _active(user):
        return queryset.none()
    scope = scope_for(user)
    if scope.unrestricted:
        return queryset
    if user.role not in SCOPED_ROLES | ASSIGNED_ROLES:
        return queryset.none()
    cases = scope_cases(Case.objects.filter(person=OuterRef("pk")), user)
    condition = Q(Exists(cases)) | Q(created_by=user)
    if user.role in SCOPED_ROLES and scope.unit_ids:
        addresses = PersonAddress.objects.filter(person=OuterRef("pk"), unit_id__in=scope.unit_ids)
        condition |= Q(Exists(addresses))
    return queryset.filter(condition)


def scope_referrals(queryset: QuerySet, user) -> QuerySet:
    from ctxh.cases.models import Case

    if not _active(user):
        return queryset.none()
    if scope_for(user).unrestricted:
        return queryset
    cases = scope_cases(Case.objects.all(), user).values("pk")
    condition = Q(case__in=cases)
    if user.role in SCOPED_ROLES:
        organizations = _organizations(user)
        condition |= Q(from_org__in=organizations) | Q(to_org__in=organizations)
    return queryset.filter(condition)


def acting_organizations(user) -> QuerySet:
    """The organizations in whose name the user may act (`can_act_for`), as one queryset: a page asks once
    for all of them, not once per organization."""
    from ctxh.orgs.models import Organization

    if not _active(user) or not (scope_for(user).unrestricted or user.role in SCOPED_ROLES):
        return Organization.objects.none()
    return Organization.objects.for_user(user)


def can_act_for(user, organization) -> bool:
    """Whether the user may act in the name of `organization` (answer a referral, approve a plan)."""
    if _active(user) and scope_for(user).unrestricted:
        return True
    return acting_organizations(user).filter(pk=organization.pk).exists()


def scope_households(queryset: QuerySet, user) -> QuerySet:
    from ctxh.cases.models import HouseholdMember, Person
    from ctxh.geo.models import Unit

    if not _active(user):
        return queryset.none()
    if scope_for(user).unrestricted:
        return queryset
    if user.role not in SCOPED_ROLES | ASSIGNED_ROLES:
        return queryset.none()
    people = Person.objects.for_user(user).live()
    condition = Q(Exists(HouseholdMember.objects.filter(household=OuterRef("pk"), person__in=people)))
    if user.role in SCOPED_ROLES:
        condition |= Q(unit__in=Unit.objects.for_user(user))
    return queryset.filter(condition)


def can_merge_persons(user) -> bool:
    """Whether the user's role may merge duplicate people (which two: both must be in `Person.for_user`)."""
    from ctxh.accounts.roles import Capability

    if not _active(user) or not user.can(Capability.CHANGE_CASES):
        return False
    return scope_for(user).unrestricted or user.role in SCOPED_ROLES
