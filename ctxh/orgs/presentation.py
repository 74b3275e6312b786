"""How an organization's field values read to a person (change history, conflict messages)."""

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from ctxh.orgs.models import Organization


def field_label(name: str) -> str:
    try:
        label = str(Organization._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
    return label[:1].upper() + label[1:]


def display_value(name: str, value) -> str:
    """A stored value as a person reads it: choice labels, names of related rows, dates dd/mm/yyyy."""
    if value is None or value == "":
        return ""
    try:
        field = Organization._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        if isinstance(value, models.Model):
            return getattr(value, "label", None) or str(value)
        related = field.related_model.objects.filter(pk=value).first()
        if related is None:
            return str(value)
        return getattr(related, "label", None) or str(related)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)
