from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = (
        "Print a new key for FIELD_ENCRYPTION_KEYS. To rotate, put it first in the list, keep "
        "the old keys after it, and re-encrypt."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(Fernet.generate_key().decode("ascii"))
