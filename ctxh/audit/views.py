"""Logging sensitive reads in Django views: a decorator for function views, a mixin for class-based views.

Function views call `log_access` themselves (they know the object they found through `for_user`) and wear
`@access_logged`, which refuses to answer successfully if they did not: a view that forgets to log fails
loudly in development and in tests instead of leaking quietly.

    @capability_required(Capability.VIEW_CASES)
    @access_logged
    def case_detail(request, pk):
        case = get_object_or_404(Case.objects.for_user(request.user), pk=pk)
        log_access(request_or_user=request, action=AccessAction.VIEW, obj=case)
        ...

Class-based views mix in `AccessLogMixin` before DetailView / ListView: a detail logs VIEW when it gets its
object, a list logs LIST (SEARCH when the search parameter is filled) with the ids of the page it shows and
the total count.
"""

from functools import wraps

from django.views.generic.list import MultipleObjectMixin

from ctxh.audit.models import AccessAction
from ctxh.audit.services import AccessNotLogged, describe_filters, log_access, was_logged

__all__ = ["AccessLogMixin", "AccessNotLogged", "access_logged"]


def access_logged(view):
    """The view is a sensitive read: a successful (2xx) answer without an access log entry is refused."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if 200 <= response.status_code < 300 and not was_logged(request):
            raise AccessNotLogged(
                f"{view.__module__}.{view.__qualname__} answered {response.status_code} without writing the "
                "access log: call ctxh.audit.services.log_access before answering."
            )
        return response

    wrapped.access_logged = True
    return wrapped


class AccessLogMixin:
    """For DetailView / ListView (and views built on SingleObjectMixin or MultipleObjectMixin)."""

    audit_action: str | None = None  # default: VIEW for a detail, LIST or SEARCH for a list
    audit_search_param = "q"
    audit_purpose = ""

    def get_audit_description(self) -> str:
        return describe_filters(self.request.GET)

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        log_access(
            request_or_user=self.request, action=self.audit_action or AccessAction.VIEW, obj=obj,
            description=self.get_audit_description(), purpose=self.audit_purpose,
        )
        return obj

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if isinstance(self, MultipleObjectMixin) and "object_list" in context:
            objects = context["object_list"]
            len(objects)  # evaluate once: the template reuses the result
            page = context.get("page_obj")
            action = self.audit_action or (
                AccessAction.SEARCH if self.request.GET.get(self.audit_search_param, "").strip()
                else AccessAction.LIST
            )
            log_access(
                request_or_user=self.request, action=action, objects=objects,
                model=getattr(objects, "model", None) or getattr(self, "model", None),
                count=page.paginator.count if page is not None else None,
                description=self.get_audit_description(), purpose=self.audit_purpose,
            )
        return context
