"""``cadre demo``'s programme step: one programme, enrolling, sponsored by the demo sponsor."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.demo.logins import DEMO_PASSWORD, LOGIN_EMAILS
from cadre.demo.programme import PROGRAMME_NAME
from cadre.programs.models import Programme, ProgrammeTransition

# Every test starts from this demo, generated once for the module (tests/demo/conftest.py).
DEMO_ARGS = ("--people", "60")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_demo")]


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *DEMO_ARGS, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_demo_has_one_enrolling_programme_sponsored_by_the_demo_sponsor(shared_demo):
    output = shared_demo

    programme = Programme.objects.get(name=PROGRAMME_NAME)
    sponsor = User.objects.get(email=LOGIN_EMAILS[Role.SPONSOR])
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    assert (programme.name, programme.status) == (PROGRAMME_NAME, Programme.Status.ENROLLING)
    assert programme.sponsor == sponsor.person  # type: ignore[attr-defined]
    assert programme.enrolment_opens_on is not None
    assert programme.enrolment_closes_on is not None
    assert programme.enrolment_opens_on <= timezone.localdate() <= programme.enrolment_closes_on
    assert [o.target_display for o in programme.objectives.all()] == [
        "≥ 80 %",
        "≥ 0.5 points",
        "≥ 90 %",
    ]
    assert sorted(r.role for r in programme.responsibilities.all()) == sorted(Role.values)
    transition = ProgrammeTransition.objects.get(programme=programme)
    assert (transition.from_status, transition.to_status, transition.by) == (
        "draft",
        "enrolling",
        admin,
    )
    assert f"Programme: {PROGRAMME_NAME} (enrolling)" in output


def test_reset_makes_the_programme_again():
    demo("--reset")

    assert Programme.objects.get(name=PROGRAMME_NAME).status == Programme.Status.ENROLLING


def test_the_demo_sponsor_opens_the_programme_page():
    client = Client()
    client.post(
        reverse("login"), {"username": LOGIN_EMAILS[Role.SPONSOR], "password": DEMO_PASSWORD}
    )
    programme = Programme.objects.get(name=PROGRAMME_NAME)

    response = client.get(reverse("programs:programme", args=[programme.pk]))

    assert response.status_code == 200
    assert PROGRAMME_NAME in response.content.decode()
