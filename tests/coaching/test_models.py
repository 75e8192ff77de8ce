"""What the database itself holds for coaching: one live relationship per coachee, and
notes that are ciphertext on disk."""

import pytest
from django.db import IntegrityError, connection

from cadre.coaching.models import CoachingRelationship, SessionNote
from tests.coaching.conftest import Pair, coachee_person


def test_a_coachee_has_one_live_relationship_per_programme(pair: Pair) -> None:
    with pytest.raises(IntegrityError):
        CoachingRelationship.objects.create(
            programme=pair.programme,
            coach=coachee_person(),
            coachee=pair.coachee.person,
            status=CoachingRelationship.Status.PROPOSED,
        )


def test_note_fields_are_stored_encrypted_and_read_back_in_clear(pair: Pair) -> None:
    note = SessionNote.objects.create(
        relationship=pair.relationship,
        author=pair.coach.person,
        goal="Lead the merger calmly",
        free_text="",
    )
    table = SessionNote._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT goal, free_text FROM {table} WHERE id = %s", [note.pk])  # noqa: S608
        goal_raw, free_raw = cursor.fetchone()
    assert "merger" not in goal_raw
    assert goal_raw.startswith("gAAAAA")
    assert free_raw.startswith("gAAAAA")
    note.refresh_from_db()
    assert note.goal == "Lead the merger calmly"
    assert note.free_text == ""
