"""Links shown to a user only when they have the capability and the page exists.

The navigation bar (ctxh.web.context_processors) and the shortcuts of the home page are declarative lists
of `Link`; a module that adds pages adds its links to those lists.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from ctxh.accounts.roles import Capability


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url_name: str
    # None: every signed-in user; otherwise the user needs this capability.
    capability: Capability | None = None
    # The link is "current" on its own URL only (home), or on every URL below it (sections).
    exact: bool = False
    description: str | Promise = ""
    icon: str = ""


@dataclass(frozen=True)
class ResolvedLink:
    label: str | Promise
    url: str
    active: bool
    description: str | Promise = ""
    icon: str = ""


def user_may_follow(user, link: Link) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return link.capability is None or user.can(link.capability)


def resolve_links(links: Iterable[Link], user, path: str = "") -> list[ResolvedLink]:
    """The links this user may follow, with their URL; links to pages that do not exist (yet) are left out."""
    resolved = []
    for link in links:
        if not user_may_follow(user, link):
            continue
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:
            continue
        active = path == url if link.exact else bool(path) and path.startswith(url)
        resolved.append(ResolvedLink(link.label, url, active, link.description, link.icon))
    return resolved
