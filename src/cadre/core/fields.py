"""Text encrypted at rest with the keys in ``FIELD_ENCRYPTION_KEYS``.

``EncryptedTextField`` stores every value, the empty string included, as a Fernet token
(AES-128-CBC with an HMAC-SHA256 tag, from ``cryptography``), so the raw database value holds no
plaintext and can't be altered unnoticed. The first key encrypts; every key decrypts, which is
how keys are rotated: put a new key first, run ``cadre rotate-encryption-keys`` to encrypt every
value under it, then drop the old key.

Tokens are randomised, so the database can't compare them: the field only supports
``isnull`` lookups. A value that no key decrypts raises ``DecryptionError`` instead of showing
ciphertext.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Lookup
from django.db.models.lookups import IsNull


class DecryptionError(Exception):
    """A stored value could not be decrypted with any key in ``FIELD_ENCRYPTION_KEYS``."""


@cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The keys in force now, newest first (read on each call so tests can change them)."""
    keys: Sequence[str] = settings.FIELD_ENCRYPTION_KEYS
    return _fernet_for(tuple(keys))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError(
            "A value could not be decrypted: none of FIELD_ENCRYPTION_KEYS opens it. Was a key "
            "removed before `cadre rotate-encryption-keys` ran?"
        ) from error


class EncryptedTextField(models.TextField[str, str]):
    """A text field whose stored value is a Fernet token; see the module's docstring."""

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: object, connection: object) -> Any:
        if value is None:
            return None
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: the database can't compare "
                f"its values, so the '{lookup_name}' lookup isn't available."
            )
        return IsNull


def encrypted_fields(model: type[models.Model]) -> list[str]:
    """The names of ``model``'s encrypted fields."""
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField) and field.concrete
    ]
