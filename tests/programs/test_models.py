from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError

from cadre.programs.models import Programme, ProgrammeObjective, ProgrammeResponsibility
from tests.programs.conftest import settings_for, today

pytestmark = pytest.mark.django_db


def build(**changes: object) -> Programme:
    return Programme(**settings_for(**changes))


def test_a_valid_programme_saves_as_a_draft():
    programme = build()
    programme.save()

    assert programme.status == Programme.Status.DRAFT
    assert programme.formats == ["One-on-one coaching"]


def test_names_are_unique_whatever_the_case():
    build(name="Leaders 2027").save()

    with pytest.raises(IntegrityError):
        build(name="LEADERS 2027").save()


@pytest.mark.parametrize(
    "changes",
    [
        {"offers_one_on_one": False},
        {"ends_on": today() - timedelta(days=30)},
        {"enrolment_closes_on": None},
        {"enrolment_closes_on": today() - timedelta(days=30)},
        {"enrolment_opens_on": today() - timedelta(days=31)},
        {"enrolment_closes_on": today() + timedelta(days=400)},
        {"min_level": 8, "max_level": 7},
        {"default_coach_capacity": 6},
        {"default_coach_capacity": 0},
        {"time_zone_window_hours": 13},
        {"relationship_months": 0},
        {"session_cadence_days": 0},
        {"cross_department": "sometimes"},
        {"status": "paused"},
    ],
    ids=lambda changes: ",".join(f"{k}={v}" for k, v in changes.items()),
)
def test_the_database_refuses_invalid_programmes(changes):
    with pytest.raises(IntegrityError):
        build(**changes).save()


def test_objective_target_reads_as_people_write_it():
    at_least = ProgrammeObjective(target=Decimal("80.00"), unit="%")
    at_most = ProgrammeObjective(
        target=Decimal("0.50"), unit="points", comparison=ProgrammeObjective.Comparison.AT_MOST
    )

    assert at_least.target_display == "≥ 80 %"
    assert at_most.target_display == "≤ 0.5 points"
    assert ProgrammeObjective().target_display == ""


def test_one_responsibility_text_per_role_and_programme():
    programme = build()
    programme.save()
    ProgrammeResponsibility.objects.create(programme=programme, role="coach", text="Listen.")

    with pytest.raises(IntegrityError):
        ProgrammeResponsibility.objects.create(programme=programme, role="coach", text="Ask.")


def test_responsibility_items_are_the_lines_without_markers():
    responsibility = ProgrammeResponsibility(text="- Listen first.\n\n• Ask more than you tell.\n")

    assert responsibility.items == ["Listen first.", "Ask more than you tell."]
