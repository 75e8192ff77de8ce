"""Helpers for enablement tests: modules with known answers, coaches, and passing on a day."""

from datetime import date, datetime, time

from django.utils import timezone

from cadre.accounts.models import Role
from cadre.enablement.models import QuizOption, QuizQuestion, TrainingModule
from cadre.enablement.queries import required_modules
from cadre.enablement.services import attempt_submit
from cadre.people.models import Person
from tests.factories import PersonFactory, RoleGrantFactory, UserFactory


def at(day: date) -> datetime:
    """Noon on ``day``, in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def make_module(
    slug: str = "test-module",
    *,
    questions: int = 5,
    pass_mark: int = 80,
    required: bool = False,
    body: str = "Read this.",
) -> TrainingModule:
    """A published module whose questions each have three options, the first one correct."""
    module = TrainingModule.objects.create(
        title=slug.replace("-", " ").title(),
        slug=slug,
        body_markdown=body,
        pass_mark_percent=pass_mark,
        is_required=required,
        position=99,
    )
    for number in range(1, questions + 1):
        question = QuizQuestion.objects.create(
            module=module, text=f"Question {number}?", position=number
        )
        for index in range(3):
            QuizOption.objects.create(
                question=question, text=f"Option {index}", is_correct=index == 0, position=index
            )
    return module


def answers(module: TrainingModule, *, wrong: int = 0) -> dict[int, int | None]:
    """Answers to every question: the first ``wrong`` ones wrong, the rest right."""
    chosen: dict[int, int | None] = {}
    for index, question in enumerate(module.questions.order_by("position")):
        options = list(question.options.order_by("position"))
        correct = next(option for option in options if option.is_correct)
        incorrect = next(option for option in options if not option.is_correct)
        chosen[question.pk] = (incorrect if index < wrong else correct).pk
    return chosen


def pass_required(person: Person, day: date) -> None:
    """Pass every required module on ``day``."""
    for module in required_modules():
        attempt_submit(person=person, module=module, answers=answers(module), at=at(day))


def make_coach(name: str = "Kit Coach") -> Person:
    user = UserFactory(display_name=name)
    RoleGrantFactory(user=user, role=Role.COACH)
    return PersonFactory(full_name=name, user=user, level=9)
