"""A mail backend whose server refuses every message, for the tests of failed sends."""

from smtplib import SMTPServerDisconnected
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise SMTPServerDisconnected("Connection unexpectedly closed")
