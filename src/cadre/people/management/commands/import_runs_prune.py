"""``cadre import-runs-prune``: tidy up HRIS import runs; run it daily (cron or a timer).

Runs left running by a worker that stopped are marked failed, runs neither confirmed nor
finished within a week are marked abandoned, and every uploaded file a finished run still has
is deleted. The runs' counts and problems are kept.
"""

from typing import Any

from django.core.management.base import BaseCommand

from cadre.people.importing import import_runs_prune


class Command(BaseCommand):
    help = "Fail stuck and abandoned import runs and delete the uploaded files they no longer need."

    def handle(self, *args: Any, **options: Any) -> None:
        result = import_runs_prune()
        self.stdout.write(
            f"{result.stuck} stuck and {result.abandoned} abandoned import runs marked failed; "
            f"{result.files_deleted} uploaded files deleted."
        )
