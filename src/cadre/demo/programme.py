"""The demo programme: "Leaders coaching leaders 2026", enrolling now, sponsored by the demo
sponsor, with three objectives and the default roles and responsibilities.

Its dates are set around the day the demo is made, so enrolment is always open in the demo.
It is made through the programme services, as an admin would, so its history shows the demo
admin opening enrolment.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.demo.logins import LOGIN_EMAILS
from cadre.people.models import Person
from cadre.programs.models import Programme, ProgrammeObjective
from cadre.programs.services import programme_create, programme_transition

PROGRAMME_NAME = "Leaders coaching leaders 2026"


def demo_objectives(*, ends: date, certified_by: date) -> list[ProgrammeObjective]:
    """The demo programmes' three objectives: sessions, 360 growth and certified coaches."""
    metric = ProgrammeObjective.Metric
    return [
        ProgrammeObjective(
            description="80 % of coachees hold at least 6 sessions",
            metric=metric.SESSIONS_PER_COACHEE,
            target=Decimal(80),
            unit="%",
            due_on=ends,
            position=1,
        ),
        ProgrammeObjective(
            description="Average competency growth of +0.5 on the 360",
            metric=metric.COMPETENCY_GROWTH_360,
            target=Decimal("0.5"),
            unit="points",
            due_on=ends,
            position=2,
        ),
        ProgrammeObjective(
            description="90 % of coaches certified before matching",
            metric=metric.COACHES_CERTIFIED,
            target=Decimal(90),
            unit="%",
            due_on=certified_by,
            position=3,
        ),
    ]


def programme_generate() -> Programme:
    """Make the demo programme and open its enrolment. Needs the demo logins."""
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    sponsor = Person.objects.get(user__email=LOGIN_EMAILS[Role.SPONSOR])
    today = timezone.localdate()
    starts = today - timedelta(days=7)
    ends = starts + timedelta(days=365)
    objectives = demo_objectives(ends=ends, certified_by=today + timedelta(days=35))
    programme = programme_create(
        values={
            "name": PROGRAMME_NAME,
            "description": (
                "Senior leaders coach managers from other parts of the company, one-on-one "
                "and in small circles, for nine months."
            ),
            "sponsor": sponsor,
            "offers_one_on_one": True,
            "offers_group_circles": True,
            "offers_development_track": True,
            "starts_on": starts,
            "ends_on": ends,
            "relationship_months": 9,
            "session_cadence_days": 14,
            "minimum_sessions": 6,
            "enrolment_opens_on": starts,
            "enrolment_closes_on": today + timedelta(days=28),
            "min_level": 5,
            "max_level": 8,
            "min_tenure_months": 6,
            "default_coach_capacity": 2,
            "cross_department": Programme.CrossDepartment.REQUIRED,
            "min_level_gap": 2,
            "time_zone_window_hours": 4,
        },
        objectives=objectives,
        created_by=admin,
    )
    programme_transition(
        programme=programme,
        to_status=Programme.Status.ENROLLING,
        by=admin,
        note="Announced at the leadership offsite.",
    )
    return programme


def programme_reset() -> None:
    """Delete every programme (with its objectives, responsibilities and history)."""
    Programme.objects.all().delete()
