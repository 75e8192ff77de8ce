"""Scheduling sessions: the rules, time zones and daylight saving, and suggested times."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import Circle, CoachingRelationship, CoachingSession
from cadre.coaching.rules import CoachingError
from cadre.coaching.scheduling import (
    TimeSlot,
    session_cancel,
    session_mark_held,
    session_mark_no_show,
    session_reschedule,
    session_schedule,
    time_suggestions,
)
from cadre.notifications.models import Notification
from cadre.programs.models import AvailabilityWindow, Enrolment
from tests.coaching.conftest import active_relationship, coachee_person, enrol_coachee

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def in_days(days: int, hour: int = 10) -> datetime:
    moment = timezone.now() + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def schedule(pair, **overrides):
    values = {
        "scheduled_by": pair.coach.user,
        "relationship": pair.relationship,
        "starts_at": in_days(3),
        "duration_minutes": 60,
        "time_zone": "Europe/London",
        "format": CoachingSession.Format.VIDEO,
        "location": "https://meet.example.org/abc",
    }
    values.update(overrides)
    return session_schedule(**values)


def make_past(session: CoachingSession, hours: int = 2) -> CoachingSession:
    CoachingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=hours)
    )
    session.refresh_from_db()
    return session


class TestSchedule:
    def test_schedules_and_invites_both(self, pair, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            session = schedule(pair, agenda="Getting started")

        assert session.status == CoachingSession.Status.SCHEDULED
        assert session.sequence == 0
        assert session.scheduled_by == pair.coach.user
        invites = Notification.objects.filter(kind=Notification.Kind.SESSION_INVITE)
        assert sorted(n.recipient.email for n in invites) == [
            "coach@example.org",
            "coachee@example.org",
        ]
        assert {n.key for n in invites} == {
            f"session-invite:{session.pk}:0:{pair.coach.user.pk}",
            f"session-invite:{session.pk}:0:{pair.coachee.user.pk}",
        }
        assert all("METHOD:REQUEST" in n.calendar for n in invites)
        assert len(mail.outbox) == 2
        event = AuditEvent.objects.get(action="coaching.session_schedule")
        assert event.target_id == str(session.pk)
        assert event.details == {
            "starts_at": session.starts_at.isoformat(),
            "duration_minutes": 60,
            "format": "video",
        }

    def test_refuses_the_past(self, pair):
        with pytest.raises(CoachingError, match="Start: a session can only be scheduled"):
            schedule(pair, starts_at=timezone.now() - timedelta(minutes=1))

    def test_refuses_a_naive_time(self, pair):
        with pytest.raises(CoachingError, match="Start: give the time with its time zone"):
            schedule(pair, starts_at=datetime(2099, 1, 1, 10, 0))

    def test_refuses_an_unknown_zone(self, pair):
        with pytest.raises(CoachingError, match="Time zone: “Mars/Olympus” is not"):
            schedule(pair, time_zone="Mars/Olympus")

    def test_refuses_an_unknown_format(self, pair):
        with pytest.raises(CoachingError, match="Format: choose one of"):
            schedule(pair, format="carrier-pigeon")

    def test_refuses_a_length_out_of_range(self, pair):
        with pytest.raises(CoachingError, match="Length: a session lasts between 15 and 480"):
            schedule(pair, duration_minutes=10)

    def test_refuses_a_clash_with_the_pairs_other_session(self, pair):
        first = schedule(pair)
        with pytest.raises(
            CoachingError, match=r"^Start: Cora Coach and Cole Coachee already have a session then"
        ):
            schedule(pair, starts_at=first.starts_at + timedelta(minutes=30))
        # Back to back is fine.
        second = schedule(pair, starts_at=first.ends_at)
        assert second.starts_at == first.ends_at

    def test_refuses_a_time_when_the_coach_coaches_someone_else(self, pair):
        other = coachee_person(full_name="Olga Other")
        enrol_coachee(pair.programme, other)
        elsewhere = active_relationship(pair.programme, pair.coach.person, other)
        first = schedule(pair)
        with pytest.raises(
            CoachingError,
            match=(
                r"^Start: Cora Coach already has a session then "
                rf"\({first.starts_at:%Y-%m-%d %H:%M} UTC to {first.ends_at:%H:%M} UTC\)\.$"
            ),
        ):
            schedule(pair, relationship=elsewhere, starts_at=first.starts_at)

    def test_a_cancelled_session_does_not_clash(self, pair):
        first = schedule(pair)
        session_cancel(session=first, cancelled_by=pair.coach.user)
        assert schedule(pair, starts_at=first.starts_at).starts_at == first.starts_at

    @pytest.mark.parametrize(
        ("status", "message"),
        [
            (CoachingRelationship.Status.PAUSED, "The relationship is paused"),
            (CoachingRelationship.Status.PROPOSED, "still a proposal"),
        ],
    )
    def test_refuses_a_relationship_not_under_way(self, pair, status, message):
        CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(status=status)
        with pytest.raises(CoachingError, match=message):
            schedule(pair)
        assert CoachingSession.objects.count() == 0

    def test_an_agreed_relationship_can_schedule(self, pair):
        CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
            status=CoachingRelationship.Status.AGREED
        )
        assert schedule(pair).pk is not None

    def test_someone_else_may_not_schedule(self, pair, admin):
        with pytest.raises(PermissionDenied):
            schedule(pair, scheduled_by=admin.user)

    def test_needs_one_relationship_or_one_circle(self, pair):
        with pytest.raises(CoachingError, match="one relationship or one circle"):
            schedule(pair, relationship=None)


class TestReschedule:
    def test_moves_raises_the_sequence_and_invites_again(self, pair):
        session = schedule(pair)
        later = session.starts_at + timedelta(days=1)

        moved = session_reschedule(
            session=session,
            changed_by=pair.coachee.user,
            starts_at=later,
            duration_minutes=45,
            location="Room 4",
            format=CoachingSession.Format.IN_PERSON,
        )

        assert moved.starts_at == later
        assert moved.sequence == 1
        assert (moved.duration_minutes, moved.location, moved.format) == (45, "Room 4", "in_person")
        keys = set(
            Notification.objects.filter(kind=Notification.Kind.SESSION_INVITE).values_list(
                "key", flat=True
            )
        )
        assert f"session-invite:{session.pk}:1:{pair.coach.user.pk}" in keys
        assert len(keys) == 4
        assert Notification.objects.get(key=f"session-invite:{session.pk}:1:{pair.coach.user.pk}")
        event = AuditEvent.objects.get(action="coaching.session_reschedule")
        assert event.details["sequence"] == 1

    def test_refuses_to_move_a_cancelled_session(self, pair):
        session = session_cancel(session=schedule(pair), cancelled_by=pair.coach.user)
        with pytest.raises(CoachingError, match="The session is cancelled: it can't be moved"):
            session_reschedule(session=session, changed_by=pair.coach.user, starts_at=in_days(5))

    def test_refuses_a_clash(self, pair):
        first = schedule(pair)
        second = schedule(pair, starts_at=in_days(6))
        with pytest.raises(CoachingError, match="already have a session then"):
            session_reschedule(
                session=second, changed_by=pair.coach.user, starts_at=first.starts_at
            )

    def test_moving_within_its_own_time_is_no_clash(self, pair):
        session = schedule(pair)
        moved = session_reschedule(
            session=session,
            changed_by=pair.coach.user,
            starts_at=session.starts_at + timedelta(minutes=15),
        )
        assert moved.sequence == 1


class TestCancel:
    def test_cancels_and_sends_a_cancel(self, pair):
        session = schedule(pair)
        cancelled = session_cancel(
            session=session, cancelled_by=pair.coachee.user, reason="Off sick"
        )
        assert cancelled.status == CoachingSession.Status.CANCELLED
        assert cancelled.sequence == 1
        notes = Notification.objects.filter(kind=Notification.Kind.SESSION_CANCELLED)
        assert notes.count() == 2
        assert all("METHOD:CANCEL" in n.calendar for n in notes)
        assert all("Why: Off sick" in n.body for n in notes)
        event = AuditEvent.objects.get(action="coaching.session_cancel")
        assert event.details == {"sequence": 1, "with_reason": True}

    def test_only_once(self, pair):
        session = session_cancel(session=schedule(pair), cancelled_by=pair.coach.user)
        with pytest.raises(CoachingError, match="only a scheduled session can be cancelled"):
            session_cancel(session=session, cancelled_by=pair.coach.user)


class TestMark:
    def test_held_only_once_started(self, pair):
        session = schedule(pair)
        with pytest.raises(CoachingError, match="hasn't started yet"):
            session_mark_held(session=session, marked_by=pair.coach.user)

        held = session_mark_held(session=make_past(session), marked_by=pair.coach.user)

        assert held.status == CoachingSession.Status.HELD
        assert held.sequence == 0
        with pytest.raises(CoachingError, match="already marked held"):
            session_mark_held(session=held, marked_by=pair.coach.user)
        assert AuditEvent.objects.filter(action="coaching.session_held").count() == 1

    def test_no_show_names_an_attendee(self, pair, sponsor):
        session = make_past(schedule(pair))
        with pytest.raises(CoachingError, match="Absent: choose someone the session was for"):
            session_mark_no_show(session=session, marked_by=pair.coach.user, absent=sponsor.person)

        marked = session_mark_no_show(
            session=session, marked_by=pair.coach.user, absent=pair.coachee.person
        )

        assert marked.status == CoachingSession.Status.NO_SHOW
        assert marked.no_show_by == pair.coachee.person
        event = AuditEvent.objects.get(action="coaching.session_no_show")
        assert event.details == {"status": "no_show", "absent_person_id": pair.coachee.person.pk}


class TestTimeZones:
    def test_a_weekly_london_slot_seen_from_new_york_across_dst(self, pair):
        """09:00 in London every Wednesday stays 09:00 in London; New York sees it move as
        the two countries change their clocks on different dates."""
        coach = pair.coach.person
        coach.time_zone = "Europe/London"
        coach.save()
        starts = [datetime(2099, m, d, 9, 0, tzinfo=LONDON) for m, d in [(3, 4), (3, 18), (4, 1)]]
        starts += [
            datetime(2099, m, d, 9, 0, tzinfo=LONDON) for m, d in [(10, 21), (10, 28), (11, 4)]
        ]
        sessions = [
            schedule(pair, starts_at=moment, time_zone="Europe/London") for moment in starts
        ]
        seen_in_new_york = [
            s.starts_at.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for s in sessions
        ]
        seen_in_london = {s.starts_at.astimezone(LONDON).strftime("%H:%M") for s in sessions}

        assert seen_in_london == {"09:00"}
        # US clocks go forward on 8 March 2099, UK clocks on 29 March; back on 25 October
        # (UK) and 1 November (US).
        assert seen_in_new_york == [
            "03-04 04:00",
            "03-18 05:00",
            "04-01 04:00",
            "10-21 04:00",
            "10-28 05:00",
            "11-04 04:00",
        ]
        assert [s.starts_at.astimezone(UTC).hour for s in sessions] == [9, 9, 8, 8, 9, 9]


def windows(enrolment: Enrolment, *spans: tuple[int, str, str]) -> None:
    for weekday, opens, closes in spans:
        AvailabilityWindow.objects.create(
            enrolment=enrolment,
            weekday=weekday,
            starts_at=time.fromisoformat(opens),
            ends_at=time.fromisoformat(closes),
        )


def enrolment(pair, person) -> Enrolment:
    return Enrolment.objects.get(programme=pair.programme, person=person)


class TestSuggestions:
    def test_overlap_of_both_windows(self, pair):
        pair.coach.person.time_zone = "Europe/London"
        pair.coach.person.save()
        pair.coachee.person.time_zone = "America/New_York"
        pair.coachee.person.save()
        # Coach: Mondays 13:00–17:00 London; coachee: Mondays 09:00–11:00 New York
        # (14:00–16:00 London in January).
        windows(enrolment(pair, pair.coach.person), (0, "13:00", "17:00"))
        windows(enrolment(pair, pair.coachee.person), (0, "09:00", "11:00"))
        now = datetime(2099, 1, 1, 12, 0, tzinfo=UTC)  # a Thursday

        slots = time_suggestions(relationship=pair.relationship, days=7, now=now)

        assert slots == [
            TimeSlot(
                starts_at=datetime(2099, 1, 5, 14, 0, tzinfo=UTC),
                ends_at=datetime(2099, 1, 5, 15, 0, tzinfo=UTC),
            ),
            TimeSlot(
                starts_at=datetime(2099, 1, 5, 14, 30, tzinfo=UTC),
                ends_at=datetime(2099, 1, 5, 15, 30, tzinfo=UTC),
            ),
            TimeSlot(
                starts_at=datetime(2099, 1, 5, 15, 0, tzinfo=UTC),
                ends_at=datetime(2099, 1, 5, 16, 0, tzinfo=UTC),
            ),
        ]

    def test_across_a_dst_change_the_local_hours_hold(self, pair):
        """Both in London, Tuesdays 09:00–10:00 local: 09:00 UTC before the clocks go
        forward (29 March 2099... the last Sunday of March) and 08:00 UTC after."""
        for person in (pair.coach.person, pair.coachee.person):
            person.time_zone = "Europe/London"
            person.save()
        windows(enrolment(pair, pair.coach.person), (1, "09:00", "10:00"))
        windows(enrolment(pair, pair.coachee.person), (1, "08:00", "12:00"))
        now = datetime(2099, 3, 20, 12, 0, tzinfo=UTC)

        slots = time_suggestions(relationship=pair.relationship, days=14, now=now)

        assert [slot.starts_at for slot in slots] == [
            datetime(2099, 3, 24, 9, 0, tzinfo=UTC),
            datetime(2099, 3, 31, 8, 0, tzinfo=UTC),
        ]
        assert {slot.starts_at.astimezone(LONDON).strftime("%H:%M") for slot in slots} == {"09:00"}

    def test_avoids_other_scheduled_sessions(self, pair):
        for person in (pair.coach.person, pair.coachee.person):
            person.time_zone = "UTC"
            person.save()
        now = timezone.now()
        day = (now + timedelta(days=2)).date()
        windows(enrolment(pair, pair.coach.person), (day.weekday(), "09:00", "12:00"))
        windows(enrolment(pair, pair.coachee.person), (day.weekday(), "09:00", "12:00"))
        schedule(pair, starts_at=datetime.combine(day, time(10, 0), tzinfo=UTC), time_zone="UTC")

        slots = time_suggestions(relationship=pair.relationship, days=3, now=now)

        assert [slot.starts_at.time() for slot in slots] == [time(9, 0), time(11, 0)]

    def test_no_windows_no_suggestions(self, pair):
        assert time_suggestions(relationship=pair.relationship) == []


class TestCircles:
    def test_a_circle_session_invites_the_facilitator_and_members(self, coach, coachee, sponsor):
        circle = Circle.objects.create(
            kind=Circle.Kind.SUPERVISION, name="Thursday supervision", facilitator=coach.person
        )
        circle.members.add(coachee.person, sponsor.person)

        session = session_schedule(
            scheduled_by=coach.user,
            circle=circle,
            starts_at=in_days(5),
            duration_minutes=90,
            time_zone="Europe/London",
            format=CoachingSession.Format.VIDEO,
        )

        assert session.circle == circle
        assert sorted(
            Notification.objects.filter(kind=Notification.Kind.SESSION_INVITE).values_list(
                "recipient__email", flat=True
            )
        ) == ["coach@example.org", "coachee@example.org", "sponsor@example.org"]
        assert "SUMMARY:Circle: Thursday supervision" in Notification.objects.first().calendar
        with pytest.raises(CoachingError, match=r"^Start: Cora Coach already has a session then"):
            session_schedule(
                scheduled_by=coach.user,
                circle=circle,
                starts_at=in_days(5) + timedelta(minutes=60),
                duration_minutes=60,
                time_zone="Europe/London",
                format=CoachingSession.Format.VIDEO,
            )
        moved = session_reschedule(session=session, changed_by=coach.user, starts_at=in_days(6))
        assert moved.sequence == 1
