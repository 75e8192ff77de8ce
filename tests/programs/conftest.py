"""Programmes for the tests: a bare one, and one ready to open enrolment."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.programs.models import Programme, ProgrammeObjective
from cadre.programs.services import programme_create


def today() -> date:
    return timezone.localdate()


def settings_for(name: str = "Leaders 2027", **changes: object) -> dict[str, object]:
    """Valid settings: started a month ago, a year long, enrolment open for two more weeks."""
    start = today() - timedelta(days=30)
    values: dict[str, object] = {
        "name": name,
        "description": "Senior leaders coach emerging leaders.",
        "offers_one_on_one": True,
        "offers_group_circles": False,
        "offers_development_track": False,
        "starts_on": start,
        "ends_on": start + timedelta(days=365),
        "relationship_months": 6,
        "session_cadence_days": 14,
        "minimum_sessions": 6,
        "enrolment_opens_on": start,
        "enrolment_closes_on": today() + timedelta(days=14),
        "min_level": 4,
        "max_level": 7,
        "min_tenure_months": 6,
        "default_coach_capacity": 2,
        "cross_department": Programme.CrossDepartment.PREFERRED,
        "min_level_gap": 1,
        "time_zone_window_hours": 4,
    }
    values.update(changes)
    return values


def objective(**changes: object) -> ProgrammeObjective:
    fields: dict[str, object] = {
        "description": "80 % of coachees hold at least 6 sessions",
        "metric": ProgrammeObjective.Metric.SESSIONS_PER_COACHEE,
        "target": Decimal("80"),
        "unit": "%",
        "due_on": today() + timedelta(days=300),
    }
    fields.update(changes)
    return ProgrammeObjective(**fields)


@pytest.fixture
def make_programme(admin):
    """Create a programme through the service, as an admin would, in draft."""

    def make(name: str = "Leaders 2027", *, by: User | None = None, objectives=None, **changes):
        return programme_create(
            values=settings_for(name, **changes),
            objectives=[objective()] if objectives is None else objectives,
            created_by=by or admin.user,
        )

    return make


def put_in(programme: Programme, status: str) -> Programme:
    """Set the status directly, for tests about what a status allows (not how it is reached)."""
    Programme.objects.filter(pk=programme.pk).update(status=status)
    programme.refresh_from_db()
    return programme
