"""The health rule on crafted histories: each signal alone, at its thresholds' edges, and
combined; evaluated at a given moment (``now=``), in a fixed number of queries."""

from datetime import timedelta

import pytest

from cadre.coaching.models import CoachingRelationship
from cadre.feedback.health import relationship_health, status_of
from cadre.feedback.models import FeedbackSettings, SurveyStatus
from cadre.feedback.queries import settings_for
from tests.feedback.health_helpers import (
    another_pair,
    hold,
    overdue_actions,
    pulse,
    session_survey,
    unanswered,
)

# The pair started 100 days before NOW; the programme's cadence is 14 days; the defaults:
# grace 7 days, at risk after 2 cadences, pulse check-in below 3.5, at risk below 2.5, a drop
# of 0.75, usefulness below 3, 2 overdue actions, 2 unanswered surveys.
STARTED_DAYS_AGO = 100


@pytest.fixture
def relationship(pair) -> CoachingRelationship:
    return pair.relationship


@pytest.fixture
def now(relationship):
    return relationship.started_at + timedelta(days=STARTED_DAYS_AGO)


def verdict(relationship, now):
    [found] = [v for v in relationship_health(now=now) if v.relationship.pk == relationship.pk]
    return found.status, list(found.signals)


def met_recently(relationship, now):
    hold(relationship, at=now - timedelta(days=3))


class TestCadence:
    @pytest.mark.parametrize(
        ("days", "expected"),
        [
            (3, ("on_track", [])),
            (21, ("on_track", [])),  # cadence 14 + grace 7: not yet
            (22, ("check_in", ["cadence_overdue"])),
            (28, ("check_in", ["cadence_overdue"])),  # 2 × 14: not yet at risk
            (29, ("at_risk", ["cadence_stalled"])),
        ],
    )
    def test_days_since_the_last_held_session(self, relationship, now, days, expected):
        hold(relationship, at=now - timedelta(days=days))

        assert verdict(relationship, now) == expected

    def test_counted_from_the_start_when_none_was_held(self, relationship):
        start = relationship.started_at

        assert verdict(relationship, start + timedelta(days=21)) == ("on_track", [])
        assert verdict(relationship, start + timedelta(days=22)) == (
            "check_in",
            ["cadence_overdue"],
        )

    def test_a_session_after_now_does_not_count(self, relationship, now):
        hold(relationship, at=now - timedelta(days=30))
        hold(relationship, at=now + timedelta(days=1))

        assert verdict(relationship, now) == ("at_risk", ["cadence_stalled"])

    def test_cancelled_and_missed_sessions_do_not_count(self, relationship, now):
        hold(relationship, at=now - timedelta(days=25))
        missed = hold(relationship, at=now - timedelta(days=2))
        missed.status = "no_show"
        missed.save()

        assert verdict(relationship, now) == ("check_in", ["cadence_overdue"])

    def test_the_programmes_thresholds_apply(self, relationship, now):
        FeedbackSettings.objects.update_or_create(
            programme=relationship.programme,
            defaults={"cadence_grace_days": 0, "at_risk_cadence_factor": 3.0},
        )
        hold(relationship, at=now - timedelta(days=15))
        assert verdict(relationship, now) == ("check_in", ["cadence_overdue"])

        hold(relationship, at=now - timedelta(days=14))
        assert verdict(relationship, now) == ("on_track", [])


