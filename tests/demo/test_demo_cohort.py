"""``cadre demo``'s cohort step: a running programme with coaches in every certification state."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.demo.cohort import COHORT_NAME
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.programme import PROGRAMME_NAME
from cadre.enablement.queries import coach_statuses, coaches, programme_coaches
from cadre.programs.models import CoacheeProfile, CoachProfile, Enrolment, Programme
from cadre.programs.queries import eligibility_refusals

# Every test starts from this demo, generated once for the module (tests/demo/conftest.py);
# the cohort of a smaller organisation is in test_demo.py.
DEMO_ARGS = ("--people", "300")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_demo")]


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *DEMO_ARGS, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def cohort() -> Programme:
    return Programme.objects.get(name=COHORT_NAME)


def cohort_enrolments() -> list[tuple[str, str, str, str]]:
    return sorted(
        cohort().enrolments.values_list("person__employee_id", "role", "status", "route").order_by()
    )


def test_the_cohort_is_running_moved_there_by_the_demo_admin():
    programme = cohort()
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    today = timezone.localdate()
    assert programme.status == Programme.Status.RUNNING
    assert Programme.objects.get(name=PROGRAMME_NAME).status == Programme.Status.ENROLLING
    assert Programme.objects.count() == 3  # the enrolling one, this cohort, the choice pilot
    assert (programme.offers_one_on_one, programme.offers_group_circles) == (True, True)
    assert not programme.offers_development_track
    assert (programme.starts_on, programme.enrolment_opens_on, programme.enrolment_closes_on) == (
        today - timedelta(days=60),
        today - timedelta(days=45),
        today,
    )
    assert programme.ends_on == today + timedelta(days=365)
    assert programme.relationship_months == 9
    assert [o.target_display for o in programme.objectives.all()] == [
        "≥ 80 %",
        "≥ 0.5 points",
        "≥ 90 %",
    ]
    assert sorted(r.role for r in programme.responsibilities.all()) == sorted(Role.values)
    moves = list(programme.transitions.order_by("at", "pk"))
    assert [(m.from_status, m.to_status, m.by) for m in moves] == [
        ("draft", "enrolling", admin),
        ("enrolling", "matching", admin),
        ("matching", "running", admin),
    ]
    assert all(m.note for m in moves)


def test_the_cohort_has_the_twelve_demo_coaches_in_every_certification_state():
    programme = cohort()
    in_cohort = list(programme_coaches(programme))
    assert len(in_cohort) == 12
    assert {person.pk for person in in_cohort} == set(coaches().values_list("pk", flat=True))
    statuses = coach_statuses(in_cohort, on=timezone.localdate())
    assert Counter(status.state for status in statuses) == {
        "certified": 5,
        "expired": 2,
        "in_progress": 3,
        "not_started": 2,
    }
    assert Counter(programme.enrolments.filter(role="coach").values_list("status", "route")) == {
        ("approved", "self"): 12
    }
    assert CoachProfile.objects.filter(enrolment__programme=programme).count() == 12


def test_the_cohort_has_twenty_eligible_coachees_from_outside_the_enrolling_programme():
    programme = cohort()
    coachees = programme.enrolments.filter(role="coachee")
    assert Counter(coachees.values_list("status", "route")) == {("approved", "admin"): 21}
    assert not coachees.filter(consent_at__isnull=True).exists()
    profiles = CoacheeProfile.objects.filter(enrolment__programme=programme).select_related(
        "enrolment__person__user"
    )
    assert len(profiles) == 21
    for profile in profiles:
        assert profile.goals
        assert 3 <= len(profile.growth_competencies.all()) <= 4
        assert eligibility_refusals(programme, profile.enrolment.person) == []
    # The twenty picked from the organisation have no login and are in no other programme;
    # the twenty-first is the demo coachee login, who is applying to the next programme too.
    with_login = [p.enrolment.person.user.email for p in profiles if p.enrolment.person.user]
    assert with_login == [LOGIN_EMAILS[Role.COACHEE]]
    assert list(
        Enrolment.objects.filter(
            programme__name=PROGRAMME_NAME, person__in=coachees.values("person")
        ).values_list("person__user__email", flat=True)
    ) == [LOGIN_EMAILS[Role.COACHEE]]


def test_running_twice_keeps_one_cohort_and_reset_makes_the_same_one_again():
    first = cohort_enrolments()

    output = demo()

    assert "The demo data is already there" in output
    assert Programme.objects.filter(name=COHORT_NAME).count() == 1
    assert cohort_enrolments() == first
    assert len(first) == 12 + 20 + 1

    demo("--reset")

    assert cohort().status == Programme.Status.RUNNING
    assert cohort().transitions.count() == 3
    assert cohort_enrolments() == first
