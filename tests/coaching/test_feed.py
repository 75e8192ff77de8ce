"""The private calendar feed: its token, revocation, and only the owner's sessions."""

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream
from ical.event import EventStatus

from cadre.accounts.models import AuditEvent
from cadre.coaching.calendar import calendar_feed_create, calendar_feed_revoke
from cadre.coaching.models import CalendarFeed, CoachingSession
from cadre.coaching.scheduling import session_cancel, session_schedule
from tests.coaching.conftest import active_relationship, coachee_person, enrol_coachee


def schedule(relationship, user, days: int) -> CoachingSession:
    return session_schedule(
        scheduled_by=user,
        relationship=relationship,
        starts_at=(timezone.now() + timedelta(days=days)).replace(microsecond=0),
        duration_minutes=60,
        time_zone="Europe/London",
        format=CoachingSession.Format.VIDEO,
    )


def feed_path(token: str) -> str:
    return reverse("coaching:calendar_feed", args=[token])


class TestTokens:
    def test_create_keeps_the_digest_and_the_token_encrypted(self, coach):
        feed = calendar_feed_create(user=coach.user)
        feed.refresh_from_db()

        assert len(feed.token) == 43
        assert feed.token_sha256 == hashlib.sha256(feed.token.encode()).hexdigest()
        assert AuditEvent.objects.filter(action="coaching.calendar_feed_create").count() == 1

    def test_create_again_replaces_the_old_token(self, coach):
        old = calendar_feed_create(user=coach.user).token
        new = calendar_feed_create(user=coach.user).token

        assert old != new
        assert CalendarFeed.objects.filter(user=coach.user).count() == 1
        assert Client().get(feed_path(old)).status_code == 404
        assert Client().get(feed_path(new)).status_code == 200
        event = (
            AuditEvent.objects.filter(action="coaching.calendar_feed_create").order_by("pk").last()
        )
        assert event.details == {"replaced": True}

    def test_revoke(self, coach):
        token = calendar_feed_create(user=coach.user).token

        assert calendar_feed_revoke(user=coach.user) is True
        assert calendar_feed_revoke(user=coach.user) is False
        assert Client().get(feed_path(token)).status_code == 404
        assert AuditEvent.objects.filter(action="coaching.calendar_feed_revoke").count() == 1


class TestFeed:
    def test_lists_the_owners_sessions_only(self, pair, programme):
        mine = schedule(pair.relationship, pair.coach.user, 2)
        cancelled = session_cancel(
            session=schedule(pair.relationship, pair.coach.user, 4), cancelled_by=pair.coach.user
        )
        old = schedule(pair.relationship, pair.coach.user, 6)
        CoachingSession.objects.filter(pk=old.pk).update(
            starts_at=timezone.now() - timedelta(days=91)
        )
        # Somebody else's relationship, with the same programme.
        other_coachee = coachee_person()
        enrol_coachee(programme, other_coachee)
        other_coach = coachee_person()
        others = active_relationship(programme, other_coach, other_coachee)
        theirs = schedule(others, other_coach.user, 3)
        token = calendar_feed_create(user=pair.coachee.user).token

        response = Client().get(feed_path(token))

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        calendar = IcsCalendarStream.calendar_from_ics(response.content.decode())
        events = {event.uid: event for event in calendar.events}
        assert set(events) == {f"{mine.uid}@cadre", f"{cancelled.uid}@cadre"}
        assert events[f"{cancelled.uid}@cadre"].status == EventStatus.CANCELLED
        assert events[f"{mine.uid}@cadre"].status == EventStatus.CONFIRMED
        assert f"{theirs.uid}@cadre" not in events
        assert CalendarFeed.objects.get(user=pair.coachee.user).last_fetched_at is not None

    def test_unknown_token_is_404(self, db):
        assert Client().get(feed_path("not-a-token")).status_code == 404

    def test_an_inactive_login_gets_nothing(self, coach):
        token = calendar_feed_create(user=coach.user).token
        coach.user.is_active = False
        coach.user.save()
        assert Client().get(feed_path(token)).status_code == 404

    @pytest.mark.parametrize("count", [1, 4])
    def test_constant_queries(self, pair, count, django_assert_num_queries):
        for day in range(count):
            schedule(pair.relationship, pair.coach.user, 2 + day)
        token = calendar_feed_create(user=pair.coach.user).token
        client = Client()

        with django_assert_num_queries(3):
            response = client.get(feed_path(token))

        assert len(IcsCalendarStream.calendar_from_ics(response.content.decode()).events) == count


class TestSettingsPage:
    def test_shows_creates_replaces_and_revokes(self, coach):
        page = reverse("coaching:calendar")
        response = coach.client.get(page)
        assert b"You have no calendar address." in response.content

        response = coach.client.post(reverse("coaching:calendar_feed_new"), follow=True)
        token = CalendarFeed.objects.get(user=coach.user).token
        assert f"http://127.0.0.1:8000/coaching/calendar/{token}.ics" in response.content.decode()

        coach.client.post(reverse("coaching:calendar_feed_new"))
        assert CalendarFeed.objects.get(user=coach.user).token != token

        response = coach.client.post(reverse("coaching:calendar_feed_revoke"), follow=True)
        assert not CalendarFeed.objects.filter(user=coach.user).exists()
        assert b"Revoked" in response.content

    def test_needs_a_login(self, db):
        response = Client().get(reverse("coaching:calendar"))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    def test_one_only_sees_ones_own(self, coach, outsider):
        calendar_feed_create(user=coach.user)
        response = outsider.client.get(reverse("coaching:calendar"))
        assert b"You have no calendar address." in response.content

    def test_constant_queries(self, coach, django_assert_num_queries):
        calendar_feed_create(user=coach.user)
        with django_assert_num_queries(5):
            coach.client.get(reverse("coaching:calendar"))
