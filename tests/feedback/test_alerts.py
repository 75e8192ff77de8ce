"""Health alerts: raised only when a status gets worse (and once), e-mailed to programme admins
with the signals and no content; every admin action on them, audited; the settings service."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cadre.accounts.models import AuditEvent, Role
from cadre.coaching.models import CoachingRelationship
from cadre.feedback.alerts import (
    alert_dismiss,
    alert_end_rematch,
    alert_nudge,
    alert_pause,
    alert_suggest_check_in,
)
from cadre.feedback.health import health_refresh
from cadre.feedback.models import FeedbackSettings, HealthAlert, RelationshipHealth
from cadre.feedback.rules import feedback_settings_update
from cadre.feedback.services import FeedbackError
from cadre.feedback.tasks import feedback_scan
from cadre.notifications.models import Notification
from tests.factories import RoleGrantFactory
from tests.feedback.health_helpers import (
    SECRET,
    hold,
    overdue_actions,
    pulse,
    session_survey,
)


@pytest.fixture
def relationship(pair) -> CoachingRelationship:
    return pair.relationship


@pytest.fixture
def now(relationship):
    return relationship.started_at + timedelta(days=100)


@pytest.fixture
def at_risk(relationship, now):
    """The pair: no session for 40 days, a very low pulse, and a comment that must stay put."""
    hold(relationship, at=now - timedelta(days=40))
    pulse(relationship, 1, at=now - timedelta(days=20), coachee=2, coach=2)
    session_survey(relationship, at=now - timedelta(days=40), usefulness=1, comment=SECRET)
    return relationship


@pytest.fixture
def alert(at_risk, now) -> HealthAlert:
    [raised] = health_refresh(now=now).alerts
    Notification.objects.all().delete()
    return raised


def mails() -> list[Notification]:
    return list(Notification.objects.order_by("pk"))


def audit(action: str) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


class TestRefresh:
    def test_an_at_risk_pair_raises_an_alert_mailed_to_admins(self, at_risk, now, admin):
        refreshed = health_refresh(now=now)

        assert (refreshed.checked, refreshed.changed) == (1, 1)
        health = RelationshipHealth.objects.get(relationship=at_risk)
        assert (health.status, health.signals) == (
            "at_risk",
            ["cadence_stalled", "pulse_very_low", "session_low"],
        )
        [alert] = HealthAlert.objects.all()
        assert (alert.from_status, alert.to_status, alert.state) == ("on_track", "at_risk", "open")
        assert alert.signals == health.signals
        [mail] = mails()
        assert (mail.recipient, mail.kind) == (admin.user, "health-alert")
        assert mail.subject == "Health alert: Cora Coach and Cole Coachee — at risk"
        assert (
            "Why: No session for a long time, Pulse very low, "
            "Recent sessions rated less useful." in mail.body
        )
        assert f"/feedback/alerts/{alert.pk}/" in mail.body

    def test_alerts_and_mails_carry_no_content(self, at_risk, now):
        health_refresh(now=now)

        for mail in mails():
            assert SECRET not in mail.body
            assert "2.0" not in mail.body
            assert " 1 " not in mail.body
        assert SECRET not in str(HealthAlert.objects.values().get())

    def test_running_again_changes_nothing(self, at_risk, now):
        health_refresh(now=now)

        again = health_refresh(now=now)
        later = health_refresh(now=now + timedelta(hours=1))

        assert (again.changed, again.alerts, later.alerts) == (0, [], [])
        assert HealthAlert.objects.count() == 1
        assert Notification.objects.count() == 1

    def test_an_on_track_pair_raises_nothing(self, relationship, now):
        hold(relationship, at=now - timedelta(days=2))

        refreshed = health_refresh(now=now)

        assert RelationshipHealth.objects.get().status == "on_track"
        assert (refreshed.alerts, Notification.objects.count()) == ([], 0)

    def test_only_a_worse_status_raises_an_alert(self, relationship, now):
        hold(relationship, at=now - timedelta(days=25))
        assert [a.to_status for a in health_refresh(now=now).alerts] == ["check_in"]

        # Worse: check in → at risk.
        later = now + timedelta(days=4)
        assert [a.from_status for a in health_refresh(now=later).alerts] == ["check_in"]

        # Better: a session held; no alert, the health is back on track.
        hold(relationship, at=later + timedelta(hours=1))
        better = health_refresh(now=later + timedelta(hours=2))
        assert better.alerts == []
        assert RelationshipHealth.objects.get().status == "on_track"

        # Worse again: a new alert.
        overdue_actions(relationship, 2, due_on=(later - timedelta(days=1)).date())
        pulse(relationship, 1, at=later + timedelta(hours=3), coachee=3, coach=3)
        again = health_refresh(now=later + timedelta(hours=4))
        assert [(a.from_status, a.to_status) for a in again.alerts] == [("on_track", "check_in")]
        assert HealthAlert.objects.count() == 3

    def test_new_signals_at_the_same_status_are_stored_without_an_alert(self, relationship, now):
        hold(relationship, at=now - timedelta(days=25))
        health_refresh(now=now)
        overdue_actions(relationship, 2, due_on=(now - timedelta(days=1)).date())

        refreshed = health_refresh(now=now + timedelta(minutes=1))

        assert (refreshed.changed, refreshed.alerts) == (1, [])
        assert RelationshipHealth.objects.get().signals == ["cadence_overdue", "actions_overdue"]

    def test_the_feedback_scan_checks_health(self, at_risk, now):
        run = feedback_scan(now=now)

        assert (run.health_checked, run.alerts) == (1, 1)
        assert feedback_scan(now=now).alerts == 0


class TestActions:
    def test_nudge_the_coach_only(self, alert, admin, pair, now):
        handled = alert_nudge(alert=alert, by=admin.user, recipients="coach", now=now)

        assert (handled.state, handled.action, handled.handled_by, handled.handled_at) == (
            "handled",
            "nudge",
            admin.user,
            now,
        )
        [mail] = mails()
        assert (mail.recipient, mail.kind) == (pair.coach.user, "health-nudge")
        assert mail.subject == "A reminder to check in on your coaching with Cole Coachee"
        event = audit("feedback.alert_nudge")
        assert event.details == {
            "relationship": alert.relationship_id,
            "to_status": "at_risk",
            "signals": ["cadence_stalled", "pulse_very_low", "session_low"],
            "recipients": "coach",
            "emails": 1,
        }

    def test_nudge_both(self, alert, admin, pair, now):
        alert_nudge(alert=alert, by=admin.user, recipients="both", now=now)

        assert [m.recipient for m in mails()] == [pair.coach.user, pair.coachee.user]

    def test_suggest_a_check_in(self, alert, admin, pair, now):
        handled = alert_suggest_check_in(alert=alert, by=admin.user, now=now)

        assert handled.action == "check_in"
        coach_mail, coachee_mail = mails()
        assert coach_mail.kind == "check-in-suggested"
        assert coachee_mail.subject == "Time for a check-in session with Cora Coach"
        assert f"/coaching/relationships/{pair.relationship.pk}/sessions/new/" in coachee_mail.body
        assert audit("feedback.alert_check_in").actor == admin.user

    def test_pause(self, alert, admin, now):
        handled = alert_pause(alert=alert, by=admin.user, now=now, note="Parental leave.")

        assert handled.action == "pause"
        assert CoachingRelationship.objects.get(pk=alert.relationship_id).status == "paused"
        assert audit("coaching.relationship_pause").actor == admin.user
        assert "note" not in audit("feedback.alert_pause").details

    def test_end_with_a_no_fault_rematch(self, alert, admin, now):
        handled = alert_end_rematch(alert=alert, by=admin.user, now=now, note="Chemistry.")

        assert handled.action == "end_rematch"
        relationship = CoachingRelationship.objects.get(pk=alert.relationship_id)
        assert (relationship.status, relationship.end_reason, relationship.rematch_priority) == (
            "ended",
            "no_fault",
            True,
        )
        assert audit("coaching.relationship_end").details["rematch_priority"] is True
        details = audit("feedback.alert_end_rematch").details
        assert "Chemistry." not in str(details)

    def test_ending_closes_the_pairs_other_open_alerts(self, alert, admin, now):
        older = HealthAlert.objects.create(
            relationship=alert.relationship, from_status="on_track", to_status="check_in"
        )

        alert_end_rematch(alert=alert, by=admin.user, now=now)

        older.refresh_from_db()
        assert (older.state, older.action, older.handled_by) == (
            "handled",
            "end_rematch",
            admin.user,
        )

    def test_dismiss(self, alert, admin, now):
        handled = alert_dismiss(alert=alert, by=admin.user, now=now)

        assert (handled.state, handled.action) == ("dismissed", "dismiss")
        assert mails() == []
        assert audit("feedback.alert_dismiss").target_id == str(alert.pk)

    def test_a_handled_alert_takes_no_other_action(self, alert, admin, now):
        alert_dismiss(alert=alert, by=admin.user, now=now)

        with pytest.raises(FeedbackError, match="This alert was dismissed already"):
            alert_pause(alert=alert, by=admin.user, now=now)
        assert CoachingRelationship.objects.get(pk=alert.relationship_id).status == "active"

    def test_pausing_a_relationship_that_is_not_active_is_refused(self, alert, admin, now):
        CoachingRelationship.objects.filter(pk=alert.relationship_id).update(status="paused")

        with pytest.raises(FeedbackError, match="paused already"):
            alert_pause(alert=alert, by=admin.user, now=now)
        assert HealthAlert.objects.get(pk=alert.pk).state == "open"

    @pytest.mark.parametrize(("status", "words"), [("paused", "paused"), ("ended", "ended early")])
    def test_a_pair_paused_or_ended_meanwhile_is_neither_nudged_nor_asked_to_check_in(
        self, alert, admin, now, status, words
    ):
        CoachingRelationship.objects.filter(pk=alert.relationship_id).update(
            status=status, end_reason="other" if status == "ended" else ""
        )

        with pytest.raises(FeedbackError, match=f"The relationship is {words} now: a reminder"):
            alert_nudge(alert=alert, by=admin.user, recipients="both", now=now)
        with pytest.raises(FeedbackError, match="a check-in suggestion goes to the pair only"):
            alert_suggest_check_in(alert=alert, by=admin.user, now=now)

        assert (mails(), HealthAlert.objects.get(pk=alert.pk).state) == ([], "open")
        assert not AuditEvent.objects.filter(action__startswith="feedback.alert_").exists()
        assert alert_dismiss(alert=alert, by=admin.user, now=now).state == "dismissed"

    @pytest.mark.parametrize("who", ["coach", "coachee", "sponsor"])
    def test_only_programme_admins_act(self, request, alert, now, who):
        member = request.getfixturevalue(who)

        with pytest.raises(PermissionDenied):
            alert_dismiss(alert=alert, by=member.user, now=now)

    def test_a_nudge_names_whom(self, alert, admin, now):
        with pytest.raises(FeedbackError, match="Send to: choose the coach, the coachee or both"):
            alert_nudge(alert=alert, by=admin.user, recipients="everyone", now=now)

    def test_mails_to_the_pair_carry_no_signal_or_content(self, alert, admin, now):
        alert_nudge(alert=alert, by=admin.user, recipients="both", now=now)
        HealthAlert.objects.filter(pk=alert.pk).update(state="open")
        alert_suggest_check_in(alert=alert, by=admin.user, now=now)

        for mail in mails():
            for words in (SECRET, "pulse", "Pulse", "at risk", "useful", "signal"):
                assert words not in mail.body


class TestSettings:
    def test_changes_are_saved_and_audited(self, pair, admin):
        saved = feedback_settings_update(
            programme=pair.programme,
            values={"anonymity_threshold": 7, "pulse_schedule": "monthly", "pulse_drop": 1.0},
            by=admin.user,
        )

        assert (saved.anonymity_threshold, saved.pulse_schedule, saved.pulse_drop) == (
            7,
            "monthly",
            1.0,
        )
        assert audit("feedback.settings_update").details == {
            "anonymity_threshold": 7,
            "pulse_schedule": "monthly",
            "pulse_drop": 1.0,
        }

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"anonymity_threshold": 2}, "Anonymity threshold: "),
            ({"anonymity_threshold": 11}, "Anonymity threshold: "),
            ({"pulse_schedule": "weekly"}, "Relationship pulse: "),
            ({"pulse_check_in_below": 5.5}, "Check in when a pulse subscale is below: "),
            (
                {"pulse_at_risk_below": 4.0},
                "At risk when a pulse subscale is below: keep it at or below",
            ),
            ({"programme": 3}, "programme: this setting can't be changed here."),
        ],
    )
    def test_refusals_name_the_field(self, pair, admin, values, message):
        with pytest.raises(FeedbackError) as refused:
            feedback_settings_update(programme=pair.programme, values=values, by=admin.user)

        assert str(refused.value).startswith(message)
        assert not FeedbackSettings.objects.exclude(anonymity_threshold=5).exists()
        assert not AuditEvent.objects.filter(action="feedback.settings_update").exists()

    @pytest.mark.parametrize("threshold", [3, 10])
    def test_the_anonymity_thresholds_edges_are_allowed(self, pair, admin, threshold):
        saved = feedback_settings_update(
            programme=pair.programme, values={"anonymity_threshold": threshold}, by=admin.user
        )

        assert saved.anonymity_threshold == threshold

    def test_only_admins_change_settings(self, pair, sponsor):
        with pytest.raises(PermissionDenied):
            feedback_settings_update(
                programme=pair.programme, values={"anonymity_threshold": 6}, by=sponsor.user
            )


class TestAnAdminInThePair:
    """An admin who coaches (or is coached in) a pair never learns its health: its signals come
    from the other one's answers, below any threshold."""

    @pytest.fixture
    def coach_admin(self, pair):
        RoleGrantFactory(user=pair.coach.user, role=Role.PROGRAMME_ADMIN)
        return pair.coach

    def test_is_not_mailed_the_alert_and_cannot_open_it(self, coach_admin, at_risk, now, admin):
        [raised] = health_refresh(now=now).alerts
        assert [m.recipient_id for m in mails()] == [admin.user.pk]
        url = reverse("feedback:alert", args=[raised.pk])
        assert coach_admin.client.get(url).status_code == 404
        assert admin.client.get(url).status_code == 200

    def test_does_not_see_the_pair_on_the_health_page(self, coach_admin, at_risk, now, admin):
        health_refresh(now=now)
        url = reverse("feedback:programme_health", args=[at_risk.programme.pk])
        own = coach_admin.client.get(url).content.decode()
        other = admin.client.get(url).content.decode()
        name = at_risk.coachee.display_name
        assert (name in own, name in other) == (False, True)


def test_the_health_check_closes_alerts_of_pairs_no_longer_active(alert, admin, now):
    # Paused through the coaching pages, not through the alert.
    relationship = alert.relationship
    CoachingRelationship.objects.filter(pk=relationship.pk).update(status="paused")
    health_refresh(now=now)
    alert.refresh_from_db()
    assert (alert.state, alert.action, alert.handled_by, alert.handled_at) == (
        "dismissed",
        "dismiss",
        None,
        now,
    )
