"""The Notes tab and the note pages: behaviour, who gets in, and a constant query count."""

import pytest
from django.urls import reverse

from cadre.accounts.models import AuditEvent
from cadre.coaching.models import CoachingRelationship, SessionNote
from cadre.notifications.models import Notification
from tests.coaching.conftest import Pair
from tests.coaching.notes_helpers import session_of, write_note

pytestmark = pytest.mark.django_db


def notes_url(pair: Pair) -> str:
    return reverse("coaching:notes", args=[pair.relationship.pk])


def new_url(pair: Pair) -> str:
    return reverse("coaching:note_new", args=[pair.relationship.pk])


def note_url(note: SessionNote, name: str = "note") -> str:
    return reverse(f"coaching:{name}", args=[note.pk])


def reads() -> list[tuple[str, dict[str, object]]]:
    return [
        (event.actor_label, event.details)
        for event in AuditEvent.objects.filter(action="coaching.note_read").order_by("pk")
    ]


# The Notes tab


def test_the_tab_lists_my_notes_with_first_words_and_shared_ones_without(pair: Pair) -> None:
    mine = write_note(pair.relationship, pair.coach.person, "MINE")
    theirs = write_note(pair.relationship, pair.coachee.person, "THEIRS", shared=True)
    write_note(pair.relationship, pair.coachee.person, "HIDDEN")

    response = pair.coach.client.get(notes_url(pair))

    assert response.status_code == 200
    assert response.context["mine"] == [mine]
    assert response.context["shared_with_me"] == [theirs]
    html = response.content.decode()
    assert "MINE-goal" in html
    assert "Private: only you can read this" in html
    assert "Shared by Cole Coachee on" in html
    # A shared note's words are read on its own page, where the read is audited.
    assert "THEIRS" not in html
    assert "HIDDEN" not in html
    assert reads() == []
    assert "no-store" in response["Cache-Control"]


def test_empty_states_say_what_to_do(pair: Pair) -> None:
    response = pair.coachee.client.get(notes_url(pair))

    html = response.content.decode()
    assert "You haven't written a note yet." in html
    assert "Cora Coach hasn't shared a note with you." in html


def test_the_tab_query_count_does_not_grow_with_the_notes(
    pair: Pair, django_assert_num_queries
) -> None:
    session = session_of(pair.relationship)
    write_note(pair.relationship, pair.coach.person, session=session)
    write_note(pair.relationship, pair.coachee.person, shared=True)
    pair.coach.client.get(notes_url(pair))
    with django_assert_num_queries(7) as one:
        pair.coach.client.get(notes_url(pair))
    for number in range(5):
        write_note(pair.relationship, pair.coach.person, f"M{number}", session=session)
        write_note(pair.relationship, pair.coachee.person, f"S{number}", shared=True)
    with django_assert_num_queries(len(one.captured_queries)):
        response = pair.coach.client.get(notes_url(pair))
    assert (len(response.context["mine"]), len(response.context["shared_with_me"])) == (6, 6)


# Writing


def test_the_form_prompts_for_each_part_and_offers_to_share(pair: Pair) -> None:
    session_of(pair.relationship)

    response = pair.coach.client.get(new_url(pair))

    html = response.content.decode()
    assert response.status_code == 200
    assert "What does the coachee want from this session" in html
    assert "Share with Cole Coachee" in html
    assert len(response.context["form"].fields["session"].queryset) == 1
    assert "no-store" in response["Cache-Control"]


def test_writing_a_private_note(pair: Pair) -> None:
    session = session_of(pair.relationship)

    response = pair.coach.client.post(
        new_url(pair), {"goal": "Delegate more", "options": "Weekly 1:1s", "session": session.pk}
    )

    note = SessionNote.objects.get()
    assert response.status_code == 302
    assert response.url == note_url(note)
    assert (note.author, note.goal, note.options, note.session, note.shared_at) == (
        pair.coach.person,
        "Delegate more",
        "Weekly 1:1s",
        session,
        None,
    )
    assert Notification.objects.count() == 0


def test_writing_a_shared_note(pair: Pair) -> None:
    pair.coach.client.post(new_url(pair), {"reality": "Team is stretched", "share": "on"})

    assert SessionNote.objects.get().shared_at is not None
    assert Notification.objects.get().recipient == pair.coachee.user


def test_an_empty_note_is_refused_with_the_reason(pair: Pair) -> None:
    response = pair.coach.client.post(new_url(pair), {"goal": " "})

    assert response.status_code == 200
    assert "Write something in at least one of: Goal, Reality" in response.content.decode()
    assert SessionNote.objects.count() == 0


def test_a_session_of_another_relationship_is_not_offered(pair: Pair) -> None:
    from tests.coaching.conftest import active_relationship, coachee_person

    other = active_relationship(pair.programme, pair.coach.person, coachee_person())
    foreign = session_of(other)

    response = pair.coach.client.post(new_url(pair), {"goal": "x", "session": foreign.pk})

    assert response.status_code == 200
    assert response.context["form"].errors["session"]
    assert SessionNote.objects.count() == 0


# Reading


def test_the_author_reads_a_note_without_an_audit_entry(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, "FULL")

    response = pair.coach.client.get(note_url(note))

    html = response.content.decode()
    assert response.status_code == 200
    for name in SessionNote.GROW_FIELDS:
        assert f"FULL-{name}" in html
    assert "Private: only you can read this" in html
    assert "Share with Cole Coachee" in html
    assert reads() == []
    assert "no-store" in response["Cache-Control"]


