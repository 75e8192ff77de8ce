"""The demo programme's enrolments, written through the enrolment services.

- the dozen demo coaches apply as coaches (with consent), are approved by the demo admin, and
  fill in their coach profiles: strengths on every competency, capacity 1 to 5, weekly windows
  in their own working hours (windows are in each person's time zone), their languages, a
  short bio and preferences;
- ``COACHEES`` mid-level leaders (within the programme's levels and tenure, taken round the
  departments so every department with eligible people is represented, never a coach) are
  approved coachees with profiles: goals in their own words, three or four competencies to
  grow, preferences and availability. The demo coachee login applies themselves and is
  approved; the others, who have no login, are bulk-enrolled by the demo admin;
- ``PENDING`` manager nominations wait for a decision and ``WAITLISTED`` more are waitlisted.
  Their managers have no login, so the demo admin enters the nominations for them.

Profiles of people without a login are written by the demo admin, consent included (in real
life they give it when they first log in). A small organisation gives fewer coachees, and in a
very small one the demo coachee login may be too senior to enrol. The same seed gives the
same enrolments.
"""

import random
from datetime import time

from django.db.models import Count

from cadre.accounts.models import Role, User
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.organisation import EMAIL_DOMAIN
from cadre.people.models import Competency, Person
from cadre.programs.models import Enrolment, Programme
from cadre.programs.queries import eligibility_refusals
from cadre.programs.services import (
    Window,
    coach_profile_save,
    coachee_profile_save,
    enrolment_apply,
    enrolment_bulk,
    enrolment_nominate,
    enrolments_decide,
)

COACHEES = 30
PENDING = 4
WAITLISTED = 3

# Goals, as coachees write them: each is one person's own words.
GOALS = (
    "I moved from leading engineers to leading managers six months ago and I still solve "
    "their problems for them. I want to learn to coach my managers instead of rescuing them.",
    "My team is spread over three time zones and our one-to-ones have become status updates. "
    "I want conversations that actually develop people.",
    "I avoid difficult conversations until they become urgent. I'd like to give honest "
    "feedback early, without losing the warmth my team values.",
    "I've been told I'm a strong operator but not yet strategic. I want to practise stepping "
    "back from the weekly numbers and setting a direction people can follow.",
    "We merged two teams this year and there is still an 'us and them'. I want to build one "
    "team with a shared purpose.",
    "I find it hard to say no to senior stakeholders, and my team pays the price. Help me "
    "negotiate priorities with confidence.",
    "I am the only woman on my leadership team and I often hold back in meetings. I want to "
    "speak up with more presence and influence decisions earlier.",
    "I want to prepare for a director role in the next two years: understand what changes, "
    "and where my gaps are.",
    "Delegation. I keep the interesting work for myself and my senior people are getting bored.",
    "After a difficult restructuring, trust in my team is low. I'd like to rebuild it and "
    "handle the next change better.",
    "I get impatient when things move slowly and it shows. I want to stay calm under "
    "pressure and notice how my mood affects the room.",
    "I lead a team of specialists who know more than I do. I want to lead them without being "
    "the expert, and help them grow their careers.",
    "I'd like to become better at coaching conversations myself: asking instead of telling, "
    "and listening properly.",
    "Cross-functional work is where my projects stall. I want to build relationships with "
    "peers in other departments before I need them.",
    "I'm new to the company and to managing managers. I want a sounding board from outside "
    "my reporting line while I find my feet.",
    "Work-life balance: I answer messages at midnight and my team thinks they should too. I "
    "want to set a healthier example.",
    "I want to get better at making decisions with incomplete information instead of asking "
    "for one more analysis.",
    "My team's engagement scores dropped this year. I want to understand why and what I can "
    "change in how I lead.",
    "I'd like to present to the executive team with more clarity: shorter, clearer, with a "
    "recommendation.",
    "Building an inclusive team: we hire well but people from different backgrounds leave "
    "sooner. I want to find out what I can do about it.",
)
COACHEE_PREFERENCES_OTHER_FUNCTION = 0.6

