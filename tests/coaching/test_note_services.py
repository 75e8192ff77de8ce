"""Writing, sharing, reading and deleting notes, and the audit entries each leaves."""

import pytest

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import CoachingRelationship, SessionNote
from cadre.coaching.notes import (
    note_create,
    note_delete,
    note_read,
    note_share,
    note_unshare,
    note_update,
)
from cadre.coaching.rules import CoachingError
from cadre.notifications.models import Notification
from tests.coaching.conftest import Pair, active_relationship, coachee_person
from tests.coaching.notes_helpers import grow, session_of, write_note

pytestmark = pytest.mark.django_db


def audit_trail() -> list[tuple[str, str, str, dict[str, object]]]:
    return [
        (event.action, event.actor_label, event.target_id, event.details)
        for event in AuditEvent.objects.filter(action__startswith="coaching.").order_by("pk")
    ]


# Writing


def test_the_coach_writes_a_private_note(pair: Pair) -> None:
    session = session_of(pair.relationship)

    note = note_create(
        relationship=pair.relationship,
        author=pair.coach.person,
        values={"goal": "  Lead the merger calmly ", "way_forward": "Talk to the team"},
        session=session,
    )

    note.refresh_from_db()
    assert (note.goal, note.reality, note.way_forward, note.free_text) == (
        "Lead the merger calmly",
        "",
        "Talk to the team",
        "",
    )
    assert note.session == session
    assert note.shared_at is None
    assert audit_trail() == [
        (
            "coaching.note_create",
            "coach@example.org",
            str(note.pk),
            {"note": note.pk, "relationship": pair.relationship.pk},
        )
    ]
    assert Notification.objects.count() == 0


def test_a_note_written_shared_tells_the_other_party_without_content(pair: Pair) -> None:
    note = note_create(
        relationship=pair.relationship,
        author=pair.coachee.person,
        values=grow("SECRET"),
        share=True,
    )

    assert note.shared_at is not None
    assert [action for action, *_ in audit_trail()] == [
        "coaching.note_create",
        "coaching.note_share",
    ]
    mail = Notification.objects.get()
    assert (mail.recipient, mail.kind) == (pair.coach.user, Notification.Kind.NOTE_SHARED)
    assert mail.subject == "Cole Coachee shared a coaching note with you"
    assert f"http://127.0.0.1:8000/coaching/notes/{note.pk}/" in mail.body
    assert "SECRET" not in mail.subject + mail.body


def test_a_note_needs_some_text(pair: Pair) -> None:
    with pytest.raises(CoachingError) as refused:
        note_create(
            relationship=pair.relationship,
            author=pair.coach.person,
            values={"goal": "   ", "reality": ""},
        )

    assert str(refused.value) == (
        "Write something in at least one of: Goal, Reality, Options, Way forward, Other notes."
    )
    assert SessionNote.objects.count() == 0


def test_a_note_refuses_unknown_fields_and_overlong_texts(pair: Pair) -> None:
    with pytest.raises(CoachingError, match="A note has no field called title"):
        note_create(relationship=pair.relationship, author=pair.coach.person, values={"title": "x"})
    with pytest.raises(CoachingError, match="Options is too long: 10,000 characters at most"):
        note_create(
            relationship=pair.relationship,
            author=pair.coach.person,
            values={"options": "x" * 10_001},
        )


def test_only_the_pair_writes_notes(pair: Pair, sponsor) -> None:
    with pytest.raises(CoachingError, match="Only the coach and the coachee write notes"):
        note_create(relationship=pair.relationship, author=sponsor.person, values=grow("X"))


def test_the_session_must_be_of_the_same_relationship(pair: Pair) -> None:
    other = active_relationship(pair.programme, pair.coach.person, coachee_person())

    with pytest.raises(CoachingError, match="one of this relationship's sessions"):
        note_create(
            relationship=pair.relationship,
            author=pair.coach.person,
            values=grow("X"),
            session=session_of(other),
        )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CoachingRelationship.Status.PROPOSED, "The pairing is still a proposal"),
        (CoachingRelationship.Status.COMPLETED, "The relationship is completed"),
    ],
)
def test_notes_are_written_only_while_the_relationship_is_under_way(
    pair: Pair, status: str, message: str
) -> None:
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(status=status)
    pair.relationship.refresh_from_db()

    with pytest.raises(CoachingError, match=message):
        note_create(relationship=pair.relationship, author=pair.coach.person, values=grow("X"))


# Changing


def test_the_author_changes_the_texts_given_and_the_session(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, "OLD")
    session = session_of(pair.relationship)

    note_update(
        note=note,
        author=pair.coach.person,
        values={"reality": "New reality", "options": ""},
        session=session,
    )

    note.refresh_from_db()
    assert (note.goal, note.reality, note.options, note.session) == (
        "OLD-goal",
        "New reality",
        "",
        session,
    )
    assert note.updated_at > note.created_at
    assert audit_trail()[-1][0] == "coaching.note_update"