def test_the_other_party_reads_a_shared_note_and_the_read_is_audited(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, "FULL", shared=True)

    response = pair.coachee.client.get(note_url(note))

    html = response.content.decode()
    assert "FULL-way_forward" in html
    assert "Shared with you by Cora Coach on" in html
    assert "Edit" not in html
    assert reads() == [
        ("coachee@example.org", {"note": note.pk, "relationship": pair.relationship.pk})
    ]
    event = AuditEvent.objects.get(action="coaching.note_read")
    assert event.ip_address == "127.0.0.1"


def test_dates_show_in_the_readers_time_zone(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)
    SessionNote.objects.filter(pk=note.pk).update(
        created_at="2026-03-01T23:30:00+00:00", updated_at="2026-03-01T23:30:00+00:00"
    )
    pair.coach.person.time_zone = "Asia/Tokyo"
    pair.coach.person.save()

    html = pair.coach.client.get(note_url(note)).content.decode()

    assert 'Note of <time datetime="2026-03-02T08:30:00+09:00">2 Mar 2026</time>' in html


# Changing, sharing, deleting


def test_the_author_edits_a_note(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, "OLD")

    form = pair.coach.client.get(note_url(note, "note_edit"))
    assert form.context["form"].initial["goal"] == "OLD-goal"
    assert "share" not in form.context["form"].fields

    data = dict.fromkeys(SessionNote.GROW_FIELDS, "") | {"goal": "NEW goal"}
    response = pair.coach.client.post(note_url(note, "note_edit"), data)

    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.goal, note.reality) == ("NEW goal", "")


def test_sharing_and_unsharing_from_the_note_page(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)

    response = pair.coach.client.post(note_url(note, "note_share"))
    assert response.status_code == 302
    assert SessionNote.objects.get().is_shared

    response = pair.coach.client.post(note_url(note, "note_unshare"), follow=True)
    assert "The note is private again." in response.content.decode()
    assert not SessionNote.objects.get().is_shared


def test_sharing_with_htmx_swaps_the_privacy_panel(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, "BODY")

    response = pair.coach.client.post(note_url(note, "note_share"), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card note-privacy" id="note-privacy"')
    assert "Shared with Cole Coachee on" in html
    assert "Make private again" in html
    assert "BODY" not in html
    assert "no-store" in response["Cache-Control"]


def test_a_refused_share_is_shown_in_the_panel(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, shared=True)

    response = pair.coach.client.post(note_url(note, "note_share"), headers={"HX-Request": "true"})

    assert "This note is shared already." in response.content.decode()


def test_sharing_needs_a_post(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)

    assert pair.coach.client.get(note_url(note, "note_share")).status_code == 405


def test_deleting_asks_first(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person, shared=True)

    confirm = pair.coach.client.get(note_url(note, "note_delete"))
    assert "Cole Coachee will no longer be able to read it" in confirm.content.decode()
    assert SessionNote.objects.count() == 1

    response = pair.coach.client.post(note_url(note, "note_delete"))
    assert response.status_code == 302
    assert response.url == notes_url(pair)
    assert SessionNote.objects.count() == 0


def test_a_finished_relationships_notes_are_kept_as_they_were(pair: Pair) -> None:
    note = write_note(pair.relationship, pair.coach.person)
    CoachingRelationship.objects.filter(pk=pair.relationship.pk).update(
        status=CoachingRelationship.Status.ENDED, end_reason="no_fault"
    )

    response = pair.coach.client.post(note_url(note, "note_edit"), {"goal": "changed"})

    assert "its record can no longer change" in response.content.decode()
    assert SessionNote.objects.get().goal == "MARKER-goal"


# Who gets in


def _every_url(pair: Pair, note: SessionNote) -> list[str]:
    names = ("note", "note_edit", "note_share", "note_unshare", "note_delete")
    return [notes_url(pair), new_url(pair), *(note_url(note, name) for name in names)]


def test_outsiders_sponsors_and_admins_get_404_everywhere(
    pair: Pair, admin, sponsor, outsider
) -> None:
    note = write_note(pair.relationship, pair.coach.person, shared=True)
    pair.programme.sponsor = sponsor.person
    pair.programme.save()

    for member in (admin, sponsor, outsider):
        for url in _every_url(pair, note):
            assert member.client.get(url).status_code in (404, 405), (member, url)
            assert member.client.post(url).status_code == 404, (member, url)
    assert SessionNote.objects.get().is_shared
    assert reads() == []


def test_the_other_party_gets_404_for_a_private_note_and_for_changes(pair: Pair) -> None:
    private = write_note(pair.relationship, pair.coach.person)
    shared = write_note(pair.relationship, pair.coach.person, shared=True)

    assert pair.coachee.client.get(note_url(private)).status_code == 404
    for name in ("note_edit", "note_share", "note_unshare", "note_delete"):
        assert pair.coachee.client.post(note_url(shared, name)).status_code == 404
    assert SessionNote.objects.filter(shared_at__isnull=False).count() == 1


def test_anonymous_visitors_are_sent_to_log_in(pair: Pair, client) -> None:
    note = write_note(pair.relationship, pair.coach.person)

    for url in _every_url(pair, note):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
