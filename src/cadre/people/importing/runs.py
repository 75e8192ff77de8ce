"""Import runs: the web flow. An :class:`ImportRun` moves through upload, mapping, preview
and confirmation, which queues the ``import_run_apply`` task (``execution``);
:func:`import_runs_prune` fails stuck and abandoned runs and deletes their files.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.services import audit_record
from cadre.people.importing.execution import (
    _stored_file_delete,
    import_run_apply,
    import_run_mapping,
    import_run_table,
)
from cadre.people.importing.mapping import (
    ColumnMapping,
    import_mapping_save,
)
from cadre.people.importing.planning import (
    ImportPlan,
    Issue,
    plan_import,
)
from cadre.people.importing.reading import read_table
from cadre.people.models import ImportRun


class ImportRunStateError(ValueError):
    """The import run is not in a state that allows this step (e.g. it is already running)."""


# A run still running this long after its last progress, or still queued this long after its
# confirmation, was left behind by a worker that stopped (a crash, a deploy) or never came: it
# is marked failed. Imports of 100,000 people take seconds.
RUN_STUCK_AFTER = timedelta(hours=2)
# Files of runs neither confirmed nor finished after this long are deleted.
RUN_ABANDONED_AFTER = timedelta(days=7)


def import_run_create(
    *, content: bytes, filename: str, actor: User, request: HttpRequest | None = None
) -> ImportRun:
    """Keep an uploaded file for importing, after checking that it can be read; its column
    names are kept on the run, so that the mapping page needn't read the file again."""
    table = read_table(content=content, filename=filename)
    run = ImportRun(
        original_name=PurePath(filename).name[:255],
        rows_total=len(table.rows),
        headers=list(table.headers),
        created_by=actor,
    )
    with transaction.atomic():
        run.file.save(PurePath(filename).name or "import", ContentFile(content), save=False)
        run.save()
        audit_record(
            actor=actor,
            action="people.import_upload",
            target=run,
            request=request,
            details={"file": run.original_name, "bytes": len(content), "rows": run.rows_total},
        )
    return run


def import_run_headers(*, run: ImportRun) -> tuple[str, ...]:
    """The column names of the run's file, as kept at upload."""
    if run.headers:
        return tuple(str(header) for header in run.headers)
    # Runs uploaded before the column names were kept: read them from the file.
    return import_run_table(run=run).headers


EDITABLE_STATUSES = (ImportRun.Status.UPLOADED, ImportRun.Status.PREVIEWED)


def import_run_configure(
    *,
    run: ImportRun,
    mapping: ColumnMapping,
    full_sync: bool,
    skip_invalid: bool,
    actor: User,
    save_as: str = "",
    request: HttpRequest | None = None,
) -> ImportRun:
    """Set the mapping and options of a run that hasn't been confirmed; it needs a new preview.
    With ``save_as``, the mapping is also saved under that name for later imports."""
    with transaction.atomic():
        changed = ImportRun.objects.filter(pk=run.pk, status__in=EDITABLE_STATUSES).update(
            columns=dict(mapping.columns),
            defaults={key: value for key, value in mapping.defaults.items() if value},
            full_sync=full_sync,
            skip_invalid=skip_invalid,
            status=ImportRun.Status.UPLOADED,
        )
        if not changed:
            raise ImportRunStateError("This import has already been confirmed.")
        if save_as:
            import_mapping_save(name=save_as, mapping=mapping, actor=actor, request=request)
    run.refresh_from_db()
    return run


def import_run_preview(
    *, run: ImportRun, actor: User, request: HttpRequest | None = None
) -> ImportPlan:
    """The plan of a run with its chosen mapping and options; marks the run as previewed.

    A preview shows HR data from every row to ``actor``, so each one is audited.
    """
    plan = plan_import(
        table=import_run_table(run=run),
        mapping=import_run_mapping(run=run),
        full_sync=run.full_sync,
        skip_invalid=run.skip_invalid,
    )
    with transaction.atomic():
        if run.status == ImportRun.Status.UPLOADED:
            ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.UPLOADED).update(
                status=ImportRun.Status.PREVIEWED
            )
            run.status = ImportRun.Status.PREVIEWED
        audit_record(
            actor=actor,
            action="people.import_preview",
            target=run,
            request=request,
            details={"rows": plan.rows_total, "full_sync": run.full_sync},
        )
    return plan


def import_run_confirm(*, run: ImportRun, actor: User, request: HttpRequest | None = None) -> bool:
    """Queue a previewed run for importing, on behalf of ``actor``, who the import is credited
    to. Returns False when it was already confirmed: the status moves from previewed to queued
    in one conditional UPDATE, so two confirmations can't both queue it. The task is enqueued
    in the same transaction, so a failure to enqueue leaves the run previewed."""
    with transaction.atomic():
        now = timezone.now()
        queued = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.PREVIEWED).update(
            status=ImportRun.Status.QUEUED, rows_done=0, confirmed_by=actor, confirmed_at=now
        )
        if not queued:
            return False
        run.status, run.confirmed_by, run.confirmed_at = ImportRun.Status.QUEUED, actor, now
        audit_record(
            actor=actor,
            action="people.import_confirm",
            target=run,
            request=request,
            details={"full_sync": run.full_sync, "skip_invalid": run.skip_invalid},
        )
        import_run_apply.enqueue(run_id=run.pk)
    return True


