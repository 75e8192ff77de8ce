"""The notes API: the author and, for a shared note, the other party; 404 for everyone else."""

import pytest

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import SessionNote
from tests.api.conftest import patch, post
from tests.coaching.conftest import (
    Pair,
    active_relationship,
    coachee_person,
    make_programme,
    pair,
    programme,
)
from tests.coaching.notes_helpers import grow, session_of, write_note

pytestmark = pytest.mark.django_db

# The coaching fixtures, here for the API tests.
__all__ = ["make_programme", "pair", "programme"]

API = "/api/v1"


def list_url(pair: Pair) -> str:
    return f"{API}/relationships/{pair.relationship.pk}/notes"


def note_url(note: SessionNote, action: str = "") -> str:
    return f"{API}/notes/{note.pk}{action}"


def test_the_list_holds_my_notes_and_shared_ones_without_content(pair: Pair) -> None:
    mine = write_note(pair.relationship, pair.coach.person, "MINE")
    theirs = write_note(pair.relationship, pair.coachee.person, "THEIRS", shared=True)
    write_note(pair.relationship, pair.coachee.person, "HIDDEN")

    response = pair.coach.client.get(list_url(pair))

    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body} == {mine.pk, theirs.pk}
    assert set(body[0]) == {
        "id",
        "relationship",
        "author",
        "session",
        "shared_at",
        "created_at",
        "updated_at",
    }
    assert "MINE" not in response.content.decode()
    assert "THEIRS" not in response.content.decode()
    assert AuditEvent.objects.filter(action="coaching.note_read").count() == 0


def test_the_list_query_count_does_not_grow(pair: Pair, django_assert_num_queries) -> None:
    write_note(pair.relationship, pair.coach.person)
    pair.coach.client.get(list_url(pair))
    with django_assert_num_queries(5) as one:
        pair.coach.client.get(list_url(pair))
    for number in range(5):
        write_note(pair.relationship, pair.coach.person, f"M{number}")
        write_note(pair.relationship, pair.coachee.person, f"S{number}", shared=True)
    with django_assert_num_queries(len(one.captured_queries)):
        response = pair.coach.client.get(list_url(pair))
    assert len(response.json()) == 11


def test_creating_a_note(pair: Pair) -> None:
    session = session_of(pair.relationship)

    response = post(
        pair.coachee.client, list_url(pair), {**grow("NEW"), "session": session.pk, "share": True}
    )

    assert response.status_code == 201
    body = response.json()
    note = SessionNote.objects.get()
    assert body["id"] == note.pk
    assert body["goal"] == "NEW-goal"
    assert body["author"] == {"id": pair.coachee.person.pk, "name": "Cole Coachee"}
    assert body["session"] == session.pk
    assert body["shared_at"] is not None


def test_refusals_are_400_with_the_reason(pair: Pair) -> None:
    other = active_relationship(pair.programme, pair.coach.person, coachee_person())

    empty = post(pair.coach.client, list_url(pair), {"goal": ""})
    foreign = post(
        pair.coach.client, list_url(pair), {"goal": "x", "session": session_of(other).pk}
    )

    assert empty.status_code == 400
    assert empty.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": "Write something in at least one of: Goal, Reality, Options, Way "
                "forward, Other notes.",
                "type": "refused",
            }
        ]
    }
    assert foreign.status_code == 400
    assert post(pair.coach.client, list_url(pair), {"title": "x"}).status_code == 422


def test_reading_a_note_audits_the_other_partys_read(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, "FULL", shared=True)

    by_author = pair.coach.client.get(note_url(note))
    by_other = pair.coachee.client.get(note_url(note))

    assert by_author.json()["reality"] == by_other.json()["reality"] == "FULL-reality"
    assert [
        (event.actor_label, event.details)
        for event in AuditEvent.objects.filter(action="coaching.note_read")
    ] == [("coachee@example.org", {"note": note.pk, "relationship": pair.relationship.pk})]


def test_updating_sharing_and_deleting(pair: Pair) -> None:
    session = session_of(pair.relationship)
    note = write_note(pair.relationship, pair.coach.person, "OLD", session=session)

    changed = patch(pair.coach.client, note_url(note), {"goal": "NEW"})
    assert changed.status_code == 200
    assert (changed.json()["goal"], changed.json()["reality"]) == ("NEW", "OLD-reality")
    assert changed.json()["session"] == session.pk
    detached = patch(pair.coach.client, note_url(note), {"session": None})
    assert detached.json()["session"] is None

    shared = post(pair.coach.client, note_url(note, "/share"), {})
    assert shared.status_code == 200
    assert shared.json()["shared_at"] is not None
    assert post(pair.coach.client, note_url(note, "/share"), {}).status_code == 400
    unshared = post(pair.coach.client, note_url(note, "/unshare"), {})
    assert unshared.json()["shared_at"] is None

    assert pair.coach.client.delete(note_url(note)).status_code == 204
    assert SessionNote.objects.count() == 0


def test_everyone_else_gets_404(pair: Pair, admin, sponsor, outsider) -> None:
    private = write_note(pair.relationship, pair.coach.person)
    shared = write_note(pair.relationship, pair.coach.person, shared=True)

    for member in (admin, sponsor, outsider):
        assert member.client.get(list_url(pair)).status_code == 404
        assert post(member.client, list_url(pair), grow("X")).status_code == 404
        for note in (private, shared):
            assert member.client.get(note_url(note)).status_code == 404
            assert patch(member.client, note_url(note), {"goal": "x"}).status_code == 404
            assert post(member.client, note_url(note, "/share"), {}).status_code == 404
            assert post(member.client, note_url(note, "/unshare"), {}).status_code == 404
            assert member.client.delete(note_url(note)).status_code == 404
    # The other party reads the shared note, and nothing else.
    assert pair.coachee.client.get(note_url(private)).status_code == 404
    assert patch(pair.coachee.client, note_url(shared), {"goal": "x"}).status_code == 404
    assert pair.coachee.client.delete(note_url(shared)).status_code == 404
    assert SessionNote.objects.count() == 2
    assert AuditEvent.objects.filter(action__startswith="coaching.").count() == 0


def test_anonymous_callers_get_401(pair: Pair, client) -> None:
    note = write_note(pair.relationship, pair.coach.person)

    assert client.get(list_url(pair)).status_code == 401
    assert client.get(note_url(note)).status_code == 401
