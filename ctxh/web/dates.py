"""Dates typed by people or carried in query strings."""

import datetime as dt

from django import forms


def parse_query_day(value: str | None) -> dt.date | None:
    """A date written dd/mm/yyyy or ISO (2025-07-01); nothing for text that is no date."""
    try:
        return forms.DateField(required=False).clean(value)
    except forms.ValidationError:
        return None
