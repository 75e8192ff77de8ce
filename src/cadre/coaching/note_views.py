"""Session notes: the Notes tab of a relationship, writing, reading, sharing and deleting.

Only the author and, for a shared note, the other party reach these pages; everyone else
gets 404 from the access helpers. Each page is marked ``no-store`` so that no browser or
proxy keeps a copy of a note.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.access import (
    note_for_author,
    note_for_reader,
    notes_for_reader,
    person_of,
    relationship_for_party,
    sessions_for_user,
)
from cadre.coaching.forms import NoteForm
from cadre.coaching.models import CoachingRelationship, SessionNote
from cadre.coaching.notes import (
    note_create,
    note_delete,
    note_read,
    note_share,
    note_unshare,
    note_update,
)
from cadre.coaching.queries import zone_of
from cadre.coaching.rules import CoachingError
from cadre.people.models import Person


def _reader(request: AuthenticatedRequest) -> Person:
    """The person behind the login; the access helpers already answered 404 to anyone else."""
    person = person_of(request.user)
    if person is None:
        raise Http404("No such note.")
    return person


def _time_zone(person: Person) -> str:
    return zone_of(person).key


def _note_form(
    request: AuthenticatedRequest,
    relationship: CoachingRelationship,
    person: Person,
    *,
    with_share: bool,
    initial: dict[str, object] | None = None,
) -> NoteForm:
    return NoteForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        sessions=sessions_for_user(request.user).filter(relationship=relationship),
        other_name=relationship.other_party(person).display_name,
        with_share=with_share,
        time_zone=_time_zone(person),
    )


def _context(
    relationship: CoachingRelationship, person: Person, **values: object
) -> dict[str, object]:
    return {
        "relationship": relationship,
        "other": relationship.other_party(person),
        "tab": "notes",
        "section": "coaching",
        "time_zone": _time_zone(person),
        **values,
    }


@never_cache
@login_required
def notes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The relationship's Notes tab: the reader's own notes, and those shared with them."""
    relationship = relationship_for_party(request.user, pk)
    person = _reader(request)
    readable = list(notes_for_reader(request.user).filter(relationship=relationship))
    context = _context(
        relationship,
        person,
        mine=[note for note in readable if note.author_id == person.pk],
        shared_with_me=[note for note in readable if note.author_id != person.pk],
    )
    return render(request, "coaching/notes/list.html", context)


@never_cache
@login_required
def note_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    person = _reader(request)
    form = _note_form(request, relationship, person, with_share=True)
    if request.method == "POST" and form.is_valid():
        try:
            note = note_create(
                relationship=relationship,
                author=person,
                values=form.values(),
                session=form.cleaned_data["session"],
                share=form.cleaned_data["share"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Note saved.")
            return redirect("coaching:note", pk=note.pk)
    return render(request, "coaching/notes/form.html", _context(relationship, person, form=form))


@never_cache
@login_required
def note_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The whole note. A read by the other party is written to the audit log."""
    note = note_for_reader(request.user, pk)
    person = _reader(request)
    try:
        note_read(note=note, reader=person, request=request)
    except CoachingError:
        raise Http404("No such note.") from None
    context = _context(note.relationship, person, note=note, is_author=note.author_id == person.pk)
    return render(request, "coaching/notes/detail.html", context)


@never_cache
@login_required
def note_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    note = note_for_author(request.user, pk)
    person = _reader(request)
    initial: dict[str, object] = {name: getattr(note, name) for name in SessionNote.GROW_FIELDS}
    initial["session"] = note.session_id
    form = _note_form(request, note.relationship, person, with_share=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            note_update(
                note=note,
                author=person,
                values=form.values(),
                session=form.cleaned_data["session"],
                request=request,
            )
        except CoachingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Note saved.")
            return redirect("coaching:note", pk=note.pk)
    context = _context(note.relationship, person, form=form, note=note)
    return render(request, "coaching/notes/form.html", context)


@never_cache
@login_required
@require_POST
def note_share_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _change_sharing(request, pk, share=True)


@never_cache
@login_required
@require_POST
def note_unshare_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _change_sharing(request, pk, share=False)


def _change_sharing(request: AuthenticatedRequest, pk: int, *, share: bool) -> HttpResponse:
    """Share or unshare; htmx swaps the privacy panel, a plain form goes back to the note."""
    note = note_for_author(request.user, pk)
    person = _reader(request)
    error = ""
    try:
        if share:
            note_share(note=note, author=person, request=request)
        else:
            note_unshare(note=note, author=person, request=request)
    except CoachingError as refused:
        error = str(refused)
    if request.htmx:
        context = _context(note.relationship, person, note=note, is_author=True, error=error)
        return render(request, "coaching/notes/detail.html#privacy", context)
    if error:
        messages.error(request, error)
    elif share:
        other = note.relationship.other_party(person).display_name
        messages.success(request, f"Shared with {other}.")
    else:
        messages.success(request, "The note is private again.")
    return redirect("coaching:note", pk=note.pk)


@never_cache
@login_required
def note_delete_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Asks first; deletes on POST."""
    note = note_for_author(request.user, pk)
    person = _reader(request)
    relationship = note.relationship
    if request.method == "POST":
        note_delete(note=note, author=person, request=request)
        messages.success(request, "Note deleted.")
        return redirect("coaching:notes", pk=relationship.pk)
    return render(request, "coaching/notes/delete.html", _context(relationship, person, note=note))
