"""The demo's coaches and their certification: a dozen senior people hold the coach role, in
every certification state, and the demo programme's certification rule is 24 months.

- five certified coaches, the demo coach login among them so it can coach in the running
  cohort (one signed off by a certified coach, the others by the demo admin);
- one in progress with two modules passed, so the journey can be followed;
- two whose certification has expired (certified 26 and 30 months ago);
- two in progress (three modules passed; all modules passed but no sign-off yet);
- two who have not started.

Everything is written through the enablement services, dated in the past where needed.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from cadre.accounts.models import Role, User
from cadre.accounts.services import role_grant
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.organisation import EMAIL_DOMAIN
from cadre.enablement.models import (
    Certification,
    CertificationRule,
    ModuleAttempt,
    PracticeSignOff,
    TrainingModule,
)
from cadre.enablement.queries import required_modules
from cadre.enablement.services import attempt_submit, practice_sign_off
from cadre.people.models import Person
from cadre.programs.models import Programme

COACHES = 12  # the demo coach login and eleven more senior people
VALID_MONTHS = 24


def enablement_generate(programme: Programme | None) -> list[Person]:
    """Make the demo coaches and their training, sign-offs and certifications."""
    admin = User.objects.get(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    if programme is not None:
        CertificationRule.objects.update_or_create(
            programme=programme, defaults={"valid_months": VALID_MONTHS}
        )
    coaches = _coaches(admin)
    today = timezone.localdate()
    modules = list(required_modules())
    demo_coach, *others = coaches
    certified, expired = [demo_coach, *others[:4]], others[5:7]
    _pass(others[4], modules[:2], today - timedelta(days=3))
    for index, person in enumerate(certified):
        day = today - timedelta(days=200 - index * 30)
        _pass(person, modules, day)
        signer = certified[0].user if index == 1 else admin
        assert signer is not None
        practice_sign_off(coach=person, signed_off_by=signer, note="Demo practice.", at=_at(day))
    for months, person in zip((26, 30), expired, strict=True):
        day = today - timedelta(days=months * 31)
        _pass(person, modules, day)
        practice_sign_off(coach=person, signed_off_by=admin, note="Demo practice.", at=_at(day))
    _pass(others[7], modules[:3], today - timedelta(days=10))
    _pass(others[8], modules, today - timedelta(days=5))
    return coaches


def enablement_reset() -> None:
    """Delete attempts, sign-offs and certifications, and the demo coaches' logins."""
    Certification.objects.all().delete()
    PracticeSignOff.objects.all().delete()
    ModuleAttempt.objects.all().delete()
    User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").exclude(
        email__in=LOGIN_EMAILS.values()
    ).delete()


def _coaches(admin: User) -> list[Person]:
    """The demo coach login's person first, then the most senior people without a login."""
    demo_coach = Person.objects.get(user__email=LOGIN_EMAILS[Role.COACH])
    seniors = list(
        Person.objects.filter(is_active=True, user__isnull=True)
        .exclude(email="")
        .order_by("-level", "employee_id")[: COACHES - 1]
    )
    for person in seniors:
        user = User.objects.create_user(
            email=person.email, password=None, display_name=person.display_name
        )
        person.user = user
        person.save(update_fields=["user"])
        role_grant(user=user, role=Role.COACH, granted_by=admin)
    return [demo_coach, *seniors]


def _pass(person: Person, modules: list[TrainingModule], day: date) -> None:
    for module in modules:
        answers = {
            question.pk: next(option.pk for option in question.options.all() if option.is_correct)
            for question in module.questions.prefetch_related("options")
        }
        attempt_submit(person=person, module=module, answers=answers, at=_at(day))


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))
