"""Calendar subscription: the settings page (see, create, replace or revoke one's feed URL)
and the feed itself, read by calendar apps with no login, by its secret token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.access import calendar_feed_for_token, feed_sessions_for_user
from cadre.coaching.calendar import (
    calendar_feed_create,
    calendar_feed_fetched,
    calendar_feed_revoke,
    calendar_feed_url,
    sessions_feed,
)
from cadre.coaching.models import CalendarFeed


@login_required
@require_GET
def calendar_settings(request: AuthenticatedRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    context = {
        "feed": feed,
        "feed_url": calendar_feed_url(feed) if feed is not None else "",
        "section": "coaching",
    }
    return render(request, "coaching/calendar.html", context)


@login_required
@require_POST
def calendar_feed_new(request: AuthenticatedRequest) -> HttpResponse:
    replaced = CalendarFeed.objects.filter(user=request.user).exists()
    calendar_feed_create(user=request.user, request=request)
    messages.success(
        request,
        "New calendar address made; the old one no longer works."
        if replaced
        else "Your calendar address is ready: add it to your calendar app.",
    )
    return redirect("coaching:calendar")


@login_required
@require_POST
def calendar_feed_delete(request: AuthenticatedRequest) -> HttpResponse:
    if calendar_feed_revoke(user=request.user, request=request):
        messages.success(request, "Revoked: calendars subscribed to the address get nothing now.")
    return redirect("coaching:calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed, for calendar apps: 404 for an unknown or revoked token."""
    feed = calendar_feed_for_token(token)
    calendar = sessions_feed(sessions=feed_sessions_for_user(feed.user))
    calendar_feed_fetched(feed=feed)
    response = HttpResponse(calendar, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cadre-sessions.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
