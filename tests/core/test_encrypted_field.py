"""EncryptedTextField: what the database holds is ciphertext, read back raw with a cursor."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.db import connection

from cadre.coaching.models import CalendarFeed, Circle, CircleNote, SessionNote
from cadre.core.fields import DecryptionError, decrypt, encrypt, encrypted_fields
from tests.coaching.conftest import make_programme, pair, programme
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

# The coaching fixtures, for notes.
__all__ = ["make_programme", "pair", "programme"]

FERNET_PREFIX = "gAAAAA"  # version byte 0x80 and a timestamp, base64-encoded


def raw(model: type, pk: int, *columns: str) -> tuple[str | None, ...]:
    """The stored values, straight from the database, bypassing the field."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    selected = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return tuple(cursor.fetchone())


def circle_note(body: str) -> CircleNote:
    facilitator = PersonFactory()
    circle = Circle.objects.create(
        kind=Circle.Kind.SUPERVISION, name=f"Circle {facilitator.pk}", facilitator=facilitator
    )
    return CircleNote.objects.create(circle=circle, author=facilitator, body=body)


def test_raw_values_hold_no_plaintext(pair) -> None:
    texts = {
        "goal": "Lead the merger calmly",
        "reality": "Two teams, one budget",
        "options": "Ask Kim for help",
        "way_forward": "Résumé the plan by Friday ✓",
        "free_text": "Coachee seemed tired",
    }
    note = SessionNote.objects.create(
        relationship=pair.relationship, author=pair.coach.person, **texts
    )

    stored = raw(SessionNote, note.pk, *texts)

    for value, text in zip(stored, texts.values(), strict=True):
        assert value is not None
        assert value.startswith(FERNET_PREFIX)
        assert text not in value
        # Words of five letters or more: a shorter one ("by") turns up in random base64 by
        # chance (about one run in 25 here), a longer one in about one in a billion.
        for word in (word for word in text.split() if len(word) >= 5):
            assert word not in value
        assert decrypt(value) == text
    note.refresh_from_db()
    assert {name: getattr(note, name) for name in texts} == texts


def test_empty_strings_are_encrypted_too(pair) -> None:
    note = SessionNote.objects.create(
        relationship=pair.relationship, author=pair.coach.person, goal="x"
    )

    reality, free_text = raw(SessionNote, note.pk, "reality", "free_text")

    assert reality is not None
    assert free_text is not None
    assert reality.startswith(FERNET_PREFIX)
    assert free_text.startswith(FERNET_PREFIX)
    assert reality != free_text  # randomised: equal texts don't show as equal
    note.refresh_from_db()
    assert (note.reality, note.free_text) == ("", "")


def test_every_encrypted_field_of_coaching_is_ciphertext_on_disk() -> None:
    note = circle_note("What the circle said")
    feed = CalendarFeed.objects.create(
        user=UserFactory(), token_sha256="0" * 64, token="secret-feed-token"
    )

    assert raw(CircleNote, note.pk, "body")[0].startswith(FERNET_PREFIX)
    assert "circle" not in raw(CircleNote, note.pk, "body")[0]
    assert "secret" not in raw(CalendarFeed, feed.pk, "token")[0]
    assert encrypted_fields(SessionNote) == [
        "goal",
        "reality",
        "options",
        "way_forward",
        "free_text",
    ]
    assert encrypted_fields(CircleNote) == ["body"]
    assert encrypted_fields(CalendarFeed) == ["token"]


def test_updates_through_the_queryset_are_encrypted(pair) -> None:
    note = SessionNote.objects.create(
        relationship=pair.relationship, author=pair.coach.person, goal="x"
    )

    SessionNote.objects.filter(pk=note.pk).update(goal="Changed in bulk")

    assert "Changed" not in raw(SessionNote, note.pk, "goal")[0]
    assert SessionNote.objects.get().goal == "Changed in bulk"


@pytest.mark.parametrize("lookup", ["exact", "icontains", "startswith", "in", "gt"])
def test_lookups_other_than_isnull_are_refused(lookup: str) -> None:
    value = ["x"] if lookup == "in" else "x"

    with pytest.raises(FieldError, match=f"the '{lookup}' lookup isn't available"):
        list(SessionNote.objects.filter(**{f"goal__{lookup}": value}))


def test_isnull_is_allowed(pair) -> None:
    SessionNote.objects.create(relationship=pair.relationship, author=pair.coach.person, goal="x")

    assert SessionNote.objects.filter(goal__isnull=False).count() == 1


def test_a_value_under_an_unknown_key_raises_decryption_error(settings) -> None:
    note = circle_note("Under the old key")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError, match="none of FIELD_ENCRYPTION_KEYS opens it"):
        CircleNote.objects.get(pk=note.pk)


def test_a_plaintext_value_in_the_database_raises_decryption_error() -> None:
    note = circle_note("x")
    table = connection.ops.quote_name(CircleNote._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET body = %s WHERE id = %s", ["plain", note.pk])  # noqa: S608

    with pytest.raises(DecryptionError):
        CircleNote.objects.get(pk=note.pk)


def test_the_first_key_encrypts_and_every_key_decrypts(settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    under_old = encrypt("text")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    under_new = encrypt("text")

    assert decrypt(under_old) == decrypt(under_new) == "text"
    assert Fernet(new.encode()).decrypt(under_new.encode()) == b"text"
