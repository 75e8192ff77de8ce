"""``cadre demo``'s enablement step: a dozen coaches in every certification state."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cadre.accounts.models import Role, RoleGrant
from cadre.demo.enablement import COACHES
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.programme import PROGRAMME_NAME
from cadre.enablement.models import CertificationRule, ModuleAttempt
from cadre.enablement.queries import coach_matchable, coach_statuses, coaches
from cadre.programs.models import Programme

# Every test starts from this demo, generated once for the module (tests/demo/conftest.py).
DEMO_ARGS = ("--people", "60")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_demo")]


def demo(*args: str) -> None:
    call_command("demo", *DEMO_ARGS, *args, stdout=StringIO(), stderr=StringIO())


def test_the_demo_coaches_are_in_every_certification_state():
    today = timezone.localdate()
    statuses = coach_statuses(coaches(), on=today)
    assert len(statuses) == COACHES == RoleGrant.objects.filter(role=Role.COACH).count()
    assert Counter(status.state for status in statuses) == {
        "certified": 5,
        "expired": 2,
        "in_progress": 3,
        "not_started": 2,
    }
    demo_coach = next(s for s in statuses if s.person.user.email == LOGIN_EMAILS[Role.COACH])
    assert demo_coach.state == "certified"
    assert sum(coach_matchable(person=s.person, on=today) for s in statuses) == 5
    assert CertificationRule.objects.get().programme == Programme.objects.get(name=PROGRAMME_NAME)
    assert min(s.person.level for s in statuses) >= 8


def test_reset_makes_the_coaches_again():
    demo("--reset")

    assert RoleGrant.objects.filter(role=Role.COACH).count() == COACHES
    assert ModuleAttempt.objects.filter(passed=True).count() == (5 + 2 + 1) * 5 + 2 + 3
