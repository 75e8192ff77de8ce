"""Background work for matching: doing a queued run."""

from django.tasks import task

from cadre.matching.running import match_run_execute


@task
def match_run_apply(*, run_id: int) -> str:
    """Do the matching run ``run_id``; its progress and outcome are on the run."""
    return match_run_execute(run_id=run_id).status
