"""Show every page in the viewer's own time zone.

``PersonTimeZoneMiddleware`` activates the zone of the logged-in user's person
(``Person.time_zone``) for the request, so templates and ``timezone.localtime`` show times
as the viewer's clock does. Anyone else, and a zone the system doesn't know, gets the site's
``TIME_ZONE``.

The zone is read once, when the user logs in (``remember_time_zone``), and kept in the
session, so a page costs no extra query; a session older than this middleware reads it on
its first request. A changed zone applies from the next sign-in, or at once through
``remember_time_zone``.
"""

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cadre.people.models import Person

SESSION_KEY = "cadre_time_zone"


def remember_time_zone(request: HttpRequest, user: Any) -> str:
    """Read ``user``'s person's zone into the session; returns it ("" for none)."""
    person: Person | None = getattr(user, "person", None)
    name = person.time_zone if person is not None else ""
    request.session[SESSION_KEY] = name
    return name


@receiver(user_logged_in, dispatch_uid="people_remember_time_zone")
def _on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        remember_time_zone(request, user)


def _zone_of(request: HttpRequest) -> ZoneInfo | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    name = request.session.get(SESSION_KEY)
    if name is None:
        name = remember_time_zone(request, user)
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


class PersonTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = _zone_of(request)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
