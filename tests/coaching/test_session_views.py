"""The sessions tab, scheduling from it, and one session's page."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from ical.calendar_stream import IcsCalendarStream

from cadre.coaching.models import CoachingSession
from cadre.coaching.scheduling import session_schedule
from cadre.programs.models import AvailabilityWindow, Enrolment

LONDON = ZoneInfo("Europe/London")
UTC = ZoneInfo("UTC")


def schedule(pair, *, days: int = 3, hour: int = 9, zone: str = "Europe/London"):
    day = (timezone.now() + timedelta(days=days)).date()
    return session_schedule(
        scheduled_by=pair.coach.user,
        relationship=pair.relationship,
        starts_at=datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(zone)),
        duration_minutes=60,
        time_zone=zone,
        format=CoachingSession.Format.VIDEO,
        location="https://meet.example.org/abc",
    )


def make_past(session: CoachingSession) -> None:
    CoachingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )


def relogin(member) -> None:
    """Log in again, so the session picks up a changed time zone."""
    member.client = Client()
    member.client.force_login(member.user)


def sessions_url(pair) -> str:
    return reverse("coaching:sessions", args=[pair.relationship.pk])


class TestSessionsTab:
    def test_lists_upcoming_and_past_in_the_viewers_zone(self, pair):
        pair.coach.person.time_zone = "Europe/London"
        pair.coach.person.save()
        pair.coachee.person.time_zone = "Asia/Tokyo"
        pair.coachee.person.save()
        relogin(pair.coach)
        relogin(pair.coachee)
        upcoming = schedule(pair, days=40, hour=9)  # a day in BST or GMT
        past = schedule(pair, days=5, hour=15)
        make_past(past)

        response = pair.coach.client.get(sessions_url(pair))

        assert response.status_code == 200
        [row] = response.context["upcoming"]
        assert row.session == upcoming
        assert row.other_zone == "Asia/Tokyo"
        assert [r.session for r in response.context["past"]] == [past]
        page = response.content.decode()
        tokyo = upcoming.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
        assert "09:00" in page
        assert f"for you, {tokyo:%H:%M} for Cole Coachee" in page
        assert 'aria-current="page">Sessions' in page

        coachee_page = pair.coachee.client.get(sessions_url(pair)).content.decode()
        assert f"{tokyo:%H:%M}" in coachee_page
        assert "for you, 09:00 for Cora Coach" in coachee_page

    def test_no_other_time_when_the_clocks_agree(self, pair):
        schedule(pair)
        response = pair.coach.client.get(sessions_url(pair))
        assert response.context["upcoming"][0].other_zone == ""

    def test_empty_state(self, pair):
        response = pair.coach.client.get(sessions_url(pair))
        assert b"Nothing scheduled." in response.content

    @pytest.mark.parametrize("count", [1, 5])
    def test_query_count_does_not_grow(self, pair, count, django_assert_num_queries):
        for day in range(count):
            schedule(pair, days=3 + day)
        for day in range(count):
            make_past(schedule(pair, days=20 + day))
        with django_assert_num_queries(7):
            pair.coach.client.get(sessions_url(pair))


class TestSchedule:
    def test_schedule_a_typed_local_time(
        self, pair, mailoutbox, django_capture_on_commit_callbacks
    ):
        day = (timezone.now() + timedelta(days=10)).date()
        with django_capture_on_commit_callbacks(execute=True):
            response = pair.coach.client.post(
                reverse("coaching:session_new", args=[pair.relationship.pk]),
                {
                    "starts_at": f"{day:%Y-%m-%d}T14:30",
                    "time_zone": "America/New_York",
                    "duration_minutes": "45",
                    "format": "phone",
                    "location": "",
                    "agenda": "",
                },
            )

        assert response.status_code == 302
        session = CoachingSession.objects.get()
        assert session.starts_at == datetime.combine(
            day, time(14, 30), tzinfo=ZoneInfo("America/New_York")
        )
        assert session.time_zone == "America/New_York"
        assert session.duration_minutes == 45
        assert len(mailoutbox) == 2

    def test_schedule_a_suggested_slot(self, pair):
        slot = (timezone.now() + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
        response = pair.coachee.client.post(
            reverse("coaching:session_new", args=[pair.relationship.pk]),
            {
                "slot": slot.astimezone(UTC).isoformat(),
                "starts_at": "",
                "time_zone": "Europe/London",
                "duration_minutes": "60",
                "format": "video",
            },
        )
        assert response.status_code == 302
        assert CoachingSession.objects.get().starts_at == slot

    def test_a_time_the_clocks_skip_is_refused(self, pair):
        response = pair.coach.client.post(
            reverse("coaching:session_new", args=[pair.relationship.pk]),
            {
                "starts_at": "2099-03-29T01:30",
                "time_zone": "Europe/London",
                "duration_minutes": "60",
                "format": "video",
            },
        )
        assert response.status_code == 400
        assert "01:30 doesn&#x27;t exist on 29 March in Europe/London" in (
            response.content.decode()
        )
        assert not CoachingSession.objects.exists()

    def test_a_refusal_shows_on_the_form(self, pair):
        response = pair.coach.client.post(
            reverse("coaching:session_new", args=[pair.relationship.pk]),
            {
                "starts_at": "2001-01-01T10:00",
                "time_zone": "Europe/London",
                "duration_minutes": "60",
                "format": "video",
            },
        )
        assert response.status_code == 400
        assert b"Start: a session can only be scheduled in the future." in response.content

    def test_suggestions_partial(self, pair):
        for person in (pair.coach.person, pair.coachee.person):
            enrolment = Enrolment.objects.get(programme=pair.programme, person=person)
            for weekday in range(7):
                AvailabilityWindow.objects.create(
                    enrolment=enrolment, weekday=weekday, starts_at=time(9), ends_at=time(11)
                )
        response = pair.coach.client.get(
            reverse("coaching:session_suggestions", args=[pair.relationship.pk]),
            {"duration_minutes": "60"},
            headers={"HX-Request": "true"},
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in page
        assert page.count('type="radio" name="slot"') == 12

    def test_no_suggestions_says_what_to_do(self, pair):
        response = pair.coach.client.get(
            reverse("coaching:session_suggestions", args=[pair.relationship.pk])
        )
        assert b"No time in the next two weeks fits both" in response.content

    @pytest.mark.parametrize("count", [1, 4])
    def test_suggestions_query_count(self, pair, count, django_assert_num_queries):
        for day in range(count):
            schedule(pair, days=2 + day)
        with django_assert_num_queries(9):
            pair.coach.client.get(
                reverse("coaching:session_suggestions", args=[pair.relationship.pk])
            )


class TestSessionPage:
    def test_move(self, pair):
        session = schedule(pair)
        day = (timezone.now() + timedelta(days=8)).date()
        response = pair.coachee.client.post(
            reverse("coaching:session_move", args=[session.pk]),
            {
                "move-starts_at": f"{day:%Y-%m-%d}T11:00",
                "move-time_zone": "Europe/London",
                "move-duration_minutes": "30",
                "move-format": "in_person",
                "move-location": "Room 2",
            },
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.starts_at == datetime.combine(day, time(11), tzinfo=LONDON)
        assert (session.sequence, session.location) == (1, "Room 2")

    def test_cancel(self, pair):
        session = schedule(pair)
        response = pair.coach.client.post(
            reverse("coaching:session_cancel", args=[session.pk]), {"cancel-reason": "Ill"}
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.status == CoachingSession.Status.CANCELLED

    def test_mark_held_and_no_show(self, pair):
        first, second = schedule(pair), schedule(pair, days=4)
        make_past(first)
        make_past(second)
        pair.coach.client.post(reverse("coaching:session_held", args=[first.pk]))
        pair.coach.client.post(
            reverse("coaching:session_no_show", args=[second.pk]),
            {"absent": str(pair.coachee.person.pk)},
        )
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == CoachingSession.Status.HELD
        assert (second.status, second.no_show_by) == ("no_show", pair.coachee.person)

    def test_marking_a_future_session_is_refused(self, pair):
        session = schedule(pair)
        response = pair.coach.client.post(
            reverse("coaching:session_held", args=[session.pk]), follow=True
        )
        assert b"The session hasn&#x27;t started yet" in response.content
        session.refresh_from_db()
        assert session.status == CoachingSession.Status.SCHEDULED

    def test_detail_shows_forms_by_state(self, pair):
        session = schedule(pair)
        page = pair.coach.client.get(reverse("coaching:session", args=[session.pk]))
        assert page.context["can_change"] is True
        assert page.context["can_mark"] is False
        assert b"Move the session" in page.content
        make_past(session)
        page = pair.coach.client.get(reverse("coaching:session", args=[session.pk]))
        assert b"How did it go?" in page.content
        assert b"Move the session" not in page.content

    def test_ics_download(self, pair):
        session = schedule(pair)
        response = pair.coachee.client.get(reverse("coaching:session_ics", args=[session.pk]))
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        [event] = IcsCalendarStream.calendar_from_ics(response.content.decode()).events
        assert event.uid == f"{session.uid}@cadre"

    def test_detail_query_count(self, pair, django_assert_num_queries):
        session = schedule(pair)
        with django_assert_num_queries(6):
            pair.coach.client.get(reverse("coaching:session", args=[session.pk]))


def pages(pair, session):
    relationship = pair.relationship.pk
    return [
        ("get", reverse("coaching:sessions", args=[relationship])),
        ("post", reverse("coaching:session_new", args=[relationship])),
        ("get", reverse("coaching:session_suggestions", args=[relationship])),
        ("get", reverse("coaching:session", args=[session.pk])),
        ("post", reverse("coaching:session_move", args=[session.pk])),
        ("post", reverse("coaching:session_cancel", args=[session.pk])),
        ("post", reverse("coaching:session_held", args=[session.pk])),
        ("post", reverse("coaching:session_no_show", args=[session.pk])),
        ("get", reverse("coaching:session_ics", args=[session.pk])),
    ]


class TestPermissions:
    @pytest.mark.parametrize("who", ["outsider", "sponsor", "admin"])
    def test_others_get_404(self, pair, who, request):
        member = request.getfixturevalue(who)
        session = schedule(pair)
        for method, url in pages(pair, session):
            response = getattr(member.client, method)(url)
            assert response.status_code == 404, url
        session.refresh_from_db()
        assert session.status == CoachingSession.Status.SCHEDULED

    def test_not_logged_in_goes_to_login(self, pair):
        session = schedule(pair)
        for method, url in pages(pair, session):
            response = getattr(Client(), method)(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/login/"), url
