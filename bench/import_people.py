"""Benchmark the HRIS import: first import, unchanged re-import and a 1% changed re-import.

Usage::

    .venv/bin/python bench/import_people.py                 # 10,000 and 100,000 people
    .venv/bin/python bench/import_people.py --rows 100000   # one size
    .venv/bin/python bench/import_people.py --database-url postgres://postgres@127.0.0.1:55433/postgres

For each size it writes a synthetic HRIS export (a CSV with a realistic manager tree) and a
copy with 1% of the people changed, makes a fresh database (SQLite in a temporary directory,
or a new PostgreSQL database next to the one --database-url names), migrates it, and runs
each case in its own process, so that the peak memory figure belongs to that case alone.
The time covers reading the file, checking every row and writing, as ``cadre import-people``
does. It prints one line per case, for example::

    import_people first-import rows=100000 seconds=12.3 peak_mb=410 target_seconds=20.0 result=pass

The target is 20 s for 100,000 people, scaled linearly for other sizes; an unchanged
re-import must also be faster than the first import. Because these machines are noisy, each
size first times a yardstick in the same run, on its own fresh database: the plain Django way
to load the same file (``bulk_create`` without any checks, see ``baseline_orm``). Every import
line shows its time as a multiple of that (``vs_baseline``).
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS_PER_100K = 20.0
CASES = ("first-import", "unchanged-reimport", "changed-1pct-reimport")

FIRST_NAMES = [
    "Ada",
    "Alan",
    "Amara",
    "Anders",
    "Aiko",
    "Bea",
    "Bilal",
    "Carmen",
    "Chen",
    "Dara",
    "Diego",
    "Elif",
    "Emeka",
    "Eva",
    "Farah",
    "Finn",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jae",
    "Jonas",
    "Kai",
    "Kofi",
    "Lena",
    "Liam",
    "Lucia",
    "Mads",
    "Maya",
    "Mei",
    "Nadia",
    "Noah",
    "Olga",
    "Omar",
    "Priya",
    "Quinn",
    "Rafael",
    "Rosa",
    "Sam",
    "Sana",
    "Tariq",
    "Tomas",
    "Uma",
    "Vera",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Abara",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quispe",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Wagner",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Andersen",
    "Banerjee",
    "Chowdhury",
    "Delgado",
    "Evans",
    "Ferreira",
    "Gupta",
    "Horvat",
    "Ivanova",
    "Kim",
    "Lopez",
    "Muller",
]
DEPARTMENTS = [
    "Executive Office",
    "Finance",
    "Treasury",
    "Tax",
    "Internal Audit",
    "Legal",
    "Compliance",
    "People",
    "Talent Acquisition",
    "Learning",
    "Facilities",
    "Procurement",
    "IT Operations",
    "Security",
    "Data Platform",
    "Analytics",
    "Research",
    "Product",
    "Design",
    "Engineering",
    "Quality",
    "Supply Chain",
    "Logistics",
    "Manufacturing",
    "Sales EMEA",
    "Sales Americas",
    "Sales APAC",
    "Marketing",
    "Communications",
    "Customer Success",
    "Support",
    "Partnerships",
    "Strategy",
    "Risk",
]
TITLES = [
    "Analyst",
    "Senior Analyst",
    "Engineer",
    "Senior Engineer",
    "Specialist",
    "Consultant",
    "Coordinator",
    "Manager",
    "Senior Manager",
    "Director",
    "Senior Director",
    "Vice President",
]
LOCATIONS = (
    ("London", "Europe/London", "en"),
    ("Paris", "Europe/Paris", "fr;en"),
    ("Berlin", "Europe/Berlin", "de;en"),
    ("Madrid", "Europe/Madrid", "es;en"),
    ("New York", "America/New_York", "en"),
    ("Chicago", "America/Chicago", "en;es"),
    ("São Paulo", "America/Sao_Paulo", "pt-BR;en"),
    ("Toronto", "America/Toronto", "en;fr"),
    ("Singapore", "Asia/Singapore", "en;zh"),
    ("Tokyo", "Asia/Tokyo", "ja;en"),
    ("Bangalore", "Asia/Kolkata", "en;hi"),
    ("Sydney", "Australia/Sydney", "en"),
    ("Johannesburg", "Africa/Johannesburg", "en;af"),
    ("Dubai", "Asia/Dubai", "ar;en"),
)
HEADERS = [
    "EmployeeNumber",
    "Name",
    "WorkEmail",
    "Department",
    "JobTitle",
    "Grade",
    "ManagerEmployeeNumber",
    "Office",
    "TimeZone",
    "Languages",
    "HireDate",
    "Status",
]


def target_seconds(rows: int) -> float:
    return round(TARGET_SECONDS_PER_100K * rows / 100_000, 1)


def people(rows: int, seed: int = 7) -> list[list[str]]:
    """An organisation of ``rows`` people: one chief, then layers of managers with 3 to 12
    direct reports each, exported in employee-number order (not manager-first)."""
    rng = random.Random(seed)
    numbers = rng.sample(range(100_000, 100_000 + rows * 3), rows)
    managers_of: list[int | None] = [None]
    depth = [0]
    open_managers = [0]
    while len(managers_of) < rows:
        next_managers = []
        for manager in open_managers:
            for _ in range(rng.randint(3, 12)):
                if len(managers_of) >= rows:
                    break
                managers_of.append(manager)
                depth.append(depth[manager] + 1)
                next_managers.append(len(managers_of) - 1)
        open_managers = rng.sample(next_managers, max(1, len(next_managers) // 3))
    start = date(2025, 1, 1)
    result = []
    for index in range(rows):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        office, zone, languages = rng.choice(LOCATIONS)
        boss = managers_of[index]
        level = max(1, 12 - depth[index] - rng.randint(0, 2))
        result.append(
            [
                f"E{numbers[index]}",
                f"{first} {last}",
                f"{first}.{last}.{numbers[index]}@example.com".lower(),
                rng.choice(DEPARTMENTS),
                TITLES[min(len(TITLES) - 1, max(0, level - 1))],
                str(level),
                "" if boss is None else f"E{numbers[boss]}",
                office,
                zone,
                languages,
                (start - timedelta(days=rng.randint(0, 30 * 365))).isoformat(),
                rng.choice(["Active"] * 30 + ["Inactive"]),
            ]
        )
    result.sort(key=lambda row: row[0])
    return result


def changed(rows: list[list[str]], share: float = 0.01, seed: int = 11) -> list[list[str]]:
    """A copy where ``share`` of the people moved department, got a new title or grade."""
    rng = random.Random(seed)
    result = [list(row) for row in rows]
    for index in rng.sample(range(len(result)), max(1, int(len(result) * share))):
        row = result[index]
        kind = rng.randrange(3)
        if kind == 0:
            row[3] = rng.choice([name for name in DEPARTMENTS if name != row[3]])
        elif kind == 1:
            row[4] = f"{row[4]} (acting)"
        else:
            row[5] = str(int(row[5]) % 12 + 1)
    return result


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        writer.writerows(rows)


# --- One case, in a child process --------------------------------------------------------


def run_case(case: str, path: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    if case == "migrate":
        call_command("migrate", verbosity=0)
        return
    if case == "baseline-orm":
        print(json.dumps(baseline_orm(path)))
        return
    from cadre.people.importing import apply_import, read_table, suggest_columns

    started = time.perf_counter()
    table = read_table(content=path.read_bytes(), filename=path.name)
    result = apply_import(
        table=table,
        mapping=suggest_columns(headers=table.headers),
        full_sync=True,
        actor=None,
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "counts": result.counts()}))


def baseline_orm(path: Path) -> dict[str, Any]:
    """The plain Django way, as a yardstick measured in the same run: read the CSV, create the
    departments, ``bulk_create`` the people, then ``bulk_update`` their managers. It checks
    nothing, previews nothing and can't re-import; the import does all three."""
    from django.db import transaction

    from cadre.people.models import Department, Person

    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    with transaction.atomic():
        departments = {
            name: Department.objects.create(name=name)
            for name in sorted({row["Department"] for row in rows})
        }
        created = Person.objects.bulk_create(
            (
                Person(
                    employee_id=row["EmployeeNumber"],
                    full_name=row["Name"],
                    email=row["WorkEmail"],
                    department=departments[row["Department"]],
                    job_title=row["JobTitle"],
                    level=int(row["Grade"]),
                    location=row["Office"],
                    time_zone=row["TimeZone"],
                    languages=row["Languages"].split(";"),
                    hire_date=date.fromisoformat(row["HireDate"]),
                    is_active=row["Status"] == "Active",
                )
                for row in rows
            ),
            batch_size=2000,
        )
        by_id = {person.employee_id: person for person in created}
        for person, row in zip(created, rows, strict=True):
            person.manager = by_id.get(row["ManagerEmployeeNumber"])
        Person.objects.bulk_update(created, ["manager"], batch_size=2000)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, "counts": {"created": len(created)}}


