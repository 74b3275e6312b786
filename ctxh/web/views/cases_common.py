"""Helpers shared by the case pages (cases.py) and the people pages (cases_people.py)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctxh.cases import forms as case_forms
from ctxh.core.concurrency import ConcurrentEditError
from ctxh.geo.models import Level, Unit
from ctxh.orgs.models import Organization
from ctxh.workforce.models import Worker

PAGE_SIZE = 50


def organizations_of(user):
    return Organization.objects.for_user(user).order_by("name")


def add_errors(form, error: ValidationError) -> None:
    """A service's refusal next to the form's fields; a stale version on top, with what changed."""
    if isinstance(error, ConcurrentEditError):
        form.add_error(None, error.messages[0])
    else:
        case_forms.add_service_errors(form, error)


def save_failed(request, form) -> None:
    """The message on top of a page whose form was not saved, with the form's errors."""
    messages.error(request, _("Chưa lưu được: %(errors)s") % {
        "errors": "; ".join(case_forms.form_errors_text(form))})


def user_worker(user) -> Worker | None:
    """The worker record linked to the user's account, if any."""
    return Worker.objects.filter(user=user).first()


def address_unit_choices(user, day) -> list[Unit]:
    """Communes and wards valid on `day` in the provinces the user works in.

    A provincial centre serves the whole province, and a commune officer registers people of neighbouring
    communes too.
    """
    scoped = Unit.objects.for_user(user).as_of(day)
    provinces = set(scoped.filter(level=Level.PROVINCE).values_list("pk", flat=True))
    provinces |= set(scoped.filter(level=Level.COMMUNE).values_list("parent_id", flat=True))
    return list(Unit.objects.as_of(day).filter(level=Level.COMMUNE, parent_id__in=provinces)
                .order_by("search_name"))


def today():
    return timezone.localdate()
