"""Re-encrypt every encrypted value under the newest key in ``FIELD_ENCRYPTION_KEYS``.

The procedure (``docs/operations.md``): put a new key first, restart, run this command, check
with ``--check``, then drop the old keys. Every model with an ``EncryptedTextField`` is
covered, whichever app it belongs to.

Rows are read in batches of primary keys, each batch locked and rewritten in its own
transaction, so a long run holds no lock for long and an edit made meanwhile is never
overwritten with an older text. A value already under the newest key is left alone, so
running the command twice does no harm, and an interrupted run can simply be started again.
"""

from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models.functions import Cast

from cadre.core.fields import DecryptionError, decrypt, encrypted_fields


def _raw(name: str) -> str:
    return f"{name}__raw"


def _raw_rows(model: type[models.Model], fields: list[str]) -> models.QuerySet[Any]:
    """The model's rows as (pk, token…): the stored tokens, not decrypted."""
    annotations = {_raw(name): Cast(name, output_field=models.TextField()) for name in fields}
    rows: models.QuerySet[Any] = (
        model._base_manager.order_by("pk")
        .annotate(**annotations)
        .values_list("pk", *annotations.keys())
    )
    return rows


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field under the first key of FIELD_ENCRYPTION_KEYS. With "
        "--check, only count the values not yet under it (exit status 1 if there are any)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; report values not under the newest key and fail if any",
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="rows per transaction (default 500)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        newest = Fernet(settings.FIELD_ENCRYPTION_KEYS[0])
        batch_size: int = max(1, options["batch_size"])
        behind_in_total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            label = model._meta.label
            if options["check"]:
                behind, total = self._count_behind(model, fields, newest)
                behind_in_total += behind
                self.stdout.write(f"{label}: {behind} of {total} values not under the newest key")
            else:
                changed, total = self._rotate(model, fields, newest, batch_size)
                self.stdout.write(f"{label}: {changed} of {total} values re-encrypted")
        if behind_in_total:
            raise CommandError(
                f"{behind_in_total} values are not under the newest key yet: run "
                "`cadre rotate-encryption-keys` before dropping the old keys.",
                returncode=1,
            )

    def _count_behind(
        self, model: type[models.Model], fields: list[str], newest: Fernet
    ) -> tuple[int, int]:
        behind = total = 0
        for _pk, *tokens in _raw_rows(model, fields).iterator(chunk_size=2000):
            for token in tokens:
                if token is None:
                    continue
                total += 1
                behind += not _under(newest, token)
        return behind, total

    def _rotate(
        self, model: type[models.Model], fields: list[str], newest: Fernet, batch_size: int
    ) -> tuple[int, int]:
        changed = total = 0
        last_pk: Any = None
        while True:
            with transaction.atomic():
                rows = _raw_rows(model, fields).select_for_update()
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                batch = list(rows[:batch_size])
                for pk, *tokens in batch:
                    stale = {}
                    for name, token in zip(fields, tokens, strict=True):
                        if token is None:
                            continue
                        total += 1
                        if not _under(newest, token):
                            stale[name] = self._decrypt(model, pk, name, token)
                    if stale:
                        # Saving plaintext through the field encrypts it under the first key.
                        model._base_manager.filter(pk=pk).update(**stale)
                        changed += len(stale)
            if len(batch) < batch_size:
                return changed, total
            last_pk = batch[-1][0]

    def _decrypt(self, model: type[models.Model], pk: Any, name: str, token: str) -> str:
        try:
            return decrypt(token)
        except DecryptionError:
            raise CommandError(
                f"{model._meta.label} #{pk}, field {name}: no key in FIELD_ENCRYPTION_KEYS "
                "opens it. Put the key it was encrypted with back in the list and run again."
            ) from None


def _under(key: Fernet, token: str) -> bool:
    """Whether ``key`` alone opens ``token``."""
    try:
        key.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeError):
        return False
    return True