class TestPulse:
    @pytest.mark.parametrize(
        ("coachee_score", "coach_score", "expected"),
        [
            (4, 3, ("on_track", [])),  # 3.5: not below
            (4, 2, ("check_in", ["pulse_low"])),  # 3.0
            (3, 2, ("check_in", ["pulse_low"])),  # 2.5: not below the at-risk line
            (2, 2, ("at_risk", ["pulse_very_low"])),
        ],
    )
    def test_the_latest_pulses_lowest_subscale(
        self, relationship, now, coachee_score, coach_score, expected
    ):
        met_recently(relationship, now)
        pulse(
            relationship,
            1,
            at=now - timedelta(days=5),
            coachee={"trust": coachee_score},
            coach={"trust": coach_score},
        )

        assert verdict(relationship, now) == expected

    def test_only_the_latest_pulse_counts_for_the_level(self, relationship, now):
        met_recently(relationship, now)
        pulse(relationship, 1, at=now - timedelta(days=40), coachee=2, coach=2)
        pulse(relationship, 2, at=now - timedelta(days=5), coachee=4, coach=4)

        assert verdict(relationship, now) == ("on_track", [])

    def test_a_drop_between_two_pulses(self, relationship, now):
        met_recently(relationship, now)
        pulse(relationship, 1, at=now - timedelta(days=40), coachee=5, coach=5)
        pulse(relationship, 2, at=now - timedelta(days=5), coachee=4, coach=4)

        assert verdict(relationship, now) == ("check_in", ["pulse_drop"])

    @pytest.mark.parametrize(("drop", "expected"), [(1.0, ["pulse_drop"]), (1.01, []), (0, [])])
    def test_the_drop_at_its_edge(self, relationship, now, drop, expected):
        FeedbackSettings.objects.update_or_create(
            programme=relationship.programme, defaults={"pulse_drop": drop}
        )
        met_recently(relationship, now)
        pulse(relationship, 1, at=now - timedelta(days=40))
        pulse(relationship, 2, at=now - timedelta(days=5), coachee=4, coach=4)

        assert verdict(relationship, now)[1] == expected

    def test_a_low_pulse_that_also_dropped(self, relationship, now):
        met_recently(relationship, now)
        pulse(relationship, 1, at=now - timedelta(days=40))
        pulse(relationship, 2, at=now - timedelta(days=5), coachee=3, coach=3)

        assert verdict(relationship, now) == ("check_in", ["pulse_low", "pulse_drop"])

    def test_a_pulse_answered_after_now_does_not_count(self, relationship, now):
        met_recently(relationship, now)
        pulse(relationship, 1, at=now + timedelta(hours=1), coachee=1, coach=1)

        assert verdict(relationship, now) == ("on_track", [])

    def test_an_unsubmitted_pulse_does_not_count(self, relationship, now):
        met_recently(relationship, now)
        surveys = pulse(relationship, 1, at=now - timedelta(days=1), coachee=1, coach=1)
        for survey in surveys:
            survey.status, survey.submitted_at = SurveyStatus.IN_PROGRESS, None
            survey.save()

        assert verdict(relationship, now) == ("on_track", [])


class TestSessionFeedback:
    @pytest.mark.parametrize(
        ("ratings", "expected"),
        [
            ([3, 3, 3], []),  # 3.0: not below
            ([2, 3, 3], ["session_low"]),  # 2.67
            ([1, 3, 3, 3], []),  # the oldest is beyond the latest three
            ([5], []),
            ([2], ["session_low"]),
        ],
    )
    def test_the_coachees_latest_usefulness_ratings(self, relationship, now, ratings, expected):
        for days_ago, rating in zip(range(4 * len(ratings), 0, -4), ratings, strict=True):
            session_survey(relationship, at=now - timedelta(days=days_ago), usefulness=rating)

        assert verdict(relationship, now)[1] == expected


class TestActions:
    @pytest.mark.parametrize(("count", "expected"), [(1, []), (2, ["actions_overdue"])])
    def test_open_actions_past_their_date(self, relationship, now, count, expected):
        met_recently(relationship, now)
        overdue_actions(relationship, count, due_on=now.date() - timedelta(days=1))

        assert verdict(relationship, now)[1] == expected

    def test_done_actions_and_those_due_today_are_not_overdue(self, relationship, now):
        met_recently(relationship, now)
        [done] = overdue_actions(relationship, 1, due_on=now.date() - timedelta(days=5))
        done.done_at = now
        done.save()
        overdue_actions(relationship, 1, due_on=now.date() - timedelta(days=1))
        overdue_actions(relationship, 1, due_on=now.date())

        assert verdict(relationship, now) == ("on_track", [])


