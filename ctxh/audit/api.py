"""The access log and masking in the REST API (Django REST framework).

- `AccessLogViewSetMixin`, mixed into a viewset before the DRF base class, writes API_VIEW when `retrieve`
  gets its object and API_LIST for `list` (the ids of the page answered and the total count).
- `SensitiveFieldsSerializerMixin`, mixed into a serializer, masks the sensitive fields of each object
  (ctxh.audit.masking) for a user who may not see them. Without a request in the context it masks (fails
  closed).

    class PersonSerializer(SensitiveFieldsSerializerMixin, serializers.ModelSerializer): ...

    class PersonViewSet(AccessLogViewSetMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet): ...
"""

from ctxh.audit.masking import Sensitive, mask, may_see_sensitive, sensitive_fields_of
from ctxh.audit.models import AccessAction
from ctxh.audit.services import AccessNotLogged, describe_filters, log_access


class AccessLogViewSetMixin:
    audit_detail_actions: tuple[str, ...] = ("retrieve",)
    audit_list_actions: tuple[str, ...] = ("list",)
    audit_purpose = ""

    def get_audit_description(self) -> str:
        return describe_filters(self.request.query_params)

    def get_object(self):
        obj = super().get_object()
        if self.action in self.audit_detail_actions:
            log_access(
                request_or_user=self.request, action=AccessAction.API_VIEW, obj=obj,
                description=self.get_audit_description(), purpose=self.audit_purpose,
            )
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._audit_listed = (queryset, page)  # ListModelMixin.list always asks, paginated or not
        return page

    def _audit_total(self, page) -> int | None:
        """The total across pages: PageNumberPagination keeps it on its page, LimitOffsetPagination on
        itself."""
        if page is None:
            return None
        pagination = getattr(self, "paginator", None)
        django_paginator = getattr(getattr(pagination, "page", None), "paginator", None)
        if django_paginator is not None:
            return django_paginator.count
        return getattr(pagination, "count", None)

    def list(self, request, *args, **kwargs):
        self._audit_listed = None
        response = super().list(request, *args, **kwargs)
        if self.action in self.audit_list_actions and 200 <= response.status_code < 300:
            if self._audit_listed is None:
                raise AccessNotLogged(
                    f"{type(self).__name__}.list answered without paginate_queryset(): log the read with "
                    "ctxh.audit.services.log_access."
                )
            queryset, page = self._audit_listed
            log_access(
                request_or_user=request, action=AccessAction.API_LIST,
                objects=page if page is not None else queryset,  # the unpaginated queryset is evaluated
                model=getattr(queryset, "model", None), count=self._audit_total(page),
                description=self.get_audit_description(), purpose=self.audit_purpose,
            )
        return response


class SensitiveFieldsSerializerMixin:
    """Masks, in each object's representation, the fields declared sensitive for its model (matched by the
    serializer field's source) and those named in `sensitive_fields` on the serializer itself."""

    # Extra fields of this serializer to mask, by serializer field name: {"notes": MaskKind.TEXT}.
    sensitive_fields: dict = {}

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        declared = sensitive_fields_of(instance)
        rules: dict[str, Sensitive] = {}
        for name, field in self.fields.items():
            if name in data and field.source in declared:
                rules[name] = declared[field.source]
        for name, kind in self.sensitive_fields.items():
            if name in data:
                rules[name] = Sensitive(name, kind)
        if rules and not may_see_sensitive(self._user(), instance):
            for name, rule in rules.items():
                data[name] = mask(data[name], rule.kind)
        return data
