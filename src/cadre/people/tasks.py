"""Background work for people: applying a confirmed HRIS import."""

from django.tasks import task

from cadre.people.importing import import_run_execute


@task
def import_run_apply(*, run_id: int) -> dict[str, int]:
    """Apply the confirmed import run ``run_id``; its status and progress are on the run."""
    return import_run_execute(run_id=run_id)
