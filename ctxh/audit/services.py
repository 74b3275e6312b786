"""Writing the access log: `log_access` for any sensitive read, `log_export` and `log_print` for files and
printouts.

One call writes one row with one INSERT. A list writes one row per request with the ids it showed in a JSON
field, never one row per object. Pages use the decorator or mixin of ctxh.audit.views, API viewsets the mixin
of ctxh.audit.api; both call `log_access`.

A failure to write the log fails the read: `log_access` lets the database error propagate, the view answers
with an error page and the data is not sent. A sensitive read without a log entry must not happen; an
unavailable log makes sensitive pages unavailable too, which an administrator notices and fixes
(docs/privacy.md, "Failure").
"""

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.paginator import Page
from django.db import models
from django.db.models.query import ModelIterable, QuerySet
from django.http import HttpRequest

from ctxh.audit.models import AccessAction, AccessLog

DEFAULT_MAX_IDS = 10_000
# Query parameters that say nothing about what was read.
IGNORED_PARAMS = frozenset({"page", "csrfmiddlewaretoken", "format"})
DESCRIPTION_MAX = 2000
LOGGED_MARK = "_ctxh_access_logged"




class AccessNotLogged(ImproperlyConfigured):
    """A view declared as a sensitive read answered successfully without writing the access log."""


# ---------------------------------------------------------------------------------------------- who, where


def trusted_proxy_count() -> int:
    """How many reverse proxies of our own stand between the client and Django (CTXH_TRUSTED_PROXY_COUNT)."""
    return max(0, int(getattr(settings, "CTXH_TRUSTED_PROXY_COUNT", 0) or 0))


