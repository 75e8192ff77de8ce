"""`cadre rotate-encryption-keys`: every encrypted value moves under the newest key."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from cadre.coaching.models import CalendarFeed, Circle, CircleNote
from cadre.core.fields import DecryptionError
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def raw_bodies() -> list[str]:
    table = connection.ops.quote_name(CircleNote._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table} ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def written_under_a(settings) -> list[CircleNote]:
    """Seven circle notes, one with an empty body, and a calendar feed, all under key A."""
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    facilitator = PersonFactory()
    circle = Circle.objects.create(
        kind=Circle.Kind.SUPERVISION, name="Peer circle", facilitator=facilitator
    )
    notes = [
        CircleNote.objects.create(circle=circle, author=facilitator, body=f"Note {number}")
        for number in range(6)
    ]
    notes.append(CircleNote.objects.create(circle=circle, author=facilitator, body=""))
    CalendarFeed.objects.create(user=UserFactory(), token_sha256="0" * 64, token="feed-token")
    return notes


def test_rotation_moves_every_value_under_the_new_key(settings, written_under_a) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    before = raw_bodies()

    output = rotate("--batch-size", "3")

    assert "coaching.CircleNote: 7 of 7 values re-encrypted" in output
    assert "coaching.CalendarFeed: 1 of 1 values re-encrypted" in output
    assert "coaching.SessionNote: 0 of 0 values re-encrypted" in output
    after = raw_bodies()
    assert all(new != old for new, old in zip(after, before, strict=True))
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert [note.body for note in CircleNote.objects.order_by("pk")] == [
        *(f"Note {number}" for number in range(6)),
        "",
    ]
    assert CalendarFeed.objects.get().token == "feed-token"


def test_check_reports_values_behind_and_fails_until_rotated(settings, written_under_a) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]

    with pytest.raises(CommandError, match="8 values are not under the newest key yet") as failed:
        rotate("--check")
    assert failed.value.returncode == 1
    before = raw_bodies()
    with pytest.raises(CommandError):
        rotate("--check")
    assert raw_bodies() == before  # --check changes nothing

    rotate()
    output = rotate("--check")

    assert "coaching.CircleNote: 0 of 7 values not under the newest key" in output
    assert "coaching.CalendarFeed: 0 of 1 values not under the newest key" in output


def test_a_second_run_changes_nothing(settings, written_under_a) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    rotate()
    after_first = raw_bodies()

    output = rotate()

    assert "coaching.CircleNote: 0 of 7 values re-encrypted" in output
    assert raw_bodies() == after_first


def test_without_the_old_key_nothing_reads_until_rotated(settings, written_under_a) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(DecryptionError):
        list(CircleNote.objects.all())

    with pytest.raises(CommandError, match=r"coaching.CircleNote #\d+, field body: no key"):
        rotate()
