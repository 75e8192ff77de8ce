"""The coach's and coachee's home pages: what each sees first, in their own time zone, and a
fixed number of queries however many relationships they have."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.coaching.models import (
    ActionItem,
    Agreement,
    Circle,
    CoachingRelationship,
    CoachingSession,
    Goal,
)
from tests.coaching.conftest import Pair, active_relationship, coachee_person
from tests.programs.conftest import put_in

pytestmark = pytest.mark.django_db


def session_of(relationship=None, *, circle=None, at, status="scheduled") -> CoachingSession:
    return CoachingSession.objects.create(
        relationship=relationship,
        circle=circle,
        starts_at=at,
        time_zone="UTC",
        format=CoachingSession.Format.VIDEO,
        status=status,
    )


def action_of(relationship, owner, *, due_in_days: int, done: bool = False) -> ActionItem:
    return ActionItem.objects.create(
        relationship=relationship,
        title=f"Action due in {due_in_days}",
        owner=owner,
        due_on=timezone.localdate() + timedelta(days=due_in_days),
        done_at=timezone.now() if done else None,
    )


def home(member):
    return member.client.get(reverse("home"))


def test_coach_sees_each_coachee_with_how_the_work_is_going(pair: Pair):
    now = timezone.now()
    relationship = pair.relationship
    session_of(relationship, at=now - timedelta(days=40), status="held")
    session_of(relationship, at=now - timedelta(days=20), status="cancelled")
    upcoming = session_of(relationship, at=now + timedelta(days=3))
    session_of(relationship, at=now + timedelta(days=10))
    action_of(relationship, pair.coachee.person, due_in_days=-2)
    action_of(relationship, pair.coach.person, due_in_days=4)
    action_of(relationship, pair.coachee.person, due_in_days=-9, done=True)

    response = home(pair.coach)

    coach_home = response.context["coach_home"]
    assert response.context["coachee_home"] is None
    [row] = coach_home.coachees
    assert row.relationship == relationship
    assert row.relationship.next_session_at == upcoming.starts_at
    assert row.relationship.last_session_at == now - timedelta(days=40)
    assert (row.relationship.open_actions, row.relationship.overdue_actions) == (2, 1)
    assert row.hints == ["No session for 40 days", "1 overdue action"]
    html = response.content.decode()
    assert "My coachees" in html
    assert "Cole Coachee" in html
    assert "1 overdue" in html
    assert "No session for 40 days" in html


def test_a_relationship_in_rhythm_is_on_track(pair: Pair):
    now = timezone.now()
    session_of(pair.relationship, at=now - timedelta(days=5), status="held")
    session_of(pair.relationship, at=now + timedelta(days=9))

    response = home(pair.coach)

    assert response.context["coach_home"].coachees[0].hints == []
    assert "On track" in response.content.decode()


def test_health_hints_for_a_new_or_paused_pairing(pair: Pair, programme, coach):
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        started_at=timezone.now() - timedelta(days=20)
    )
    paused = active_relationship(programme, coach.person, coachee_person(full_name="Pat Paused"))
    CoachingRelationship.objects.filter(pk=paused.pk).update(status="paused")

    rows = home(pair.coach).context["coach_home"].coachees

    assert [(row.relationship.coachee.full_name, row.hints) for row in rows] == [
        ("Cole Coachee", ["No session held in 20 days", "No session scheduled"]),
        ("Pat Paused", ["Paused"]),
    ]


def test_only_live_relationships_are_listed(pair: Pair, programme, coach):
    ended = active_relationship(programme, coach.person, coachee_person(full_name="Ed Ended"))
    CoachingRelationship.objects.filter(pk=ended.pk).update(status="ended", end_reason="no_fault")

    rows = home(pair.coach).context["coach_home"].coachees

    assert [row.relationship for row in rows] == [pair.relationship]


def test_today_and_upcoming_sessions_in_the_coachs_own_time_zone(pair: Pair, coach):
    tokyo = ZoneInfo("Asia/Tokyo")
    coach.person.time_zone = "Asia/Tokyo"
    coach.person.save()
    local_today = timezone.now().astimezone(tokyo).date()
    end_of_today = datetime.combine(local_today, datetime.min.time(), tzinfo=tokyo) + timedelta(
        days=1
    )
    late_today = session_of(pair.relationship, at=end_of_today - timedelta(minutes=30))
    circle = Circle.objects.create(
        kind=Circle.Kind.SUPERVISION, name="Supervision A", facilitator=coach.person
    )
    tomorrow = session_of(circle=circle, at=end_of_today + timedelta(hours=10))
    session_of(pair.relationship, at=end_of_today + timedelta(days=20))  # beyond two weeks
    session_of(pair.relationship, at=end_of_today + timedelta(hours=2), status="cancelled")

    response = home(pair.coach)

    coach_home = response.context["coach_home"]
    assert coach_home.today == [late_today]
    assert coach_home.upcoming == [tomorrow]
    assert coach_home.circles == [circle]
    html = response.content.decode()
    assert '<time datetime="' in html
    assert ">23:30</time>" in html  # half an hour before midnight in Tokyo
    assert "Coaching Cole Coachee" in html
    assert "Supervision A" in html
    assert "you facilitate" in html


def test_a_coach_without_coachees_sees_what_comes_next(coach):
    response = home(coach)
    html = response.content.decode()
    assert "You have no coachees yet." in html
    assert "No sessions today." in html
    assert "Nothing scheduled for the next two weeks." in html
    assert "You're in no circles yet." in html


def test_coachee_sees_coach_agreement_goals_next_session_and_actions(pair: Pair):
    relationship = pair.relationship
    next_one = session_of(relationship, at=timezone.now() + timedelta(days=2))
    Goal.objects.create(
        relationship=relationship,
        title="Speak up in the board meeting",
        measure="Twice",
        target_date=timezone.localdate() + timedelta(days=30),
        progress=35,
    )
    Goal.objects.create(
        relationship=relationship,
        title="Dropped one",
        measure="-",
        target_date=timezone.localdate(),
        status="dropped",
    )
    action_of(relationship, pair.coachee.person, due_in_days=-1)
    action_of(relationship, pair.coachee.person, due_in_days=5, done=True)

    response = home(pair.coachee)

    assert response.context["coach_home"] is None
    [view] = response.context["coachee_home"]
    assert view.relationship == relationship
    assert view.relationship.next_session_at == next_one.starts_at
    assert [goal.title for goal in view.goals] == ["Speak up in the board meeting"]
    assert [action.title for action in view.actions] == ["Action due in -1"]
    assert view.missing_signatures == []
    html = response.content.decode()
    assert "My coach" in html
    assert "Cora Coach" in html
    assert "Signed by you both" in html
    assert '<progress max="100" value="35"' in html
    assert ">Overdue</span>" in html
    assert "Dropped one" not in html


def test_coachee_sees_which_signature_is_missing(pair: Pair):
    Agreement.objects.filter(relationship=pair.relationship).update(coachee_signed_at=None)
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(status="agreed")

    response = home(pair.coachee)

    assert response.context["coachee_home"][0].missing_signatures == ["Your signature"]
    assert "Waiting for: Your signature." in response.content.decode()


def test_a_coachee_without_a_coach_sees_what_comes_next(coachee):
    response = home(coachee)
    assert response.context["coachee_home"] == []
    html = response.content.decode()
    assert "You don't have a coach yet." in html
    assert reverse("programs:my_enrolments") in html


@pytest.mark.parametrize("member", ["admin", "sponsor", "outsider"])
def test_others_see_no_coaching_sections(pair: Pair, request, member):
    response = home(request.getfixturevalue(member))
    assert response.context["coach_home"] is None
    assert response.context["coachee_home"] is None
    html = response.content.decode()
    assert "My coachees" not in html
    assert "Cole Coachee" not in html


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def _busy(relationship: CoachingRelationship, owner) -> None:
    now = timezone.now()
    session_of(relationship, at=now - timedelta(days=3), status="held")
    session_of(relationship, at=now + timedelta(hours=1))
    session_of(relationship, at=now + timedelta(days=4))
    action_of(relationship, owner, due_in_days=-1)
    action_of(relationship, owner, due_in_days=3)
    Goal.objects.create(
        relationship=relationship,
        title="A goal",
        measure="m",
        target_date=timezone.localdate() + timedelta(days=20),
        progress=10,
    )


def test_coach_home_runs_a_fixed_number_of_queries(
    pair: Pair, programme, coach, django_assert_num_queries
):
    circle = Circle.objects.create(
        kind=Circle.Kind.SUPERVISION, name="C0", facilitator=coach.person
    )
    _busy(pair.relationship, pair.coachee.person)
    session_of(circle=circle, at=timezone.now() + timedelta(days=1))
    home(coach)
    with django_assert_num_queries(9) as one:
        home(coach)
    for index in range(4):
        relationship = active_relationship(programme, coach.person, coachee_person())
        _busy(relationship, relationship.coachee)
        other = Circle.objects.create(
            kind=Circle.Kind.SUPERVISION, name=f"C{index + 1}", facilitator=coach.person
        )
        session_of(circle=other, at=timezone.now() + timedelta(days=2))
    with django_assert_num_queries(len(one.captured_queries)):
        response = home(coach)
    assert len(response.context["coach_home"].coachees) == 5
    assert len(response.context["coach_home"].circles) == 5


def test_coachee_home_runs_a_fixed_number_of_queries(
    pair: Pair, make_programme, coachee, django_assert_num_queries
):
    _busy(pair.relationship, coachee.person)
    home(coachee)
    with django_assert_num_queries(10) as one:
        home(coachee)
    for index in range(4):
        programme = put_in(make_programme(f"Programme {index}"), "running")
        relationship = active_relationship(programme, coachee_person(), coachee.person)
        _busy(relationship, coachee.person)
    with django_assert_num_queries(len(one.captured_queries)):
        response = home(coachee)
    assert len(response.context["coachee_home"]) == 5