class TestUnansweredSurveys:
    def test_two_closed_unanswered(self, relationship, now):
        met_recently(relationship, now)
        unanswered(relationship, 2, due=now - timedelta(days=3))

        assert verdict(relationship, now) == ("check_in", ["surveys_unanswered"])

    def test_open_but_past_due_counts_too(self, relationship, now):
        met_recently(relationship, now)
        unanswered(relationship, 1, due=now - timedelta(days=3))
        unanswered(relationship, 1, due=now - timedelta(hours=1), status=SurveyStatus.OPEN)

        assert verdict(relationship, now)[1] == ["surveys_unanswered"]

    def test_old_and_not_yet_due_surveys_do_not(self, relationship, now):
        met_recently(relationship, now)
        unanswered(relationship, 1, due=now - timedelta(days=61))
        unanswered(relationship, 1, due=now - timedelta(days=3))
        unanswered(relationship, 1, due=now + timedelta(days=1), status=SurveyStatus.OPEN)

        assert verdict(relationship, now) == ("on_track", [])


class TestCombined:
    def test_two_check_in_signals_ask_for_a_check_in(self, relationship, now):
        hold(relationship, at=now - timedelta(days=25))
        overdue_actions(relationship, 2, due_on=now.date() - timedelta(days=1))

        assert verdict(relationship, now) == ("check_in", ["cadence_overdue", "actions_overdue"])

    def test_three_check_in_signals_put_the_pair_at_risk(self, relationship, now):
        hold(relationship, at=now - timedelta(days=25))
        overdue_actions(relationship, 2, due_on=now.date() - timedelta(days=1))
        unanswered(relationship, 2, due=now - timedelta(days=3))

        assert verdict(relationship, now) == (
            "at_risk",
            ["cadence_overdue", "actions_overdue", "surveys_unanswered"],
        )

    def test_an_at_risk_signal_with_others(self, relationship, now):
        hold(relationship, at=now - timedelta(days=40))
        pulse(relationship, 1, at=now - timedelta(days=20), coachee=2, coach=2)

        assert verdict(relationship, now) == ("at_risk", ["cadence_stalled", "pulse_very_low"])

    def test_status_of_codes(self):
        assert status_of([]) == "on_track"
        assert status_of(["pulse_low"]) == "check_in"
        assert status_of(["pulse_low", "pulse_drop", "session_low"]) == "at_risk"
        assert status_of(["cadence_stalled"]) == "at_risk"


class TestScope:
    def test_only_active_relationships_are_checked(self, relationship, now):
        CoachingRelationship.objects.filter(pk=relationship.pk).update(status="paused")

        assert relationship_health(now=now) == []

    def test_one_programme_or_all(self, relationship, now, make_programme):
        assert [v.relationship for v in relationship_health(now=now)] == [relationship]
        other = make_programme("Another programme")

        assert relationship_health(now=now, programme=other) == []
        assert settings_for(relationship.programme).anonymity_threshold == 5

    def test_queries_do_not_grow_with_relationships(
        self, relationship, now, django_assert_num_queries
    ):
        met_recently(relationship, now)
        pulse(relationship, 1, at=now - timedelta(days=5))
        with django_assert_num_queries(5):
            relationship_health(now=now)
        for name in ("Ann Other", "Bo Third"):
            other = another_pair(relationship, name)
            pulse(other, 1, at=now - timedelta(days=5), coachee=2)
            pulse(other, 2, at=now - timedelta(days=1), coachee=2)
            session_survey(other, at=now - timedelta(days=3), usefulness=2)
            overdue_actions(other, 2, due_on=now.date() - timedelta(days=1))
            unanswered(other, 2, due=now - timedelta(days=2))

        with django_assert_num_queries(5):
            verdicts = relationship_health(now=now)

        assert [v.status for v in verdicts] == ["at_risk", "at_risk", "on_track"]
