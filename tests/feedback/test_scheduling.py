"""Which surveys the periodic scan assigns, with time travel through ``now=``."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from cadre.coaching.models import CoachingSession
from cadre.feedback.models import HealthAlert, PulseSchedule, Survey
from cadre.feedback.queries import settings_for
from cadre.feedback.scheduling import pulse_number, surveys_schedule
from cadre.feedback.tasks import feedback_run, feedback_scan
from cadre.people.models import Person
from cadre.programs.models import Programme
from tests.factories import PersonFactory


def held(pair, *, at):
    return CoachingSession.objects.create(
        relationship=pair.relationship,
        starts_at=at,
        duration_minutes=60,
        time_zone="UTC",
        format=CoachingSession.Format.VIDEO,
        status=CoachingSession.Status.HELD,
    )


def keys(purpose):
    return sorted(Survey.objects.filter(purpose=purpose).values_list("dedupe_key", flat=True))


class TestSessionSurveys:
    def test_both_sides_are_asked_once_after_a_held_session(self, pair):
        now = timezone.now()
        session = held(pair, at=now - timedelta(hours=3))

        assert surveys_schedule(now=now).session == 2
        assert surveys_schedule(now=now).session == 0

        surveys = {s.dedupe_key: s for s in Survey.objects.filter(session=session)}
        assert set(surveys) == {f"session:{session.pk}:coachee", f"session:{session.pk}:coach"}
        coachee_survey = surveys[f"session:{session.pk}:coachee"]
        assert coachee_survey.respondent == pair.coachee.person
        assert coachee_survey.template.key == "session-coachee"
        assert surveys[f"session:{session.pk}:coach"].template.key == "session-coach"
        assert coachee_survey.opens_at == session.ends_at

    def test_scheduled_unfinished_and_old_sessions_are_left_alone(self, pair):
        now = timezone.now()
        held(pair, at=now - timedelta(minutes=30))  # still going
        held(pair, at=now - timedelta(days=20))  # long ago
        CoachingSession.objects.create(
            relationship=pair.relationship,
            starts_at=now - timedelta(hours=3),
            time_zone="UTC",
            format=CoachingSession.Format.VIDEO,
        )

        assert surveys_schedule(now=now).session == 0


class TestPulse:
    def test_pulse_numbers(self):
        now = timezone.now()
        every = PulseSchedule.EVERY_4_SESSIONS
        assert [
            pulse_number(schedule=every, held=n, first_opened=None, now=now) for n in range(12)
        ] == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3]
        monthly = PulseSchedule.MONTHLY
        assert pulse_number(schedule=monthly, held=2, first_opened=None, now=now) == 0
        assert pulse_number(schedule=monthly, held=3, first_opened=None, now=now) == 1
        first = now - timedelta(days=29)
        assert pulse_number(schedule=monthly, held=3, first_opened=first, now=now) == 1
        first = now - timedelta(days=61)
        assert pulse_number(schedule=monthly, held=3, first_opened=first, now=now) == 3

    def test_after_the_third_session_then_every_four(self, pair):
        start = timezone.now() - timedelta(days=200)
        for n in range(3):
            held(pair, at=start + timedelta(days=14 * n))
        before_third = start + timedelta(days=14)
        assert surveys_schedule(now=before_third + timedelta(hours=2)).pulse == 0

        third = start + timedelta(days=28, hours=2)
        assert surveys_schedule(now=third).pulse == 2
        assert surveys_schedule(now=third + timedelta(days=1)).pulse == 0
        rel = pair.relationship.pk
        assert keys("pulse") == [f"pulse:{rel}:1:coach", f"pulse:{rel}:1:coachee"]

        for n in range(3, 7):
            held(pair, at=start + timedelta(days=14 * n))
        assert surveys_schedule(now=start + timedelta(days=14 * 5 + 1)).pulse == 0
        assert surveys_schedule(now=start + timedelta(days=14 * 6 + 1)).pulse == 2
        assert keys("pulse")[-2:] == [f"pulse:{rel}:2:coach", f"pulse:{rel}:2:coachee"]

    def test_monthly_after_the_first(self, pair):
        settings = settings_for(pair.programme)
        settings.pulse_schedule = PulseSchedule.MONTHLY
        settings.save()
        start = timezone.now() - timedelta(days=200)
        for n in range(3):
            held(pair, at=start + timedelta(days=7 * n))
        first = start + timedelta(days=15)

        assert surveys_schedule(now=first).pulse == 2
        assert surveys_schedule(now=first + timedelta(days=29)).pulse == 0
        assert surveys_schedule(now=first + timedelta(days=30)).pulse == 2
        assert len(keys("pulse")) == 4

    def test_only_active_relationships_get_pulses(self, pair):
        start = timezone.now() - timedelta(days=60)
        for n in range(3):
            held(pair, at=start + timedelta(days=7 * n))
        pair.relationship.status = "paused"
        pair.relationship.save()

        assert surveys_schedule(now=timezone.now()).pulse == 0


class TestProgrammeSurveys:
    def test_reaction_at_the_midpoint_then_reaction_and_learning_at_the_end(self, pair):
        programme = pair.programme
        middle = programme.starts_on + (programme.ends_on - programme.starts_on) / 2
        at = lambda day: timezone.make_aware(  # noqa: E731
            timezone.datetime.combine(day, timezone.datetime.min.time()).replace(hour=12)
        )

        assert surveys_schedule(now=at(middle - timedelta(days=1))).programme == 0
        assert surveys_schedule(now=at(middle)).programme == 2
        assert surveys_schedule(now=at(middle + timedelta(days=3))).programme == 0
        assert surveys_schedule(now=at(programme.ends_on)).programme == 3

        assert keys("reaction_mid") == sorted(
            f"reaction_mid:{programme.pk}:{p.pk}" for p in (pair.coach.person, pair.coachee.person)
        )
        assert keys("learning_end") == [f"learning_end:{programme.pk}:{pair.coachee.person.pk}"]

    def test_behaviour_goes_to_the_manager_three_months_after_the_end(self, pair):
        manager = PersonFactory(full_name="Mia Manager")
        Person.objects.filter(pk=pair.coachee.person.pk).update(manager=manager)
        programme = pair.programme
        ends = timezone.make_aware(
            timezone.datetime.combine(programme.ends_on, timezone.datetime.min.time())
        ) + timedelta(hours=12)

        assert surveys_schedule(now=ends + timedelta(days=90)).behaviour == 0
        assert surveys_schedule(now=ends + timedelta(days=91)).behaviour == 1
        assert surveys_schedule(now=ends + timedelta(days=95)).behaviour == 0

        survey = Survey.objects.get(purpose="behaviour_3m")
        assert (survey.respondent, survey.about_person) == (manager, pair.coachee.person)

    def test_draft_programmes_ask_nothing(self, pair):
        Programme.objects.filter(pk=pair.programme.pk).update(status=Programme.Status.DRAFT)
        programme = pair.programme
        middle = programme.starts_on + (programme.ends_on - programme.starts_on) / 2
        now = timezone.make_aware(timezone.datetime.combine(middle, timezone.datetime.min.time()))

        assert surveys_schedule(now=now + timedelta(hours=12)).programme == 0


class TestRun:
    def test_the_task_and_the_command_assign_close_and_remind(self, pair, capsys):
        now = timezone.now()
        held(pair, at=now - timedelta(hours=3))

        assert feedback_run.enqueue().return_value == {
            "assigned": 2,
            "closed": 0,
            "reminded": 0,
            "health_checked": 1,
            "alerts": 0,
        }
        later = now + timedelta(days=8)
        # Both surveys closed unanswered: the pair needs a check-in, which raises an alert.
        run = feedback_scan(now=later)
        assert (run.closed, run.alerts) == (2, 1)
        assert HealthAlert.objects.get().signals == ["surveys_unanswered"]

        call_command("send_feedback_reminders", "--now", later.isoformat())
        assert capsys.readouterr().out == (
            "0 surveys assigned, 0 closed, 0 reminders queued; "
            "1 active relationships checked, 0 health alerts raised.\n"
        )
