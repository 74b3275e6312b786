"""View decorators of the web pages."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ctxh.accounts.roles import Capability


def capability_required(capability: Capability) -> Callable:
    """Signed-in users with `capability` only: others get the login page, or 403 when signed in.

    The capability says what a user may do; the scope (Model.objects.for_user) still says on which data.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.can(capability):
                raise PermissionDenied(_("Vai trò của bạn không có quyền xem trang này."))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
