"""Health pages: the programme's health, an alert and its actions, the feedback settings;
who may open them, and a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.coaching.models import CoachingRelationship
from cadre.feedback.health import health_refresh
from cadre.feedback.models import FeedbackSettings, HealthAlert
from cadre.programs.models import Programme
from tests.feedback.health_helpers import SECRET, another_pair, hold, pulse, session_survey


def url(name, *args):
    return reverse(f"feedback:{name}", args=args)


def make_at_risk(relationship: CoachingRelationship) -> None:
    """No session for 40 days, a very low pulse and a low-rated session with a comment."""
    now = timezone.now()
    CoachingRelationship.objects.filter(pk=relationship.pk).update(
        started_at=now - timedelta(days=60)
    )
    hold(relationship, at=now - timedelta(days=40))
    pulse(relationship, 1, at=now - timedelta(days=20), coachee=2, coach=2)
    session_survey(relationship, at=now - timedelta(days=41), usefulness=1, comment=SECRET)


@pytest.fixture
def alert(pair) -> HealthAlert:
    make_at_risk(pair.relationship)
    [raised] = health_refresh(now=timezone.now()).alerts
    return raised


@pytest.fixture
def sponsoring(pair, sponsor) -> Programme:
    Programme.objects.filter(pk=pair.programme.pk).update(sponsor=sponsor.person)
    return pair.programme


class TestProgrammeHealth:
    def test_admins_see_alerts_statuses_and_response_rates(self, pair, alert, admin):
        response = admin.client.get(url("programme_health", pair.programme.pk))

        assert response.status_code == 200
        health = response.context["health"]
        assert health.open_alerts == [alert]
        assert [(r.relationship, r.status) for r in health.rows] == [(pair.relationship, "at_risk")]
        assert response.context["counts"] == {
            "on_track": 0,
            "check_in": 0,
            "at_risk": 1,
            "unchecked": 0,
        }
        assert [(r.title, r.asked, r.answered, r.rate) for r in response.context["rates"]] == [
            ("How is your coaching working?", 2, 2, 100),
            ("How was your session?", 1, 1, 100),
        ]
        html = response.text
        assert "No session for a long time" in html
        assert "Pulse very low" in html
        assert SECRET not in html
        assert "Nudge both" in html

    def test_filtered_by_status_with_htmx(self, pair, alert, admin):
        other = another_pair(pair.relationship, "Ann Other")
        hold(other, at=timezone.now() - timedelta(days=1))
        health_refresh(now=timezone.now())

        response = admin.client.get(
            url("programme_health", pair.programme.pk),
            {"status": "on_track"},
            headers={"HX-Request": "true", "HX-Target": "relationships"},
        )

        assert [row.relationship for row in response.context["health"].rows] == [other]
        assert "<h1>" not in response.text
        assert "Ann Other" in response.text
        assert "Cole Coachee" not in response.text

    def test_empty_state_says_what_to_do(self, programme, admin):
        response = admin.client.get(url("programme_health", programme.pk))

        assert "No open alerts." in response.text
        assert "match coachees with coaches" in response.text
        assert "No surveys yet." in response.text

    def test_the_sponsor_sees_counts_only(self, pair, alert, sponsor, sponsoring):
        response = sponsor.client.get(url("programme_health", pair.programme.pk))

        assert response.status_code == 200
        assert response.context["counts"]["at_risk"] == 1
        assert "health" not in response.context
        html = response.text
        for private in ("Cole Coachee", "Cora Coach", "Pulse very low", SECRET, "Check now"):
            assert private not in html

    @pytest.mark.parametrize("who", ["sponsor", "outsider", "coach", "coachee"])
    def test_nobody_else_may_open_it(self, request, pair, who):
        member = request.getfixturevalue(who)

        assert member.client.get(url("programme_health", pair.programme.pk)).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, programme):
        response = client.get(url("programme_health", programme.pk))

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_queries_do_not_grow_with_pairs_and_alerts(
        self, pair, alert, admin, django_assert_num_queries
    ):
        page = url("programme_health", pair.programme.pk)
        with django_assert_num_queries(10) as one:
            admin.client.get(page)
        for name in ("Ann Other", "Bo Third", "Cy Fourth"):
            make_at_risk(another_pair(pair.relationship, name))
        health_refresh(now=timezone.now())
        HealthAlert.objects.filter(pk=alert.pk).update(state="handled", action="dismiss")

        with django_assert_num_queries(len(one.captured_queries)):
            response = admin.client.get(page)

        assert len(response.context["health"].open_alerts) == 3

    def test_check_now(self, pair, admin):
        make_at_risk(pair.relationship)

        response = admin.client.post(url("programme_health_check", pair.programme.pk))

        assert response.status_code == 302
        assert HealthAlert.objects.get().to_status == "at_risk"

    def test_only_admins_check_now(self, pair, sponsor, sponsoring, outsider):
        path = url("programme_health_check", pair.programme.pk)

        assert sponsor.client.post(path).status_code == 403
        assert outsider.client.post(path).status_code == 404
        assert not HealthAlert.objects.exists()


class TestAlertPage:
    def test_shows_why_and_the_actions(self, alert, admin):
        response = admin.client.get(url("alert", alert.pk))

        assert response.status_code == 200
        html = response.text
        assert "No session for a long time" in html
        assert "End and re-match" in html
        assert "Pause" in html
        assert SECRET not in html

    def test_end_with_a_no_fault_rematch(self, alert, admin):
        response = admin.client.post(
            url("alert", alert.pk), {"action": "end_rematch", "note": "", "confirm": "on"}
        )

        assert response.status_code == 302
        alert.refresh_from_db()
        assert (alert.state, alert.action, alert.handled_by) == (
            "handled",
            "end_rematch",
            admin.user,
        )
        relationship = alert.relationship
        relationship.refresh_from_db()
        assert (relationship.status, relationship.rematch_priority) == ("ended", True)
        page = admin.client.get(response.url)
        assert "End no-fault and re-match, by Ada Admin" in page.text
        assert "they are in the pool with priority" in page.text

    def test_pause_and_end_need_a_confirmation(self, alert, admin):
        for action in ("pause", "end_rematch"):
            response = admin.client.post(url("alert", alert.pk), {"action": action})

            assert response.status_code == 400
            assert "Confirm: tick the box to confirm this change." in response.text
        assert HealthAlert.objects.get(pk=alert.pk).state == "open"
        assert CoachingRelationship.objects.get(pk=alert.relationship_id).status == "active"

    def test_a_quick_action_with_htmx_returns_the_row(self, alert, admin):
        response = admin.client.post(
            url("alert", alert.pk),
            {"action": "nudge", "recipients": "both"},
            headers={"HX-Request": "true"},
        )

        assert response.status_code == 200
        assert response.text.strip().startswith(f'<li class="card" id="alert-{alert.pk}">')
        assert "Nudge the pair: done by Ada Admin" in response.text

    def test_a_handled_alert_refuses_another_action(self, alert, admin):
        admin.client.post(url("alert", alert.pk), {"action": "dismiss"})

        response = admin.client.post(url("alert", alert.pk), {"action": "check_in"})

        assert response.status_code == 400
        assert "This alert was dismissed already" in response.text

    def test_a_pair_ended_meanwhile_offers_only_dismissing(self, alert, admin):
        CoachingRelationship.objects.filter(pk=alert.relationship_id).update(
            status="ended", end_reason="other"
        )

        page = admin.client.get(url("alert", alert.pk))
        response = admin.client.post(url("alert", alert.pk), {"action": "check_in"})

        assert "The relationship is ended early now: there is no one to nudge." in page.text
        assert 'value="nudge"' not in page.text
        assert 'value="check_in"' not in page.text
        assert 'value="dismiss"' in page.text
        assert response.status_code == 400
        assert "The relationship is ended early now: a check-in suggestion goes" in response.text
        assert HealthAlert.objects.get(pk=alert.pk).state == "open"

    @pytest.mark.parametrize("who", ["sponsor", "outsider", "coach", "coachee"])
    def test_for_admins_alone(self, request, pair, alert, sponsoring, who):
        member = request.getfixturevalue(who)

        assert member.client.get(url("alert", alert.pk)).status_code == 404
        assert member.client.post(url("alert", alert.pk), {"action": "dismiss"}).status_code == 404
        assert HealthAlert.objects.get(pk=alert.pk).state == "open"

    def test_anonymous_is_sent_to_log_in(self, client, alert):
        assert client.get(url("alert", alert.pk)).status_code == 302

    def test_queries_are_fixed(self, pair, alert, admin, django_assert_num_queries):
        with django_assert_num_queries(6) as one:
            admin.client.get(url("alert", alert.pk))
        for name in ("Ann Other", "Bo Third"):
            make_at_risk(another_pair(pair.relationship, name))
        health_refresh(now=timezone.now())

        latest = HealthAlert.objects.latest("pk")
        with django_assert_num_queries(len(one.captured_queries)):
            admin.client.get(url("alert", latest.pk))


GOOD_SETTINGS = {
    "anonymity_threshold": "6",
    "pulse_schedule": "monthly",
    "cadence_grace_days": "5",
    "at_risk_cadence_factor": "2.5",
    "pulse_check_in_below": "3.5",
    "pulse_at_risk_below": "2.5",
    "pulse_drop": "0.75",
    "session_usefulness_below": "3",
    "overdue_actions_check_in": "3",
    "unanswered_surveys_check_in": "2",
}


class TestSettingsPage:
    def test_admins_change_the_settings(self, programme, admin):
        page = admin.client.get(url("feedback_settings", programme.pk))
        assert page.status_code == 200
        assert "<legend>Relationship pulse</legend>" in page.text

        response = admin.client.post(url("feedback_settings", programme.pk), GOOD_SETTINGS)

        assert response.status_code == 302
        saved = FeedbackSettings.objects.get(programme=programme)
        assert (saved.anonymity_threshold, saved.pulse_schedule, saved.cadence_grace_days) == (
            6,
            "monthly",
            5,
        )

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            (
                "anonymity_threshold",
                "2",
                "Anonymity threshold: choose from 3 to 10 (never below 3).",
            ),
            ("anonymity_threshold", "11", "Anonymity threshold: choose from 3 to 10."),
            (
                "pulse_at_risk_below",
                "4",
                "At risk when a pulse subscale is below: keep it at or below",
            ),
        ],
    )
    def test_refusals_name_the_field(self, programme, admin, field, value, message):
        response = admin.client.post(
            url("feedback_settings", programme.pk), {**GOOD_SETTINGS, field: value}
        )

        assert response.status_code == 400
        assert message in response.text
        assert not FeedbackSettings.objects.filter(anonymity_threshold=6).exists()

    def test_the_sponsor_may_not_change_them(self, pair, sponsor, sponsoring):
        path = url("feedback_settings", pair.programme.pk)

        assert sponsor.client.get(path).status_code == 403
        assert sponsor.client.post(path, GOOD_SETTINGS).status_code == 403

    @pytest.mark.parametrize("who", ["sponsor", "outsider", "coach"])
    def test_others_get_404(self, request, programme, who):
        member = request.getfixturevalue(who)

        assert member.client.get(url("feedback_settings", programme.pk)).status_code == 404

    def test_anonymous_is_sent_to_log_in(self, client, programme):
        assert client.get(url("feedback_settings", programme.pk)).status_code == 302

    def test_queries_are_fixed(self, programme, admin, django_assert_num_queries):
        admin.client.get(url("feedback_settings", programme.pk))
        with django_assert_num_queries(6):
            admin.client.get(url("feedback_settings", programme.pk))