def _as_ip(value: str | None) -> str | None:
    """A valid IP address from a header value, or None ("1.2.3.4:5678" and "[::1]:443" lose their port)."""
    text = (value or "").strip()
    if not text:
        return None
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates.append(text[1 : text.index("]")])
    elif text.count(":") == 1:
        candidates.append(text.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, unless CTXH_TRUSTED_PROXY_COUNT says that many proxies of ours
    append to X-Forwarded-For, in which case the address that the outermost of them received from.

    Each proxy appends the address it got the request from, so with N trusted proxies the client is the N-th
    entry from the right; entries further left were written by the client itself and prove nothing.
    """
    meta = request.META
    remote = _as_ip(meta.get("REMOTE_ADDR"))
    count = trusted_proxy_count()
    if count == 0:
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    candidate = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _as_ip(candidate) or remote


def _request_and_user(request_or_user) -> tuple[HttpRequest | None, Any]:
    if request_or_user is None:
        return None, None
    if hasattr(request_or_user, "META"):  # a Django HttpRequest or a DRF Request
        return request_or_user, getattr(request_or_user, "user", None)
    return None, request_or_user


def mark_logged(request) -> None:
    http_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    setattr(http_request, LOGGED_MARK, getattr(http_request, LOGGED_MARK, 0) + 1)


def was_logged(request) -> bool:
    http_request = getattr(request, "_request", request)
    return bool(getattr(http_request, LOGGED_MARK, 0))


# ---------------------------------------------------------------------------------------------- what


def audit_label(obj: models.Model) -> str:
    """How an object is named in the log: its `audit_label` (attribute or method) when the model defines one,
    else str(obj). A model whose str() is a person's name may prefer a record number here."""
    label = getattr(obj, "audit_label", None)
    if callable(label):
        label = label()
    return str(label if label is not None else obj)[:255]


def _json_id(pk: Any) -> int | str:
    return pk if isinstance(pk, int) else str(pk)


def _collect_ids(objects, max_ids: int) -> tuple[type[models.Model] | None, list, bool, int | None]:
    """(model, ids up to max_ids, truncated?, total when known) of a queryset, a page or an iterable of
    instances or ids. An unevaluated queryset costs one SELECT of its ids (and a COUNT when truncated); pass
    the evaluated page to avoid it."""
    if isinstance(objects, Page):
        objects = objects.object_list
    if isinstance(objects, QuerySet):
        model = objects.model
        if objects._result_cache is not None and objects._iterable_class is ModelIterable:
            items = [obj.pk for obj in objects._result_cache]
        else:
            items = list(objects.values_list("pk", flat=True)[: max_ids + 1])
            if len(items) > max_ids:
                return model, [_json_id(pk) for pk in items[:max_ids]], True, objects.count()
        ids = [_json_id(pk) for pk in items]
        return model, ids[:max_ids], len(ids) > max_ids, len(ids)
    model, ids, total = None, [], 0
    for item in objects:
        total += 1
        if isinstance(item, models.Model):
            model = model or type(item)
            item = item.pk
        if len(ids) < max_ids:
            ids.append(_json_id(item))
    return model, ids, total > max_ids, total


def describe_filters(params: Mapping | None) -> str:
    """The non-empty query parameters of a list or an export, "key=value; ..." (short, for the log)."""
    if not params:
        return ""
    parts = []
    keys = params.keys()
    for key in keys:
        if key in IGNORED_PARAMS:
            continue
        values = params.getlist(key) if hasattr(params, "getlist") else [params[key]]
        values = [str(value).strip() for value in values if value not in (None, "") and str(value).strip()]
        if values:
            parts.append(f"{key}={','.join(values)}")
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------- write


def log_access(
    *,
    request_or_user,
    action: AccessAction | str,
    obj: models.Model | None = None,
    objects: Iterable | None = None,
    model: type[models.Model] | None = None,
    description: str = "",
    count: int | None = None,
    purpose: str = "",
) -> AccessLog:
    """Write one access log entry (one INSERT) and return it; a database error propagates (the read fails).

    `obj`: the one record read (detail, print of one record). `objects`: the records shown or exported (a
    queryset, a page, a list of instances or ids): their ids go into one JSON list, at most
    CTXH_AUDIT_MAX_IDS of them (then `object_ids_truncated`). `model` names the kind of records when
    `objects` cannot (an empty list). `count`: how many records in all (a list's total across its pages,
    an export's rows); defaults to the number of `objects`.
    """
    request, user = _request_and_user(request_or_user)
    entry = AccessLog(
        action=AccessAction(action), description=(description or "")[:DESCRIPTION_MAX], purpose=purpose[:255]
    )
    if user is not None and getattr(user, "is_authenticated", False):
        entry.user = user
        entry.username = user.get_username()
    if obj is not None:
        model = model or type(obj)
        entry.object_id = str(obj.pk)
        entry.object_label = audit_label(obj)
    if objects is not None:
        max_ids = int(getattr(settings, "CTXH_AUDIT_MAX_IDS", DEFAULT_MAX_IDS))
        found_model, ids, truncated, total = _collect_ids(objects, max_ids)
        model = model or found_model
        entry.object_ids, entry.object_ids_truncated = ids, truncated
        entry.count = count if count is not None else total
    elif count is not None:
        entry.count = count
    if model is not None:
        entry.content_type = ContentType.objects.get_for_model(model)
    if request is not None:
        entry.ip_address = client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:512]
        entry.method = (request.method or "")[:10]
        entry.path = request.get_full_path()[:2048]
    entry.save(force_insert=True)
    if request is not None:
        mark_logged(request)
    return entry


def log_export(
    *,
    request_or_user,
    objects: Iterable,
    file_format: str = "xlsx",
    filters: Mapping | None = None,
    description: str = "",
    count: int | None = None,
    model: type[models.Model] | None = None,
    purpose: str = "",
) -> AccessLog:
    """An export: the file format, the filters (defaults to the request's query string), the rows' ids.

    Call it before the file is sent; if it fails, the export fails.
    """
    request, _user = _request_and_user(request_or_user)
    if filters is None and request is not None:
        filters = request.GET
    parts = [file_format, describe_filters(filters), description]
    return log_access(
        request_or_user=request_or_user, action=AccessAction.EXPORT, objects=objects, model=model,
        description=" · ".join(part for part in parts if part), count=count, purpose=purpose,
    )


def log_print(
    *,
    request_or_user,
    obj: models.Model | None = None,
    objects: Iterable | None = None,
    description: str = "",
    purpose: str = "",
) -> AccessLog:
    """A printable page or a rendered document (PDF, DOCX) of one record or of several."""
    return log_access(
        request_or_user=request_or_user, action=AccessAction.PRINT, obj=obj, objects=objects,
        description=description, purpose=purpose,
    )
