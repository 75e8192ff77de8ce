"""Calendar invitations for sessions, and each user's private subscription feed.

An invitation is an iCalendar object (RFC 5545) with ``METHOD:REQUEST`` for a new or changed
session and ``METHOD:CANCEL`` for a cancelled one (iTIP, RFC 5546). Its event's UID is the
session's ``uid`` and never changes; its SEQUENCE is the session's ``sequence``, raised by
every change that sends one, so calendar clients replace the event they hold. Times are in
the session's zone, with the matching VTIMEZONE, so each client shows them in its own.

A feed is a calendar without METHOD listing a user's sessions from ``FEED_DAYS_BACK`` days
ago on; its URL carries a secret token. The token is stored encrypted (so its owner can see
the URL again) and looked up by its SHA-256 digest; revoking deletes it.
"""

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.coaching.access import token_digest
from cadre.coaching.models import CalendarFeed, CoachingSession, SessionFormat, SessionStatus
from cadre.coaching.queries import FEED_DAYS_BACK, session_attendees, session_title
from cadre.people.models import Person

PRODID = "-//Cadre//Coaching sessions//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def _site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    return address


def _organizer() -> vCalAddress:
    # Cadre sends the invitations, so Cadre's own address organises the event: clients then
    # accept the message as coming from its organiser, and nobody's own calendar claims to
    # have sent it.
    name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return _address(email, name or "Cadre")


def _attendee(person: Person, *, accepted: bool) -> vCalAddress | None:
    email = person.user.email if person.user is not None else person.email
    if not email:
        return None
    address = _address(email, person.full_name)
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = "ACCEPTED" if accepted else "NEEDS-ACTION"
    address.params["RSVP"] = "FALSE"
    return address


def _event(session: CoachingSession, *, now: datetime) -> Event:
    zone = ZoneInfo(session.time_zone)
    link = _site_link(reverse("coaching:session", args=[session.pk]))
    event = Event()
    event.add("uid", f"{session.uid}@cadre")
    event.add("sequence", session.sequence)
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", session_title(session))
    description = f"{session.get_format_display()}. Details in Cadre: {link}"
    if session.agenda:
        description = f"{session.agenda}\n\n{description}"
    event.add("description", description)
    if session.format == SessionFormat.VIDEO and session.location.startswith("https://"):
        event.add("location", session.location)
        event.add("url", session.location)
    else:
        if session.location:
            event.add("location", session.location)
        event.add("url", link)
    event.add("organizer", _organizer())
    scheduler = session.scheduled_by_id
    for person in session_attendees(session):
        attendee = _attendee(person, accepted=scheduler is not None and person.user_id == scheduler)
        if attendee is not None:
            event.add("attendee", attendee)
    cancelled = session.status == SessionStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def _calendar(events: Iterable[Event], *, method: str | None, first: date) -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    # The zones' rules only from a little before the first event, to keep invitations small.
    calendar.add_missing_timezones(
        first_date=first - timedelta(days=366), last_date=date(first.year + 6, 1, 1)
    )
    return bytes(calendar.to_ical()).decode()


def session_invitation(*, session: CoachingSession, now: datetime | None = None) -> str:
    """The invitation for the session as it is now: a REQUEST, or a CANCEL once cancelled."""
    method = CANCEL if session.status == SessionStatus.CANCELLED else REQUEST
    now = now or timezone.now()
    return _calendar([_event(session, now=now)], method=method, first=session.starts_at.date())


def sessions_feed(*, sessions: Iterable[CoachingSession], now: datetime | None = None) -> str:
    """A subscription calendar (no METHOD) of ``sessions``, cancelled ones as CANCELLED."""
    now = now or timezone.now()
    return _calendar(
        [_event(session, now=now) for session in sessions],
        method=None,
        first=(now - timedelta(days=FEED_DAYS_BACK)).date(),
    )


def calendar_feed_create(*, user: User, request: HttpRequest | None = None) -> CalendarFeed:
    """Give ``user`` a new feed token, replacing any old one (whose URL stops working)."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        replaced = CalendarFeed.objects.filter(user=user).delete()[0] > 0
        feed = CalendarFeed.objects.create(user=user, token_sha256=token_digest(token), token=token)
        audit_record(
            actor=user,
            action="coaching.calendar_feed_create",
            target=feed,
            request=request,
            details={"replaced": replaced},
        )
    return feed


def calendar_feed_revoke(*, user: User, request: HttpRequest | None = None) -> bool:
    """Delete ``user``'s feed token; True if there was one. Its URL answers 404 from now on."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is None:
            return False
        audit_record(
            actor=user, action="coaching.calendar_feed_revoke", target=feed, request=request
        )
        feed.delete()
    return True


def calendar_feed_url(feed: CalendarFeed) -> str:
    return _site_link(reverse("coaching:calendar_feed", args=[feed.token]))


def calendar_feed_fetched(*, feed: CalendarFeed, now: datetime | None = None) -> None:
    """Note when the feed was last read, so its owner can tell whether it is in use."""
    now = now or timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    feed.last_fetched_at = now
