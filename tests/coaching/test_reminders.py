"""Session reminders and cadence nudges: each sent once, however often the job runs."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from cadre.coaching.models import CoachingRelationship, CoachingSession
from cadre.coaching.scheduling import session_mark_held, session_reschedule, session_schedule
from cadre.coaching.tasks import (
    cadence_nudges_queue,
    coaching_reminders_send,
    session_reminders_queue,
)
from cadre.notifications.models import Notification


def schedule(pair, *, hours: float) -> CoachingSession:
    return session_schedule(
        scheduled_by=pair.coach.user,
        relationship=pair.relationship,
        starts_at=timezone.now() + timedelta(hours=hours),
        duration_minutes=60,
        time_zone="Europe/London",
        format=CoachingSession.Format.VIDEO,
    )


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(kind=Notification.Kind.SESSION_REMINDER))


def nudges() -> list[Notification]:
    return list(Notification.objects.filter(kind=Notification.Kind.CADENCE_NUDGE))


class TestReminders:
    def test_sent_once_when_the_task_runs_twice(
        self, pair, mailoutbox, django_capture_on_commit_callbacks
    ):
        session = schedule(pair, hours=20)
        schedule(pair, hours=30)  # not yet within 24 hours
        mailoutbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            first = coaching_reminders_send.enqueue()
            second = coaching_reminders_send.enqueue()

        assert first.return_value == {"reminders": 2, "nudges": 0}
        assert second.return_value == {"reminders": 0, "nudges": 0}
        assert sorted(n.recipient.email for n in reminders()) == [
            "coach@example.org",
            "coachee@example.org",
        ]
        assert sorted(m.to[0] for m in mailoutbox) == ["coach@example.org", "coachee@example.org"]
        assert all(n.key.startswith(f"session-reminder:{session.pk}:") for n in reminders())

    def test_sent_once_when_the_command_runs_twice(self, pair):
        schedule(pair, hours=2)
        call_command("send_coaching_reminders")
        call_command("send_coaching_reminders")
        assert len(reminders()) == 2

    def test_a_moved_session_is_reminded_again(self, pair):
        session = schedule(pair, hours=10)
        assert session_reminders_queue(now=timezone.now()) == 2

        session_reschedule(
            session=session,
            changed_by=pair.coach.user,
            starts_at=session.starts_at + timedelta(hours=3),
        )

        assert session_reminders_queue(now=timezone.now()) == 2
        assert len(reminders()) == 4

    def test_the_reminder_is_in_the_recipients_zone(self, pair):
        pair.coachee.person.time_zone = "Asia/Tokyo"
        pair.coachee.person.save()
        session = schedule(pair, hours=5)
        session_reminders_queue(now=timezone.now())
        reminder = Notification.objects.get(
            kind=Notification.Kind.SESSION_REMINDER, recipient=pair.coachee.user
        )
        local = session.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
        assert f"{local:%H:%M}" in reminder.subject
        assert "(Asia/Tokyo)" in reminder.body

    def test_cancelled_and_past_sessions_get_none(self, pair):
        session = schedule(pair, hours=3)
        CoachingSession.objects.filter(pk=session.pk).update(
            status=CoachingSession.Status.CANCELLED
        )
        past = schedule(pair, hours=6)
        CoachingSession.objects.filter(pk=past.pk).update(
            starts_at=timezone.now() - timedelta(hours=1)
        )
        assert session_reminders_queue(now=timezone.now()) == 0


def started(pair, days_ago: int) -> None:
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        started_at=timezone.now() - timedelta(days=days_ago)
    )


class TestNudges:
    def test_once_per_gap(self, pair):
        # The programme's cadence is 14 days.
        started(pair, 20)
        now = timezone.now()

        assert cadence_nudges_queue(now=now) == 2
        assert cadence_nudges_queue(now=now + timedelta(days=1)) == 0
        call_command("send_coaching_reminders")
        assert sorted(n.recipient.email for n in nudges()) == [
            "coach@example.org",
            "coachee@example.org",
        ]
        assert "nothing is scheduled" in nudges()[0].body

    def test_not_within_the_cadence(self, pair):
        started(pair, 10)
        assert cadence_nudges_queue(now=timezone.now()) == 0

    def test_not_when_a_session_is_scheduled(self, pair):
        started(pair, 30)
        schedule(pair, hours=48)
        assert cadence_nudges_queue(now=timezone.now()) == 0

    def test_a_new_gap_after_a_held_session_nudges_again(self, pair):
        started(pair, 60)
        now = timezone.now()
        assert cadence_nudges_queue(now=now) == 2

        session = schedule(pair, hours=1)
        CoachingSession.objects.filter(pk=session.pk).update(starts_at=now - timedelta(days=20))
        session.refresh_from_db()
        session_mark_held(session=session, marked_by=pair.coach.user)

        assert cadence_nudges_queue(now=now) == 2
        assert cadence_nudges_queue(now=now) == 0
        assert len(nudges()) == 4

    def test_only_active_relationships(self, pair):
        started(pair, 60)
        CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
            status=CoachingRelationship.Status.PAUSED
        )
        assert cadence_nudges_queue(now=timezone.now()) == 0
