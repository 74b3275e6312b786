"""Masking in templates: `{% load audit %}`, then

- `{% with p=person|masked_for:request.user %}{{ p.cccd }}{% endwith %}`: the object as the user may read it
  (sensitive fields masked unless ctxh.audit.masking.may_see_sensitive says otherwise);
- `{% sensitive person "cccd" %}`: one field of an object, masked or not for the signed-in user;
- `{{ value|mask:"cccd" }}`: a value masked unconditionally, when the view has already decided.
"""

from django import template

from ctxh.audit.masking import MaskedObject, MaskKind, mask, masked_value

register = template.Library()


@register.filter(name="mask")
def mask_filter(value, kind: str = MaskKind.TEXT):
    """`{{ worker.cccd|mask:"cccd" }}` → ********3456; kinds: cccd, phone, text (the default)."""
    masked = mask(value, kind)
    return "" if masked is None else masked


@register.filter
def masked_for(obj, user):
    """`obj|masked_for:request.user`: a view of obj whose sensitive attributes are masked for that user."""
    if obj is None or obj == "":
        return obj
    return MaskedObject(obj, user)


@register.simple_tag(takes_context=True)
def sensitive(context, obj, field_name: str):
    """`{% sensitive person "cccd" %}`: the field as the signed-in user may read it."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    value = masked_value(obj, field_name, user)
    return "" if value is None else value
