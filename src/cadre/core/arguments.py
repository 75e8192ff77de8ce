"""Argument types shared by Cadre's management commands."""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone


def aware_moment(value: str) -> datetime:
    """An ISO 8601 time with its zone (``--now`` of the scheduled commands)."""
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        raise CommandError("--now needs a time zone, such as 2026-05-01T09:00+00:00.")
    return moment
