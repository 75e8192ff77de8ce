"""Calendar invitations, read back by a second, independent iCalendar parser (``ical``)."""

from datetime import datetime, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream
from ical.event import EventStatus

from cadre.coaching.calendar import session_invitation, sessions_feed
from cadre.coaching.models import CoachingSession
from cadre.coaching.scheduling import session_cancel, session_reschedule, session_schedule
from cadre.notifications.delivery import notification_deliver
from cadre.notifications.models import Notification

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")


def parse(text: str):
    return IcsCalendarStream.calendar_from_ics(text)


def method_of(text: str) -> str | None:
    stream = IcsCalendarStream.from_ics(text)
    return stream.calendars[0].method


@pytest.fixture
def session(pair) -> CoachingSession:
    return session_schedule(
        scheduled_by=pair.coach.user,
        relationship=pair.relationship,
        starts_at=datetime(2099, 6, 2, 9, 30, tzinfo=LONDON),
        duration_minutes=45,
        time_zone="Europe/London",
        format=CoachingSession.Format.IN_PERSON,
        location="Room 4, Head office",
        agenda="First session",
    )


def invitations(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def test_request_invitation(session, pair):
    invites = invitations(Notification.Kind.SESSION_INVITE)
    assert len(invites) == 2
    text = invites[0].calendar

    calendar = parse(text)
    assert method_of(text) == "REQUEST"
    assert calendar.prodid == "-//Cadre//Coaching sessions//EN"
    [event] = calendar.events
    assert event.uid == f"{session.uid}@cadre"
    assert event.sequence == 0
    assert event.dtstart == datetime(2099, 6, 2, 9, 30, tzinfo=LONDON)
    assert event.dtstart.tzinfo.key == "Europe/London"
    assert event.dtend == datetime(2099, 6, 2, 10, 15, tzinfo=LONDON)
    assert event.summary == "Coaching session: Cora Coach & Cole Coachee"
    assert event.location == "Room 4, Head office"
    assert event.status == EventStatus.CONFIRMED
    assert event.organizer.uri == "mailto:cadre@localhost"
    attendees = {a.uri: a.status for a in event.attendees}
    assert attendees == {
        "mailto:coach@example.org": "ACCEPTED",
        "mailto:coachee@example.org": "NEEDS-ACTION",
    }
    assert [tz.tz_id for tz in calendar.timezones] == ["Europe/London"]
    assert event.dtstamp is not None


def test_reschedule_keeps_the_uid_and_raises_the_sequence(session, pair):
    moved = session_reschedule(
        session=session,
        changed_by=pair.coachee.user,
        starts_at=datetime(2099, 6, 3, 18, 0, tzinfo=TOKYO),
        time_zone="Asia/Tokyo",
    )
    latest = Notification.objects.get(
        key=f"session-invite:{moved.pk}:1:{pair.coach.user.pk}"
    ).calendar

    [event] = parse(latest).events
    assert method_of(latest) == "REQUEST"
    assert event.uid == f"{session.uid}@cadre"
    assert event.sequence == 1
    assert event.dtstart == datetime(2099, 6, 3, 18, 0, tzinfo=TOKYO)
    assert event.dtstart.tzinfo.key == "Asia/Tokyo"
    assert event.dtend - event.dtstart == timedelta(minutes=45)
    assert [tz.tz_id for tz in parse(latest).timezones] == ["Asia/Tokyo"]


def test_cancel_sends_method_cancel(session, pair):
    session_cancel(session=session, cancelled_by=pair.coach.user, reason="Travelling")
    [cancel, _] = invitations(Notification.Kind.SESSION_CANCELLED)

    [event] = parse(cancel.calendar).events
    assert method_of(cancel.calendar) == "CANCEL"
    assert event.uid == f"{session.uid}@cadre"
    assert event.sequence == 1
    assert event.status == EventStatus.CANCELLED
    assert "Travelling" not in cancel.calendar


def test_invitation_carries_no_private_content(pair):
    session = session_schedule(
        scheduled_by=pair.coach.user,
        relationship=pair.relationship,
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=60,
        time_zone="UTC",
        format=CoachingSession.Format.VIDEO,
        location="https://meet.example.org/xyz",
    )
    [event] = parse(session_invitation(session=session)).events
    assert event.summary == "Coaching session: Cora Coach & Cole Coachee"
    assert event.location == "https://meet.example.org/xyz"
    assert event.url == "https://meet.example.org/xyz"
    assert event.description == (
        f"Video call. Details in Cadre: http://127.0.0.1:8000/coaching/sessions/{session.pk}/"
    )


def test_the_email_carries_the_invitation_as_calendar_clients_expect(session, pair):
    invite = invitations(Notification.Kind.SESSION_INVITE)[0]
    mail.outbox.clear()

    assert notification_deliver(notification_id=invite.pk) is True

    [email] = mail.outbox
    parsed = message_from_bytes(email.message().as_bytes())
    parts = {part.get_content_type(): part for part in parsed.walk()}
    alternative = next(
        part
        for part in parsed.walk()
        if part.get_content_type() == "text/calendar" and part.get_filename() is None
    )
    assert alternative.get_param("method") == "REQUEST"
    assert alternative.get_content_charset() == "utf-8"
    attachment = next(part for part in parsed.walk() if part.get_filename() == "invite.ics")
    assert attachment.get_content_type() == "text/calendar"
    assert "text/plain" in parts
    body = alternative.get_payload(decode=True).decode()
    assert parse(body).events[0].uid == f"{session.uid}@cadre"
    assert email.subject == "Coaching session: Cora Coach & Cole Coachee, Tue 2 Jun, 09:30"


def test_times_in_the_email_are_the_recipients(pair):
    pair.coachee.person.time_zone = "America/New_York"
    pair.coachee.person.save()
    session_schedule(
        scheduled_by=pair.coach.user,
        relationship=pair.relationship,
        starts_at=datetime(2099, 6, 2, 15, 0, tzinfo=LONDON),
        duration_minutes=60,
        time_zone="Europe/London",
        format=CoachingSession.Format.PHONE,
    )
    by_email = {n.recipient.email: n for n in invitations(Notification.Kind.SESSION_INVITE)}
    assert by_email["coach@example.org"].subject.endswith("Tue 2 Jun, 15:00")
    assert by_email["coachee@example.org"].subject.endswith("Tue 2 Jun, 10:00")
    assert "10:00–11:00 (America/New_York)" in by_email["coachee@example.org"].body


def test_feed_lists_cancelled_sessions_as_cancelled(session, pair):
    session_cancel(session=session, cancelled_by=pair.coach.user)
    session.refresh_from_db()
    text = sessions_feed(sessions=[session])

    calendar = parse(text)
    assert method_of(text) is None
    [event] = calendar.events
    assert event.status == EventStatus.CANCELLED
    assert event.sequence == 1