STUCK_MESSAGE = (
    "The import stopped without finishing, probably because its worker was restarted; "
    "nothing was written. Upload the file again to import it."
)
UNPICKED_MESSAGE = (
    "No worker picked the import up within {hours} hours of its confirmation, so nothing was "
    "written. Make sure a task worker (cadre db_worker) runs, then upload the file again."
)
ABANDONED_MESSAGE = (
    "The import was not confirmed within {days} days; the uploaded file was deleted. "
    "Upload the file again to import it."
)


def _runs_fail(runs: Iterable[ImportRun], message: str) -> tuple[int, int]:
    """Mark ``runs`` failed with ``message`` and delete their files; a run that changed
    status meanwhile is left alone. Returns how many runs failed and files were deleted."""
    failed = deleted = 0
    for run in runs:
        with transaction.atomic():
            changed = ImportRun.objects.filter(pk=run.pk, status=run.status).update(
                status=ImportRun.Status.FAILED,
                summary={"issues_total": 1},
                errors=[
                    {"row": 0, "column": "", "field": "", "message": message, "severity": "error"}
                ],
                finished_at=timezone.now(),
                file="",
            )
        if changed:
            failed += 1
            deleted += _stored_file_delete(run.file.name or "")
    return failed, deleted


def _stuck_since(now: datetime) -> datetime:
    return now - RUN_STUCK_AFTER


def _stuck_message(status: str) -> str:
    if status == ImportRun.Status.QUEUED:
        return UNPICKED_MESSAGE.format(hours=int(RUN_STUCK_AFTER.total_seconds() // 3600))
    return STUCK_MESSAGE


def _is_stuck(run: ImportRun, stuck_since: datetime) -> bool:
    """Running without progress, or queued without a worker taking it, for too long."""
    if run.status == ImportRun.Status.RUNNING:
        since = run.progress_at or run.confirmed_at or run.created_at
    elif run.status == ImportRun.Status.QUEUED:
        since = run.confirmed_at or run.created_at
    else:
        return False
    return since < stuck_since


def import_run_fail_if_stuck(*, run: ImportRun, now: datetime | None = None) -> ImportRun:
    """Mark ``run`` failed if it has been running without progress, or queued without a
    worker picking it up, for longer than :data:`RUN_STUCK_AFTER`; returns the run as it is
    now."""
    if not _is_stuck(run, _stuck_since(now or timezone.now())):
        return run
    _runs_fail([run], _stuck_message(run.status))
    run.refresh_from_db()
    return run


@dataclass(frozen=True, slots=True)
class PruneResult:
    stuck: int
    abandoned: int
    files_deleted: int


def import_runs_prune(*, now: datetime | None = None) -> PruneResult:
    """Tidy up import runs: fail the ones stuck running or queued with no worker taking them,
    fail the ones neither confirmed nor finished for :data:`RUN_ABANDONED_AFTER`, and delete
    every stored file a finished run still has (runs finished before files were deleted on
    finishing). The runs themselves, with their counts and problems, are kept."""
    now = now or timezone.now()
    stuck_since = _stuck_since(now)
    stuck = stuck_files = 0
    for status in (ImportRun.Status.RUNNING, ImportRun.Status.QUEUED):
        runs = [
            run for run in ImportRun.objects.filter(status=status) if _is_stuck(run, stuck_since)
        ]
        failed, deleted = _runs_fail(runs, _stuck_message(status))
        stuck += failed
        stuck_files += deleted
    abandoned, abandoned_files = _runs_fail(
        ImportRun.objects.filter(
            status__in=EDITABLE_STATUSES, created_at__lt=now - RUN_ABANDONED_AFTER
        ),
        ABANDONED_MESSAGE.format(days=RUN_ABANDONED_AFTER.days),
    )
    files_deleted = stuck_files + abandoned_files
    finished = ImportRun.objects.filter(
        status__in=(ImportRun.Status.SUCCEEDED, ImportRun.Status.FAILED)
    ).exclude(file="")
    for run in finished:
        if ImportRun.objects.filter(pk=run.pk, file=run.file.name).update(file=""):
            files_deleted += _stored_file_delete(run.file.name or "")
    return PruneResult(stuck=stuck, abandoned=abandoned, files_deleted=files_deleted)


def import_run_issues(*, run: ImportRun) -> list[Issue]:
    """The issues a finished run stored, as :class:`Issue` objects."""
    return [
        Issue(
            int(item.get("row") or 0),
            str(item.get("column", "")),
            str(item.get("field", "")),
            str(item.get("message", "")),
            str(item.get("severity", "error")),
        )
        for item in run.errors
        if isinstance(item, dict)
    ]


def recent_import_runs(*, limit: int = 10) -> list[ImportRun]:
    return list(ImportRun.objects.select_related("created_by")[:limit])