# --- Orchestration ------------------------------------------------------------------------


def child(case: str, path: Path, env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--case", case, "--file", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        raise SystemExit(f"The {case} case failed.")
    return json.loads(completed.stdout.strip().splitlines()[-1]) if case != "migrate" else {}


class PostgresDatabase:
    """A new, empty database next to the one ``url`` names, dropped afterwards."""

    def __init__(self, url: str, suffix: str = "import") -> None:
        import psycopg

        self.psycopg = psycopg
        self.url = url
        self.name = f"cadre_bench_{os.getpid()}_{suffix}"
        base, _, _ = url.rpartition("/")
        self.bench_url = f"{base}/{self.name}"

    def __enter__(self) -> str:
        with self.psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        return self.bench_url

    def __exit__(self, *exc: object) -> None:
        with self.psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}"')


def bench_size(rows: int, database_url: str) -> list[bool]:
    with tempfile.TemporaryDirectory(prefix="cadre-bench-") as directory:
        work = Path(directory)
        first = work / f"people-{rows}.csv"
        edited = work / f"people-{rows}-changed.csv"
        organisation = people(rows)
        write_csv(first, organisation)
        write_csv(edited, changed(organisation))
        env = {
            **os.environ,
            "DEBUG": "1",
            "CADRE_DATA_DIR": str(work),
            "DJANGO_SETTINGS_MODULE": "cadre.settings",
            "PYTHONPATH": str(REPO / "src"),
        }
        env.pop("DATABASE_URL", None)
        if database_url:
            database = PostgresDatabase(database_url)
            env["DATABASE_URL"] = database.__enter__()
        baseline_env = {**env, "CADRE_DATA_DIR": str(work / "baseline")}
        engine = "postgresql" if database_url else "sqlite"
        try:
            if database_url:
                baseline_database = PostgresDatabase(database_url, suffix="baseline")
                baseline_env["DATABASE_URL"] = baseline_database.__enter__()
            try:
                child("migrate", first, baseline_env)
                baseline = child("baseline-orm", first, baseline_env)
            finally:
                if database_url:
                    baseline_database.__exit__()
            baseline_seconds = float(baseline["seconds"])
            print(
                f"import_people baseline-orm-bulk-create rows={rows} "
                f"seconds={baseline_seconds:.1f} peak_mb={float(baseline['peak_mb']):.0f} "
                f"database={engine}",
                flush=True,
            )
            child("migrate", first, env)
            files = {"first-import": first, "unchanged-reimport": first}
            files["changed-1pct-reimport"] = edited
            results: dict[str, dict[str, Any]] = {}
            verdicts = []
            for case in CASES:
                results[case] = outcome = child(case, files[case], env)
                seconds = float(outcome["seconds"])
                target = target_seconds(rows)
                passed = seconds <= target
                if case == "unchanged-reimport":
                    passed = passed and seconds < float(results["first-import"]["seconds"])
                verdicts.append(passed)
                print(
                    f"import_people {case} rows={rows} seconds={seconds:.1f} "
                    f"vs_baseline={seconds / baseline_seconds:.2f} "
                    f"peak_mb={float(outcome['peak_mb']):.0f} target_seconds={target} "
                    f"database={engine} result={'pass' if passed else 'fail'} "
                    f"counts={json.dumps(outcome['counts'], separators=(',', ':'))}",
                    flush=True,
                )
            return verdicts
        finally:
            if database_url:
                database.__exit__()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="people per file (repeatable)")
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL to bench against")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        run_case(options.case, options.file)
        return
    verdicts = []
    for rows in options.rows or [10_000, 100_000]:
        verdicts += bench_size(rows, options.database_url)
    raise SystemExit(0 if all(verdicts) else 1)


if __name__ == "__main__":
    main()