def test_nobody_but_the_author_changes_shares_or_deletes(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, shared=True)
    other = pair.coachee.person

    for change in (
        lambda: note_update(note=note, author=other, values={"goal": "x"}, session=None),
        lambda: note_unshare(note=note, author=other),
        lambda: note_delete(note=note, author=other),
    ):
        with pytest.raises(CoachingError, match="Only the note's author"):
            change()

    assert SessionNote.objects.get().goal == "MARKER-goal"


def test_emptying_every_text_is_refused(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)

    with pytest.raises(CoachingError, match="at least one of"):
        note_update(
            note=note,
            author=pair.coach.person,
            values=dict.fromkeys(SessionNote.GROW_FIELDS, ""),
            session=None,
        )


# Sharing


def test_sharing_and_unsharing(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)

    note_share(note=note, author=pair.coach.person)
    assert SessionNote.objects.get().shared_at is not None
    with pytest.raises(CoachingError, match="shared already"):
        note_share(note=note, author=pair.coach.person)

    note_unshare(note=note, author=pair.coach.person)
    assert SessionNote.objects.get().shared_at is None
    with pytest.raises(CoachingError, match="private already"):
        note_unshare(note=note, author=pair.coach.person)

    # Shared again: a second e-mail, as it is a second share.
    note_share(note=note, author=pair.coach.person)
    assert [action for action, *_ in audit_trail()] == [
        "coaching.note_share",
        "coaching.note_unshare",
        "coaching.note_share",
    ]
    assert Notification.objects.filter(recipient=pair.coachee.user).count() == 2


def test_no_mail_to_a_party_without_an_active_login(pair: Pair) -> None:
    pair.coachee.user.is_active = False
    pair.coachee.user.save()
    note = write_note(pair.relationship, pair.coach.person)

    note_share(note=note, author=pair.coach.person)

    assert Notification.objects.count() == 0


def test_a_note_can_be_unshared_and_deleted_after_the_relationship_ends(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, shared=True)
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        status=CoachingRelationship.Status.COMPLETED
    )
    note.refresh_from_db()

    with pytest.raises(CoachingError, match="completed"):
        note_share(note=note, author=pair.coach.person)
    note_unshare(note=note, author=pair.coach.person)
    note_delete(note=note, author=pair.coach.person)

    assert SessionNote.objects.count() == 0


# Reading and deleting


def test_reading_ones_own_note_is_not_audited(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)

    assert note_read(note=note, reader=pair.coach.person, request=None) == note
    assert audit_trail() == []


def test_the_other_partys_read_of_a_shared_note_is_audited(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, shared=True)

    note_read(note=note, reader=pair.coachee.person, request=None)
    note_read(note=note, reader=pair.coachee.person, request=None)

    expected = (
        "coaching.note_read",
        "coachee@example.org",
        str(note.pk),
        {"note": note.pk, "relationship": pair.relationship.pk},
    )
    assert audit_trail() == [expected, expected]


def test_a_private_note_is_not_read_by_the_other_party_nor_anyone_else(pair: Pair, sponsor) -> None:
    private = write_note(pair.relationship, pair.coach.person)
    shared = write_note(pair.relationship, pair.coach.person, shared=True)

    with pytest.raises(CoachingError, match="private to its author"):
        note_read(note=private, reader=pair.coachee.person, request=None)
    with pytest.raises(CoachingError, match="private to its author"):
        note_read(note=shared, reader=sponsor.person, request=None)
    assert audit_trail() == []


def test_the_author_deletes_a_note(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)
    note_pk = note.pk

    note_delete(note=note, author=pair.coach.person)

    assert SessionNote.objects.count() == 0
    assert audit_trail() == [
        (
            "coaching.note_delete",
            "coach@example.org",
            str(note_pk),
            {"note": note_pk, "relationship": pair.relationship.pk},
        )
    ]


def test_no_audit_entry_holds_note_content(pair: Pair) -> None:
    note = note_create(
        relationship=pair.relationship, author=pair.coach.person, values=grow("SECRET")
    )
    note_update(note=note, author=pair.coach.person, values=grow("SECRET2"), session=None)
    note_share(note=note, author=pair.coach.person)
    note_read(note=note, reader=pair.coachee.person, request=None)
    note_unshare(note=note, author=pair.coach.person)
    note_delete(note=note, author=pair.coach.person)

    events = AuditEvent.objects.filter(action__startswith="coaching.")
    assert events.count() == 6
    for event in events:
        assert "SECRET" not in f"{event.details} {event.target_label}"
        assert set(event.details) == {"note", "relationship"}
