"""Benchmark the reporting-line reads on a large demo organisation, and the demo generator.

Usage::

    .venv/bin/python bench/reporting_lines.py                      # 100,000 people
    .venv/bin/python bench/reporting_lines.py --people 10000 --repeat 50

It makes a fresh SQLite database in a temporary directory, migrates it and generates the demo
organisation with ``cadre.demo.organisation.organisation_generate`` (timed, with ``DEBUG`` on
as ``cadre demo`` runs). Then, with ``DEBUG`` off as in production, it times each read of
``cadre.people.queries`` ``--repeat`` times after one warm-up call and prints one line per case
with the median time and the number of queries of one call, for example::

    demo generate people=100000 seconds=14.2
    reporting_lines management_chain people=100000 depth=9 median_ms=1.2 queries=2

Two yardsticks run first, in the same run, because these machines are noisy: the plain ORM
walk, one query per level, up the deepest person's chain and down the whole tree. The matching
lines show their time as a multiple of it (``vs_baseline``).

The cases: the management chain of the deepest person; everyone under the chief executive,
counted; everyone under a mid-level manager (the first senior manager), fetched; and whether
two people are in one reporting line, once for a person and the chief executive (found on the
first walk up) and once for two people in different divisions (both walks, not found).
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SENIOR_MANAGER_LEVEL = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=20)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cadre-bench-") as data_dir:
        run(
            data_dir=Path(data_dir), people=options.people, seed=options.seed, repeat=options.repeat
        )


def run(*, data_dir: Path, people: int, seed: int, repeat: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "cadre.settings"
    os.environ["DEBUG"] = "1"
    os.environ["CADRE_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite database, never a real one

    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadre.demo.organisation import CHIEF_EXECUTIVE_LEVEL, organisation_generate
    from cadre.people.models import Person
    from cadre.people.queries import in_reporting_line, management_chain, reports_under

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organisation_generate(people=people, seed=seed)
    print(f"demo generate people={people} seconds={time.perf_counter() - started:.1f}", flush=True)

    settings.DEBUG = False  # no query log while timing, as in production
    managers = dict(Person.objects.values_list("pk", "manager_id"))
    divisions = division_by_person()
    depth: dict[int, int] = {}

    def depth_of(pk: int) -> int:
        if pk not in depth:
            manager = managers[pk]
            depth[pk] = 1 if manager is None else depth_of(manager) + 1
        return depth[pk]

    deepest_pk = max(sorted(managers), key=depth_of)
    deepest = Person.objects.get(pk=deepest_pk)
    chief = Person.objects.get(level=CHIEF_EXECUTIVE_LEVEL, manager__isnull=True)
    middle = Person.objects.filter(level=SENIOR_MANAGER_LEVEL).order_by("employee_id").first()
    if middle is None:
        raise SystemExit(f"No senior manager among {people} people; use --people 1000 or more.")
    stranger = Person.objects.get(
        pk=max(
            (pk for pk in sorted(managers) if divisions[pk] != divisions[deepest_pk]),
            key=depth_of,
        )
    )
    middle_reports = reports_under(middle).count()

    baselines: dict[str, float] = {}

    def measure(name: str, details: str, call: Callable[[], object]) -> None:
        call()
        with CaptureQueriesContext(connection) as queries:
            call()
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        median = statistics.median(timings)
        baseline = baselines.get(name)
        if name.startswith("baseline-"):
            baselines[name.removeprefix("baseline-")] = median
        ratio = f" vs_baseline={median / baseline:.2f}" if baseline else ""
        print(
            f"reporting_lines {name} people={people} {details} median_ms={median:.2f} "
            f"queries={len(queries.captured_queries)}{ratio}",
            flush=True,
        )

    # Yardsticks measured in the same run (these machines are noisy): the plain ORM walk,
    # one query per level, up the chain and down the tree.
    def chain_walk(person: Person) -> list[Person]:
        chain = []
        while person.manager_id is not None:
            person = Person.objects.select_related("department").get(pk=person.manager_id)
            chain.append(person)
        return chain

    def tree_walk(person: Person) -> list[int]:
        found: list[int] = []
        level = [person.pk]
        while level:
            level = list(Person.objects.filter(manager_id__in=level).values_list("pk", flat=True))
            found += level
        return found

    measure(
        "baseline-management_chain", f"depth={depth_of(deepest_pk)}", lambda: chain_walk(deepest)
    )
    measure(
        "baseline-reports_under_ceo_count", f"reports={people - 1}", lambda: len(tree_walk(chief))
    )

    measure("management_chain", f"depth={depth_of(deepest_pk)}", lambda: management_chain(deepest))
    measure(
        "reports_under_ceo_count",
        f"reports={people - 1}",
        lambda: reports_under(chief).count(),
    )
    measure(
        "reports_under_mid_level_manager",
        f"level={middle.level} reports={middle_reports}",
        lambda: list(reports_under(middle)),
    )
    measure(
        "in_reporting_line",
        "case=chief-executive-above",
        lambda: in_reporting_line(deepest, chief),
    )
    measure(
        "in_reporting_line",
        "case=different-divisions",
        lambda: in_reporting_line(deepest, stranger),
    )


def division_by_person() -> dict[int, int]:
    """Each person's division: the top-level department above their department."""
    from cadre.people.models import Department, Person

    parents = dict(Department.objects.values_list("pk", "parent_id"))

    def top(pk: int) -> int:
        parent = parents[pk]
        return pk if parent is None else top(parent)

    return {
        pk: top(department)
        for pk, department in Person.objects.values_list("pk", "department_id")
        if department is not None
    }


if __name__ == "__main__":
    main()
