"""The pair's pages: my relationships, a relationship's overview and its agreement."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cadre.accounts.http import AuthenticatedRequest
from cadre.coaching.access import person_of, relationship_for_party, relationships_for_party
from cadre.coaching.forms import PartyActionForm, SectionsForm
from cadre.coaching.models import (
    Agreement,
    CoachingRelationship,
    RelationshipStatus,
)
from cadre.coaching.queries import agreement_of, party_profiles, with_signatures, zone_of
from cadre.coaching.rules import CoachingError
from cadre.coaching.services import (
    SECTIONS,
    agreement_document,
    agreement_sha256,
    agreement_sign,
    agreement_update,
    relationship_accept,
    relationship_decline,
    relationship_pause,
    relationship_resume,
)
from cadre.enablement.rendering import markdown_render
from cadre.people.models import Person

Status = RelationshipStatus

# Relationships and agreements (helper "relationships")


@dataclass(frozen=True)
class NextStep:
    """What the viewer should do next in a relationship, in words, and whether it is theirs
    to do (``urgent``)."""

    text: str
    urgent: bool = False


def next_step(relationship: CoachingRelationship, person: Person) -> NextStep:
    """The viewer's next step; the relationship is annotated by ``with_signatures``."""
    role = relationship.party_role(person)
    other = relationship.other_party(person).display_name
    if relationship.status == Status.PROPOSED:
        if getattr(relationship, f"{role}_accepted_at") is None:
            return NextStep("Accept or decline the pairing", urgent=True)
        return NextStep(f"Waiting for {other} to accept")
    if relationship.status == Status.AGREED:
        if getattr(relationship, f"{role}_signed_at", None) is None:
            return NextStep("Read and sign the agreement", urgent=True)
        return NextStep(f"Waiting for {other} to sign the agreement")
    if relationship.status == Status.ACTIVE:
        return NextStep("Coaching under way")
    if relationship.status == Status.PAUSED:
        return NextStep("Paused: resume when you are ready")
    return NextStep("Finished")


def _time_zone(person: Person | None) -> str:
    return zone_of(person).key


@login_required
def my_relationships(request: AuthenticatedRequest) -> HttpResponse:
    person = person_of(request.user)
    relationships = list(
        with_signatures(relationships_for_party(request.user)).order_by("-proposed_at", "-pk")
    )
    rows = [
        (relationship, relationship.party_role(person), next_step(relationship, person))
        for relationship in relationships
        if person is not None
    ]
    context = {"rows": rows, "time_zone": _time_zone(person), "section": "coaching"}
    return render(request, "coaching/my_relationships.html", context)


@login_required
def relationship_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    person = person_of(request.user)
    assert person is not None  # relationship_for_party found a relationship of theirs
    role = relationship.party_role(person)
    agreement = agreement_of(relationship)
    context = {
        "relationship": relationship,
        "profiles": party_profiles(relationship, reader=role),
        "tab": "overview",
        "role": role,
        "other": relationship.other_party(person),
        "accepted": getattr(relationship, f"{role}_accepted_at") is not None,
        "agreement": agreement,
        "signed_by_me": agreement is not None and getattr(agreement, f"{role}_signed_at"),
        "party_form": PartyActionForm(),
        "time_zone": _time_zone(person),
        "section": "coaching",
    }
    return render(request, "coaching/relationship_detail.html", context)


@login_required
@require_POST
def relationship_accept_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    person = person_of(request.user)
    assert person is not None
    try:
        relationship = relationship_accept(
            relationship=relationship, person=person, request=request
        )
    except CoachingError as error:
        messages.error(request, str(error))
        return redirect("coaching:relationship", pk)
    if relationship.status == Status.AGREED:
        messages.success(request, "You have both accepted. Read your agreement, then sign it.")
        return redirect("coaching:agreement", pk)
    other = relationship.other_party(person).display_name
    messages.success(request, f"Accepted. Once {other} accepts too, your agreement is drawn up.")
    return redirect("coaching:relationship", pk)


@login_required
@require_POST
def relationship_decline_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    person = person_of(request.user)
    assert person is not None
    try:
        relationship_decline(relationship=relationship, person=person, request=request)
    except CoachingError as error:
        messages.error(request, str(error))
        return redirect("coaching:relationship", pk)
    messages.success(
        request, "Declined. That is no fault of anyone's; the programme admin is told."
    )
    return redirect("coaching:my_relationships")


@login_required
@require_POST
def relationship_pause_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _party_move(request, pk, pause=True)


@login_required
@require_POST
def relationship_resume_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _party_move(request, pk, pause=False)


def _party_move(request: AuthenticatedRequest, pk: int, *, pause: bool) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    form = PartyActionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    move = relationship_pause if pause else relationship_resume
    try:
        move(relationship=relationship, by=request.user, note=note, request=request)
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Paused." if pause else "Resumed: welcome back.")
    return redirect("coaching:relationship", pk)


@login_required
def agreement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    person = person_of(request.user)
    assert person is not None
    agreement = agreement_of(relationship)
    editable = (
        agreement is not None and relationship.status == Status.AGREED and not agreement.is_signed
    )
    form = None
    if editable:
        assert agreement is not None
        if request.method == "POST":
            form = SectionsForm(request.POST)
            if form.is_valid():
                try:
                    change = agreement_update(
                        agreement=agreement,
                        by=request.user,
                        values=form.cleaned_data,
                        request=request,
                    )
                except CoachingError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _change_message(change.changed, change.withdrawn))
                    return redirect("coaching:agreement", pk)
        else:
            form = SectionsForm(initial={name: getattr(agreement, name) for name in SECTIONS})
    role = relationship.party_role(person)
    context = {
        "relationship": relationship,
        "tab": "agreement",
        "agreement": agreement,
        "role": role,
        "other": relationship.other_party(person),
        "document": _document_html(agreement),
        "document_sha256": agreement_sha256(agreement) if agreement is not None else "",
        "signed_by_me": agreement is not None and getattr(agreement, f"{role}_signed_at"),
        "can_sign": relationship.status == Status.AGREED,
        "form": form,
        "time_zone": _time_zone(person),
        "section": "coaching",
    }
    return render(request, "coaching/agreement.html", context)


def _document_html(agreement: Agreement | None) -> str:
    if agreement is None:
        return ""
    text = agreement.signed_text if agreement.is_signed else agreement_document(agreement)
    return markdown_render(text)


def _change_message(changed: list[str], withdrawn: list[str]) -> str:
    if not changed:
        return "Nothing changed."
    if withdrawn:
        who = " and ".join(f"the {role}'s" for role in withdrawn)
        return (
            f"Saved. The text changed, so {who} signature was withdrawn: "
            "both of you sign the new text."
        )
    return "Saved."


@login_required
@require_POST
def agreement_sign_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    relationship = relationship_for_party(request.user, pk)
    person = person_of(request.user)
    assert person is not None
    agreement = agreement_of(relationship)
    if agreement is None:
        messages.error(request, "There is no agreement to sign yet: both must accept the pairing.")
        return redirect("coaching:relationship", pk)
    try:
        agreement = agreement_sign(
            agreement=agreement,
            person=person,
            shown_sha256=request.POST.get("sha256") or None,
            request=request,
        )
    except CoachingError as error:
        messages.error(request, str(error))
    else:
        if agreement.is_signed:
            messages.success(request, "Signed by you both: your coaching relationship is active.")
        else:
            other = relationship.other_party(person).display_name
            messages.success(request, f"Signed. Your coaching starts once {other} signs too.")
    return redirect("coaching:agreement", pk)
