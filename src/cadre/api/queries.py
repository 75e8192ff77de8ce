"""Small reads the API needs that the owning apps don't offer as such."""

from datetime import date

from django.db.models import QuerySet

from cadre.accounts.models import Role
from cadre.enablement.queries import CoachStatus, coach_statuses, coaches
from cadre.people.models import Department, Person


def sponsor_candidates() -> QuerySet[Person]:
    """People who may be named a programme's sponsor: active, with an active sponsor login."""
    return Person.objects.filter(
        is_active=True, user__is_active=True, user__role_grants__role=Role.SPONSOR
    ).distinct()


def departments_by_id(ids: list[int]) -> dict[int, Department]:
    return Department.objects.in_bulk(ids)


def coach_statuses_in(*, state: str | None, on: date) -> list[CoachStatus]:
    """Every coach's certification status on ``on``, only those in ``state`` when given."""
    statuses = coach_statuses(coaches(), on=on)
    return [status for status in statuses if state is None or status.state == state]
