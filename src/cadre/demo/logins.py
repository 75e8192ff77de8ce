"""Demo logins: one per role, each the login of a fitting person in the demo organisation.

- programme admin: the most senior person in Learning & Development (else in People &
  Culture); also a Django superuser, so the Django admin site works too;
- sponsor: the Chief Operating Officer (else another executive);
- coach: a senior leader who leads a team (senior director, director, then department head);
- coachee: a mid-level leader (manager or senior manager, preferably with a team) in another
  division than the coach's, so the two are never in one reporting line.

Every demo login has the password ``DEMO_PASSWORD``, printed by ``cadre demo``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from cadre.accounts.models import Role, User
from cadre.accounts.services import role_grant
from cadre.demo.organisation import EMAIL_DOMAIN, EXECUTIVE_LEVEL, TEAM_LEAD_LEVEL
from cadre.people.models import Department, Person

DEMO_PASSWORD = "cadre-demo-2026"  # noqa: S105 (a published demo password, by design)

LOGIN_EMAILS: dict[Role, str] = {
    Role.PROGRAMME_ADMIN: f"admin@{EMAIL_DOMAIN}",
    Role.COACH: f"coach@{EMAIL_DOMAIN}",
    Role.COACHEE: f"coachee@{EMAIL_DOMAIN}",
    Role.SPONSOR: f"sponsor@{EMAIL_DOMAIN}",
}

_ADMIN_DEPARTMENT = "LD"
_ADMIN_DIVISION = "PEOPLE"
_SPONSOR_DIVISION = "OPS"
# Grades to look for, most fitting first.
_COACH_LEVELS = (9, 8, 10, EXECUTIVE_LEVEL)
_COACHEE_LEVELS = (6, 7, TEAM_LEAD_LEVEL, 8)


class DemoLoginError(Exception):
    """The organisation has nobody who fits a demo role; the message says which."""


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    person: str  # who the login belongs to: name, job title and department


@dataclass(frozen=True)
class _Candidate:
    pk: int
    level: int
    department: str
    division: str
    reports: int


def demo_logins_exist() -> bool:
    """Whether the demo logins were made (the programme admin's login is the marker)."""
    return User.objects.filter(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN]).exists()


def demo_logins_create() -> list[DemoLogin]:
    """Make a login for each role, linked to a fitting active person, with its role granted."""
    chosen = _people_for_roles()
    people = Person.objects.in_bulk(list(chosen.values()))
    with transaction.atomic():
        for role, pk in chosen.items():
            person = people[pk]
            is_admin = role == Role.PROGRAMME_ADMIN
            user = User.objects.create_user(
                email=LOGIN_EMAILS[role],
                password=DEMO_PASSWORD,
                display_name=person.display_name,
                is_staff=is_admin,
                is_superuser=is_admin,
            )
            person.user = user
            person.save(update_fields=["user"])
            role_grant(user=user, role=role, granted_by=None)
    return demo_logins()


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist, in the order of the roles."""
    people = Person.objects.filter(user__email__in=LOGIN_EMAILS.values()).select_related(
        "department", "user"
    )
    by_email = {person.user.email: person for person in people if person.user is not None}
    logins = []
    for role, email in LOGIN_EMAILS.items():
        person = by_email.get(email)
        if person is None:
            continue
        department = person.department.name if person.department else "no department"
        logins.append(
            DemoLogin(
                role=role,
                email=email,
                person=f"{person.display_name}, {person.job_title} ({department})",
            )
        )
    return logins


def demo_logins_reset() -> None:
    """Delete every login on the demo's e-mail domain, with its roles."""
    User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").delete()


def _people_for_roles() -> dict[Role, int]:
    """The person (by id) each demo login belongs to."""
    candidates = _candidates()
    admin = _admin(candidates)
    sponsor = _first(
        [c for c in candidates if c.level == EXECUTIVE_LEVEL and c.pk != admin.pk],
        prefer=lambda c: c.division == _SPONSOR_DIVISION,
        role=Role.SPONSOR,
    )
    taken = {admin.pk, sponsor.pk}
    # Leaders of a team first; in a very small organisation, anyone of a senior grade.
    coaches = [
        c
        for leads_a_team in (True, False)
        for level in _COACH_LEVELS
        for c in candidates
        if c.level == level and (c.reports > 0) == leads_a_team and c.pk not in taken
    ]
    for coach in coaches:
        coachee = _coachee(candidates, coach, taken)
        if coachee is not None:
            return {
                Role.PROGRAMME_ADMIN: admin.pk,
                Role.COACH: coach.pk,
                Role.COACHEE: coachee.pk,
                Role.SPONSOR: sponsor.pk,
            }
    raise DemoLoginError("No senior leader has a more junior colleague in another division.")


def _candidates() -> list[_Candidate]:
    """Every active person with a grade, in employee id order (most senior first)."""
    division_of: dict[int, str] = {}
    code_of: dict[int, str] = {}
    parents: dict[int, int | None] = {}
    for pk, code, parent in Department.objects.values_list("pk", "code", "parent_id"):
        code_of[pk] = code
        parents[pk] = parent
    for pk in code_of:
        top = pk
        above = parents[top]
        while above is not None:
            top = above
            above = parents[top]
        division_of[pk] = code_of[top]
    rows = (
        Person.objects.filter(is_active=True, level__isnull=False, department__isnull=False)
        .annotate(reports=Count("direct_reports", filter=Q(direct_reports__is_active=True)))
        .order_by("employee_id")
        .values_list("pk", "level", "department_id", "reports")
    )
    return [
        _Candidate(
            pk=pk,
            level=level,
            department=code_of[department],
            division=division_of[department],
            reports=reports,
        )
        for pk, level, department, reports in rows
        if level is not None and department is not None
    ]


def _admin(candidates: list[_Candidate]) -> _Candidate:
    in_culture = [c for c in candidates if c.division == _ADMIN_DIVISION]
    return _first(
        sorted(in_culture, key=lambda c: -c.level),
        prefer=lambda c: c.department == _ADMIN_DEPARTMENT,
        role=Role.PROGRAMME_ADMIN,
    )


def _coachee(candidates: list[_Candidate], coach: _Candidate, taken: set[int]) -> _Candidate | None:
    eligible = [
        c
        for c in candidates
        if c.level < coach.level and c.division != coach.division and c.pk not in taken
    ]
    for level in _COACHEE_LEVELS:
        for candidate in eligible:
            if candidate.level == level and candidate.reports > 0:
                return candidate
    return max(eligible, key=lambda c: c.level, default=None)


def _first(
    candidates: list[_Candidate], *, prefer: Callable[[_Candidate], bool], role: Role
) -> _Candidate:
    """The first preferred candidate, else the first candidate."""
    for candidate in candidates:
        if prefer(candidate):
            return candidate
    if not candidates:
        raise DemoLoginError(f"Nobody in the organisation fits the {role.label} demo login.")
    return candidates[0]