BIOS = (
    "{years} years in {department}, the last {lead} leading leaders. I enjoy helping people "
    "find their own answers, especially in their first years of managing managers.",
    "I started as an individual contributor in {department} and have led teams on three "
    "continents. Ask me about leading remotely and across cultures.",
    "I have led {department} through two reorganisations and a merger. I coach with the GROW "
    "model and a lot of questions.",
    "Leader in {department} for {lead} years. Mentored many first-time managers; now I want "
    "to coach more senior ones. Direct, curious, and confidential.",
)
COACH_PREFERENCES = (
    "Happy to coach people from any function.",
    "I'd rather not coach anyone in my own division.",
    "Prefer coachees who are new to managing managers.",
    "",
)

# Weekly windows in local working hours: (weekday, from, until); 0 is Monday.
WINDOW_CHOICES = (
    (0, time(8, 0), time(9, 30)),
    (1, time(12, 0), time(13, 0)),
    (1, time(16, 0), time(17, 30)),
    (2, time(9, 0), time(11, 0)),
    (3, time(14, 0), time(15, 30)),
    (3, time(8, 30), time(9, 30)),
    (4, time(10, 0), time(12, 0)),
)


def enrolment_generate(*, programme: Programme | None, seed: int) -> list[Enrolment]:
    """Enrol the demo coaches and coachees in ``programme``; nothing without a programme."""
    if programme is None:
        return []
    rng = random.Random(f"{seed}:enrolment")
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    competencies = list(Competency.objects.filter(is_active=True).order_by("position", "name"))
    coaches = demo_coaches()
    coach_enrolments = demo_coaches_enrol(programme, coaches, admin, competencies, rng)

    candidates = _coachee_candidates(programme, {person.pk for person in coaches})
    approved = candidates[:COACHEES]
    pending = candidates[COACHEES : COACHEES + PENDING]
    waitlisted = candidates[COACHEES + PENDING : COACHEES + PENDING + WAITLISTED]
    applications = []
    bulk = []
    for person in approved:
        if person.user is None:
            bulk.append(person)
        else:  # the demo coachee login applies themselves and is approved
            applications.append(
                enrolment_apply(
                    programme=programme,
                    person=person,
                    role=Enrolment.Role.COACHEE,
                    answers={},
                    consent=True,
                    by=person.user,
                )
            )
    nominations = [
        enrolment_nominate(
            programme=programme,
            person=person,
            nominated_by=person.manager,
            by=admin,
        )
        for person in [*pending, *waitlisted]
        if person.manager is not None
    ]
    for enrolments, decision in (
        (applications, Enrolment.Status.APPROVED),
        (nominations[len(pending) :], Enrolment.Status.WAITLISTED),
    ):
        if enrolments:
            enrolments_decide(
                programme=programme,
                enrolment_ids=[enrolment.pk for enrolment in enrolments],
                decision=decision,
                by=admin,
            )
    bulk_enrolments = (
        enrolment_bulk(
            programme=programme,
            employee_ids=[person.employee_id for person in bulk],
            role=Enrolment.Role.COACHEE,
            by=admin,
        )
        if bulk
        else []
    )
    coachee_enrolments = sorted(
        [*applications, *bulk_enrolments, *nominations], key=lambda enrolment: enrolment.pk
    )
    goals = rng.sample(GOALS, len(GOALS))
    for index, enrolment in enumerate(coachee_enrolments):
        coachee_profile_fill(
            enrolment, admin, goals[index % len(goals)], competencies, coaches, rng
        )
    return [*coach_enrolments, *coachee_enrolments]


def demo_coaches_enrol(
    programme: Programme,
    coaches: list[Person],
    admin: User,
    competencies: list[Competency],
    rng: random.Random,
) -> list[Enrolment]:
    """The demo coaches apply to ``programme`` as coaches, the demo admin approves them all,
    and each fills in a coach profile (drawing from ``rng`` in the coaches' order)."""
    enrolments = [
        enrolment_apply(
            programme=programme,
            person=person,
            role=Enrolment.Role.COACH,
            answers={},
            consent=True,
            by=coach_login(person),
        )
        for person in coaches
    ]
    enrolments_decide(
        programme=programme,
        enrolment_ids=[enrolment.pk for enrolment in enrolments],
        decision=Enrolment.Status.APPROVED,
        by=admin,
    )
    for enrolment in enrolments:
        coach_profile_fill(enrolment, competencies, rng)
    return enrolments


