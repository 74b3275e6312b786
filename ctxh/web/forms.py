"""Form helpers shared by the web pages."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's messages next to the fields they name (each once), the others above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for error in dict.fromkeys(errors):
                form.add_error(target, error)
    else:
        for error in dict.fromkeys(exc.messages):
            form.add_error(None, error)
