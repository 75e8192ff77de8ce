"""Doing a confirmed import run: what the ``import_run_apply`` task runs in the background.

:func:`import_run_execute` claims a queued run, parses its file with progress saved as it
goes, then checks the rows against the database of that moment and writes them with the
outcome, in one transaction; the uploaded file is deleted whatever the outcome. ``runs``
moves a run up to its confirmation and enqueues the task defined here.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from cadre.people.importing.mapping import ColumnMapping, ImportMappingError, mapping_from_json
from cadre.people.importing.planning import ImportInvalidError, Issue, _Planner
from cadre.people.importing.reading import ImportFileError, Table, read_table
from cadre.people.importing.writing import _apply_rows
from cadre.people.models import ImportRun

# Runs keep at most this many issues; the summary still counts all of them.
STORED_ISSUES_LIMIT = 1000


class ImportFileGoneError(ImportFileError):
    """The run's uploaded file has been deleted: the run finished or was abandoned."""


def import_run_table(*, run: ImportRun) -> Table:
    """The table of the run's file; :class:`ImportFileGoneError` once the file is deleted."""
    gone = ImportFileGoneError(
        f"The uploaded file {run.original_name} is no longer kept; upload it again."
    )
    if not run.file:
        raise gone
    try:
        with run.file.open("rb") as stored:
            content = stored.read()
    except FileNotFoundError:
        raise gone from None
    return read_table(content=content, filename=run.original_name)


def import_run_mapping(*, run: ImportRun) -> ColumnMapping:
    return mapping_from_json({"columns": run.columns, "defaults": run.defaults})


def _stored_file_delete(name: str) -> bool:
    """Delete the stored file ``name`` of a run; False when there is none."""
    if not name:
        return False
    ImportRun._meta.get_field("file").storage.delete(name)
    return True


def _run_finish(
    run_id: int, *, status: str, summary: dict[str, Any], issues: Sequence[Issue | str]
) -> None:
    """Record the outcome of a run. The stored file is no longer referenced: delete it with
    :func:`_stored_file_delete` once this is committed."""
    stored = [
        issue.as_dict()
        if isinstance(issue, Issue)
        else {"row": 0, "column": "", "field": "", "message": issue, "severity": "error"}
        for issue in issues[:STORED_ISSUES_LIMIT]
    ]
    ImportRun.objects.filter(pk=run_id).update(
        status=status,
        summary={**summary, "issues_total": len(issues)},
        errors=stored,
        finished_at=timezone.now(),
        file="",
    )


def import_run_execute(*, run_id: int) -> dict[str, int]:
    """Import a queued run; what the background task does. Returns the counts.

    Only the first caller for a queued run does anything: the status moves from queued to
    running in one conditional UPDATE. The cells are parsed outside the transaction, with
    progress saved to ``rows_done`` (and the time to ``progress_at``) as they are; then the
    rows are checked against the database of that moment and written, and the outcome saved,
    in one transaction. The uploaded file is deleted whatever the outcome.
    """
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.RUNNING, rows_done=0, progress_at=timezone.now()
    )
    if not claimed:
        return {}
    run = ImportRun.objects.select_related("confirmed_by").get(pk=run_id)
    last_saved = [0]

    def save_progress(phase: str, done: int, total: int) -> None:
        if phase == "checking" and done != last_saved[0]:
            last_saved[0] = done
            ImportRun.objects.filter(pk=run_id).update(
                rows_done=done, rows_total=total, progress_at=timezone.now()
            )

    try:
        planner = _Planner(
            table=import_run_table(run=run),
            mapping=import_run_mapping(run=run),
            full_sync=run.full_sync,
            skip_invalid=run.skip_invalid,
            today=timezone.localdate(),
            progress=save_progress,
        )
        rows = planner.parse()
        with transaction.atomic():
            result = _apply_rows(
                planner,
                rows,
                actor=run.confirmed_by,
                import_run=run,
                request=None,
                progress=save_progress,
            )
            ImportRun.objects.filter(pk=run_id).update(rows_done=result.plan.rows_total)
            _run_finish(
                run_id,
                status=ImportRun.Status.SUCCEEDED,
                summary=result.counts(),
                issues=result.issues,
            )
        return result.counts()
    except ImportInvalidError as invalid:
        _run_finish(
            run_id,
            status=ImportRun.Status.FAILED,
            summary=invalid.plan.counts(),
            issues=invalid.plan.issues,
        )
    except (ImportFileError, ImportMappingError) as problem:
        _run_finish(run_id, status=ImportRun.Status.FAILED, summary={}, issues=[str(problem)])
    except Exception:
        _run_finish(
            run_id,
            status=ImportRun.Status.FAILED,
            summary={},
            issues=["The import stopped on an unexpected error; nothing was written."],
        )
        raise
    finally:
        _stored_file_delete(run.file.name or "")
    return {}


@task
def import_run_apply(*, run_id: int) -> dict[str, int]:
    """Apply the confirmed import run ``run_id``; its status and progress are on the run."""
    return import_run_execute(run_id=run_id)