def enrolment_reset() -> None:
    """Delete every enrolment (with its profiles and availability)."""
    Enrolment.objects.all().delete()


def demo_coaches() -> list[Person]:
    """The demo coaches: active people on the demo's domain whose login holds the coach role."""
    return list(
        Person.objects.filter(
            is_active=True,
            user__email__iendswith=f"@{EMAIL_DOMAIN}",
            user__role_grants__role=Role.COACH,
        )
        .select_related("department", "user")
        .order_by("-level", "employee_id")
    )


def _coachee_candidates(programme: Programme, coach_ids: set[int]) -> list[Person]:
    """Eligible mid-level leaders, the demo coachee login first, then round the departments
    (people who lead a team first in each) so every department is represented."""
    demo_coachee = Person.objects.select_related("user", "manager").get(
        user__email=LOGIN_EMAILS[Role.COACHEE]
    )
    taken = coach_ids | set(
        Person.objects.filter(user__email__in=LOGIN_EMAILS.values()).values_list("pk", flat=True)
    )
    people = (
        Person.objects.filter(
            is_active=True, department__isnull=False, user__isnull=True, level__isnull=False
        )
        .exclude(pk__in=taken)
        .exclude(email="")
        .annotate(reports=Count("direct_reports"))
        .select_related("department", "manager")
        .order_by("department__code", "-reports", "-level", "employee_id")
    )
    by_department: dict[int, list[Person]] = {}
    for person in people:
        if not eligibility_refusals(programme, person):
            by_department.setdefault(person.department_id or 0, []).append(person)
    queues = list(by_department.values())
    # In a very small organisation the demo coachee may be too senior for the programme.
    chosen = [] if eligibility_refusals(programme, demo_coachee) else [demo_coachee]
    while any(queues):
        for queue in queues:
            if queue:
                chosen.append(queue.pop(0))
    return chosen


def coach_login(person: Person) -> User:
    """A demo coach's login (every demo coach has one)."""
    assert person.user is not None
    return person.user


def _windows(rng: random.Random, count: int) -> list[Window]:
    chosen = sorted(rng.sample(WINDOW_CHOICES, count))
    return [Window(weekday=day, starts_at=start, ends_at=end) for day, start, end in chosen]


def coach_profile_fill(
    enrolment: Enrolment, competencies: list[Competency], rng: random.Random
) -> None:
    person = enrolment.person
    department = person.department.name if person.department else "the company"
    years = 8 + (person.level or 8) + rng.randint(0, 6)
    coach_profile_save(
        enrolment=enrolment,
        capacity=rng.randint(1, 5),
        strengths={competency: rng.randint(2, 5) for competency in competencies},
        availability=_windows(rng, rng.randint(2, 3)),
        languages=person.languages or ["en"],
        bio=rng.choice(BIOS).format(years=years, department=department, lead=rng.randint(4, 12)),
        preferences=rng.choice(COACH_PREFERENCES),
        by=coach_login(person),
    )


def coachee_profile_fill(
    enrolment: Enrolment,
    admin: User,
    goals: str,
    competencies: list[Competency],
    coaches: list[Person],
    rng: random.Random,
) -> None:
    person = enrolment.person
    # Now and then a coachee asks not to be coached by someone they already work with.
    same_department = [coach for coach in coaches if coach.department_id == person.department_id]
    avoid = same_department[:1] if same_department and rng.random() < 0.5 else []
    coachee_profile_save(
        enrolment=enrolment,
        goals=goals,
        growth=rng.sample(competencies, min(len(competencies), rng.randint(3, 4))),
        availability=_windows(rng, rng.randint(2, 4)),
        prefers_other_function=rng.random() < COACHEE_PREFERENCES_OTHER_FUNCTION,
        avoid=avoid,
        consent=True,
        by=person.user or admin,
    )
