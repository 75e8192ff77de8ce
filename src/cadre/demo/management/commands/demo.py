"""``cadre demo``: fill an empty database with a realistic demo organisation and demo logins.

    cadre demo [--people N] [--seed S] [--reset] [--force]

The demo is made by an ordered list of steps, ``STEPS``. Each step has a name, a ``generate``
function that takes the shared ``DemoContext`` (the options, and what earlier steps made) and
a ``reset`` function that deletes what the step makes. ``generate`` runs in list order and
``reset`` in reverse order, all in one transaction.

To extend the demo (programmes, coaching, feedback, ...): write the generator in its own
module under ``cadre/demo/``, add a field for its result to ``DemoContext`` if later steps
need it, and append a ``Step`` to ``STEPS``. A step that needs randomness makes its own
``random.Random(f"{context.seed}:{step name}")``, so adding a step never changes what the
steps before it generate.

The command refuses to run with ``DEBUG`` off unless ``--force`` is given, and never
duplicates the demo: when the demo logins already exist it prints them again instead.
"""

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from cadre.demo.choice import choice_reset, choice_step
from cadre.demo.coaching import coaching_reset, coaching_step
from cadre.demo.cohort import cohort_reset, cohort_step
from cadre.demo.enablement import enablement_generate, enablement_reset
from cadre.demo.enrolment import enrolment_generate, enrolment_reset
from cadre.demo.feedback import feedback_reset, feedback_step
from cadre.demo.logins import (
    DEMO_PASSWORD,
    DemoLogin,
    DemoLoginError,
    demo_logins,
    demo_logins_create,
    demo_logins_exist,
    demo_logins_reset,
)
from cadre.demo.organisation import (
    MAX_PEOPLE,
    MIN_PEOPLE,
    DemoOrganisation,
    organisation_describe,
    organisation_generate,
    organisation_reset,
)
from cadre.demo.programme import programme_generate, programme_reset
from cadre.demo.track import track_reset, track_step
from cadre.people.models import Department, Person
from cadre.programs.models import Programme

DEFAULT_PEOPLE = 300
DEFAULT_SEED = 2026
# From this many people on, a progress bar shows on standard error.
PROGRESS_FROM = 5_000


@dataclass
class DemoContext:
    """What the steps share: the options, and each step's result for the steps after it."""

    people: int
    seed: int
    progress: Callable[[int], object] | None = None
    organisation: DemoOrganisation | None = None
    logins: list[DemoLogin] = field(default_factory=list)
    programme: Programme | None = None


@dataclass(frozen=True)
class Step:
    name: str
    generate: Callable[[DemoContext], None]
    reset: Callable[[], None]


def organisation_step(context: DemoContext) -> None:
    context.organisation = organisation_generate(
        people=context.people, seed=context.seed, progress=context.progress
    )


def logins_step(context: DemoContext) -> None:
    context.logins = demo_logins_create()


def programme_step(context: DemoContext) -> None:
    context.programme = programme_generate()


def enablement_step(context: DemoContext) -> None:
    enablement_generate(context.programme)


def enrolment_step(context: DemoContext) -> None:
    enrolment_generate(programme=context.programme, seed=context.seed)


STEPS: list[Step] = [
    Step("organisation", generate=organisation_step, reset=organisation_reset),
    Step("logins", generate=logins_step, reset=demo_logins_reset),
    Step("programme", generate=programme_step, reset=programme_reset),
    Step("enablement", generate=enablement_step, reset=enablement_reset),
    Step("enrolment", generate=enrolment_step, reset=enrolment_reset),
    Step("track", generate=track_step, reset=track_reset),
    Step("cohort", generate=cohort_step, reset=cohort_reset),
    Step("coaching", generate=coaching_step, reset=coaching_reset),
    Step("feedback", generate=feedback_step, reset=feedback_reset),
    Step("choice", generate=choice_step, reset=choice_reset),
]


class Command(BaseCommand):
    help = "Generate a demo organisation (people, departments, a manager tree) and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help=f"How many people (default {DEFAULT_PEOPLE}, {MIN_PEOPLE} to {MAX_PEOPLE:,}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"The same seed gives the same organisation (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete all people, departments and demo logins first, then generate again.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never use this on a production database.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        people: int = options["people"]
        seed: int = options["seed"]
        reset: bool = options["reset"]
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Refusing to generate demo data with DEBUG off: this may be a production "
                "database. Set DEBUG=1, or pass --force if you are sure."
            )
        if not MIN_PEOPLE <= people <= MAX_PEOPLE:
            raise CommandError(
                f"--people must be between {MIN_PEOPLE} and {MAX_PEOPLE:,}, got {people}."
            )
        with transaction.atomic():
            if demo_logins_exist() and not reset:
                self.stdout.write(
                    "The demo data is already there; `cadre demo --reset` generates it again."
                )
                self._summary_write(organisation_describe())
                self._logins_write(demo_logins())
                return
            if reset:
                for step in reversed(STEPS):
                    step.reset()
            elif Person.objects.exists() or Department.objects.exists():
                raise CommandError(
                    "The database already holds people or departments that are not the demo's. "
                    "`cadre demo --reset` deletes all of them and generates the demo."
                )
            context = self._generate(people, seed)
        self.stdout.write(self.style.SUCCESS(f"Generated the demo organisation (seed {seed})."))
        self._summary_write(context.organisation or organisation_describe())
        if context.programme is not None:
            self.stdout.write(
                f"Programme: {context.programme} ({context.programme.get_status_display().lower()})"
            )
        self._logins_write(context.logins)

    def _generate(self, people: int, seed: int) -> DemoContext:
        with tqdm(
            total=people,
            unit=" people",
            desc="Writing people",
            file=sys.stderr,
            disable=people < PROGRESS_FROM,
        ) as bar:
            context = DemoContext(people=people, seed=seed, progress=bar.update)
            for step in STEPS:
                try:
                    step.generate(context)
                except DemoLoginError as error:
                    raise CommandError(f"The {step.name} step failed: {error}") from error
        return context

    def _summary_write(self, organisation: DemoOrganisation) -> None:
        inactive = organisation.people - organisation.active_people
        self.stdout.write(
            f"People: {organisation.people:,} ({inactive:,} inactive)\n"
            f"Departments: {organisation.departments}\n"
            f"Manager tree depth: {organisation.depth} "
            "(the longest reporting line, chief executive included)"
        )

    def _logins_write(self, logins: list[DemoLogin]) -> None:
        url = settings.SITE_URL.rstrip("/") + "/"
        rows = [("Role", "E-mail", "Password", "Person")]
        rows.extend(
            (login.role.label, login.email, DEMO_PASSWORD, login.person) for login in logins
        )
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        self.stdout.write(f"\nLog in at {url} as:\n")
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  " + "  ".join([*cells, row[3]]))
