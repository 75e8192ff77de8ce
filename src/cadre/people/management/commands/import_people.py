"""``cadre import-people FILE``: import people from an HRIS export (CSV or XLSX).

Without ``--mapping`` the columns are matched by name (``EmployeeNumber`` → employee_id,
``JobLevel`` → level, …); ``--column`` and ``--default`` adjust any mapping. Rows with errors
stop the import, unless ``--skip-invalid``. ``docs/import.md`` describes every field.
"""

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cadre.people.importing import (
    FIELD_NAMES,
    ColumnMapping,
    ImportFileError,
    ImportInvalidError,
    ImportMappingError,
    ImportPlan,
    Issue,
    Table,
    apply_import,
    import_mapping_save,
    mapping_check,
    mapping_from_json,
    plan_import,
    read_table,
    saved_mapping,
    suggest_columns,
)

# Issues listed in full before "… and N more".
SHOWN_ISSUES = 50


class ProgressBars:
    """One tqdm bar per phase ("checking", then "writing"), on stderr."""

    def __init__(self, stream: TextIO, *, disable: bool) -> None:
        self.stream = stream
        self.disable = disable
        self.bars: dict[str, tqdm[Any]] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        bar = self.bars.get(phase)
        if bar is None:
            # One bar at a time: the previous phase is over when the next one starts.
            self.close()
            bar = tqdm(
                total=total,
                desc=phase.capitalize(),
                unit=" rows",
                file=self.stream,
                disable=self.disable,
                leave=False,
            )
            self.bars[phase] = bar
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _pairs(values: list[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, separator, text = value.partition("=")
        if not separator or not name.strip():
            raise CommandError(f"{option} {value!r}: write it as FIELD=VALUE, e.g. level=JobLevel.")
        pairs[name.strip()] = text.strip()
    return pairs


def _issue_lines(issues: list[Issue]) -> list[str]:
    lines = [str(issue) for issue in issues[:SHOWN_ISSUES]]
    if len(issues) > SHOWN_ISSUES:
        lines.append(f"… and {len(issues) - SHOWN_ISSUES} more.")
    return lines


class Command(BaseCommand):
    help = (
        "Import people from an HRIS export (CSV or XLSX): map its columns to Cadre's fields, "
        "check every row, then create, update and (with --full-sync) deactivate people."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the export, a .csv or .xlsx file")
        parser.add_argument(
            "--mapping",
            metavar="NAME_OR_JSON",
            help='a saved mapping\'s name, or a JSON file {"columns": {...}, "defaults": {...}}',
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="read FIELD from the column HEADER (repeatable; FIELD= leaves it out); "
            f"fields: {', '.join(FIELD_NAMES)}",
        )
        parser.add_argument(
            "--default",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="use VALUE when FIELD's cell is empty or FIELD has no column (repeatable)",
        )
        parser.add_argument(
            "--full-sync",
            action="store_true",
            help="deactivate active people who are not in the file",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid rows and report the invalid ones (default: import nothing)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change and write nothing"
        )
        parser.add_argument(
            "--save-mapping", metavar="NAME", help="save the mapping used under NAME for next time"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar (none when not a tty)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            table = read_table(content=path.read_bytes(), filename=path.name)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}.") from error
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}") from error
        mapping = self.mapping(table, options)
        if options["save_mapping"]:
            import_mapping_save(name=options["save_mapping"], mapping=mapping, actor=None)
            self.stdout.write(f"Saved the mapping as “{options['save_mapping']}”.")
        self.stdout.write(f"Read {len(table.rows)} rows from {path.name} ({table.describe()}).")
        self.stdout.write(
            "Columns: "
            + ", ".join(f"{name} ← {header}" for name, header in mapping.columns.items())
            + "."
        )
        if mapping.defaults:
            defaults = ", ".join(f"{name} = {value}" for name, value in mapping.defaults.items())
            self.stdout.write(f"Defaults: {defaults}.")
        stream = getattr(self.stderr, "_out", sys.stderr)
        progress = ProgressBars(stream, disable=options["no_progress"] or not self.stderr.isatty())
        try:
            if options["dry_run"]:
                plan = plan_import(
                    table=table,
                    mapping=mapping,
                    full_sync=options["full_sync"],
                    skip_invalid=options["skip_invalid"],
                    progress=progress,
                )
                if not plan.can_apply:
                    raise ImportInvalidError(plan)
            else:
                plan = apply_import(
                    table=table,
                    mapping=mapping,
                    full_sync=options["full_sync"],
                    skip_invalid=options["skip_invalid"],
                    actor=None,
                    progress=progress,
                ).plan
        except ImportInvalidError as invalid:
            lines = [str(invalid), *_issue_lines(invalid.plan.errors)]
            lines.append("Fix the file, or use --skip-invalid to import the valid rows.")
            raise CommandError("\n".join(lines)) from invalid
        except ImportMappingError as error:
            raise CommandError(str(error)) from error
        finally:
            progress.close()
        self.report(plan, dry_run=options["dry_run"], verbosity=options["verbosity"])

    def mapping(self, table: Table, options: dict[str, Any]) -> ColumnMapping:
        try:
            if options["mapping"]:
                source = Path(options["mapping"])
                if source.suffix.lower() == ".json" or source.is_file():
                    try:
                        data = json.loads(source.read_text(encoding="utf-8"))
                    except (OSError, ValueError) as error:
                        raise CommandError(f"--mapping {source}: {error}") from error
                    base = mapping_from_json(data)
                else:
                    base = saved_mapping(name=options["mapping"])
            else:
                base = suggest_columns(headers=table.headers)
            columns = {**base.columns, **_pairs(options["column"], "--column")}
            defaults = {**base.defaults, **_pairs(options["default"], "--default")}
            mapping = ColumnMapping(
                columns={name: header for name, header in columns.items() if header},
                defaults={name: value for name, value in defaults.items() if value},
            )
            mapping_check(headers=table.headers, mapping=mapping)
        except ImportMappingError as error:
            headers = ", ".join(header for header in table.headers if header)
            raise CommandError(f"{error}\nThe file's columns: {headers}.") from error
        return mapping

    def report(self, plan: ImportPlan, *, dry_run: bool, verbosity: int) -> None:
        counts = plan.counts()
        departments = counts["departments_created"]
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
            self.stdout.write(
                f"Would create {counts['created']}, update {counts['updated']}, "
                f"leave {counts['unchanged']} unchanged, deactivate {counts['deactivated']} "
                f"and skip {counts['skipped']}; {departments} new "
                f"{'department' if departments == 1 else 'departments'}."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {counts['created']}, updated {counts['updated']}, "
                    f"unchanged {counts['unchanged']}, deactivated {counts['deactivated']}, "
                    f"skipped {counts['skipped']}; {departments} "
                    f"{'department' if departments == 1 else 'departments'} created."
                )
            )
        moved = counts["departments_moved"]
        if moved:
            self.stdout.write(
                f"{'Would move' if dry_run else 'Moved'} {moved} "
                f"{'department' if moved == 1 else 'departments'} in the department tree."
            )
        logins = counts["logins_disabled"]
        if logins:
            self.stdout.write(
                f"{'Would disable' if dry_run else 'Disabled'} {logins} "
                f"{'login' if logins == 1 else 'logins'} of deactivated people; "
                "they stay disabled if the people come back."
            )
        if verbosity >= 2:
            for change in plan.creates:
                self.stdout.write(f"  create {change.employee_id} {change.name}")
            for change in plan.updates:
                details = "; ".join(
                    f"{item.field} {item.old or '(empty)'} → {item.new or '(empty)'}"
                    for item in change.changes
                )
                self.stdout.write(f"  update {change.employee_id} {change.name}: {details}")
            for change in plan.deactivations:
                self.stdout.write(f"  deactivate {change.employee_id} {change.name}")
            for move in plan.department_moves:
                self.stdout.write(
                    f"  move department {move.department}: "
                    f"{move.old_parent or '(no parent)'} → {move.new_parent or '(no parent)'}"
                )
        for line in _issue_lines(plan.issues):
            self.stderr.write(line)
