"""Relationships and agreements: the lifecycle, the hard rules, the agreement gate, the pool."""

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.coaching.agreement_text import DEFAULT_SECTIONS
from cadre.coaching.models import (
    Agreement,
    AgreementTemplate,
    CoachingRelationship,
    CoachingSession,
    RelationshipTransition,
)
from cadre.coaching.queries import coachee_pool
from cadre.coaching.rules import CoachingError
from cadre.coaching.scheduling import session_schedule
from cadre.coaching.services import (
    TRANSITIONS,
    agreement_document,
    agreement_sign,
    agreement_template_for,
    agreement_template_save,
    agreement_update,
    relationship_accept,
    relationship_complete,
    relationship_confirm,
    relationship_decline,
    relationship_end,
    relationship_pause,
    relationship_propose,
    relationship_resume,
    transition_refusal,
)
from cadre.coaching.tasks import session_reminders_queue
from cadre.enablement.services import CoachNotCertifiedError, require_certified_coach
from cadre.notifications.models import Notification
from cadre.programs.models import Programme
from tests.coaching.conftest import (
    active_relationship,
    coachee_person,
    enrol_coach,
    enrol_coachee,
)
from tests.concurrency import at_once
from tests.factories import PersonFactory
from tests.programs.conftest import put_in

Status = CoachingRelationship.Status


@pytest.fixture
def people(programme, coach, coachee):
    """The cast's coach (capacity 2) and coachee, approved in the running programme."""
    enrol_coach(programme, coach.person)
    enrol_coachee(programme, coachee.person)
    return coach.person, coachee.person


def propose(programme, coach_person, coachee_person, by=None):
    return relationship_propose(
        programme=programme, coach=coach_person, coachee=coachee_person, proposed_by=by
    )


def agreed(programme, people, admin):
    relationship = propose(programme, *people, by=admin.user)
    return relationship_confirm(relationship=relationship, by=admin.user)


def refusal(programme, coach_person, coachee_person) -> str:
    with pytest.raises(CoachingError) as error:
        propose(programme, coach_person, coachee_person)
    return str(error.value)


def recipients(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def actions(relationship) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(relationship.pk), action__startswith="coaching.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# Proposing and the hard rules


def test_a_proposal_is_recorded_audited_and_told_to_both(programme, people, admin):
    relationship = propose(programme, *people, by=admin.user)

    assert (relationship.status, relationship.origin, relationship.proposed_by) == (
        Status.PROPOSED,
        "manual",
        admin.user,
    )
    assert list(relationship.transitions.values_list("from_status", "to_status", "by")) == [
        ("", "proposed", admin.user.pk)
    ]
    event = AuditEvent.objects.get(action="coaching.relationship_propose")
    assert (event.actor, event.details) == (
        admin.user,
        {
            "programme": programme.pk,
            "coach": people[0].pk,
            "coachee": people[1].pk,
            "origin": "manual",
        },
    )
    assert recipients(Notification.Kind.RELATIONSHIP_PROPOSED) == [
        "coach@example.org",
        "coachee@example.org",
    ]


def test_matching_proposes_through_the_same_service(programme, people):
    relationship = relationship_propose(
        programme=programme,
        coach=people[0],
        coachee=people[1],
        proposed_by=None,
        origin="matching",
    )

    assert relationship.origin == CoachingRelationship.Origin.MATCHING


def test_an_uncertified_coach_is_refused(programme, coachee):
    uncertified = PersonFactory(full_name="Una Uncertified")
    enrol_coach(programme, uncertified, certified=False)
    enrol_coachee(programme, coachee.person)
    with pytest.raises(CoachNotCertifiedError) as why:
        require_certified_coach(person=uncertified, on=timezone.localdate())

    assert refusal(programme, uncertified, coachee.person) == (
        f"Una Uncertified can't coach Cole Coachee: Only certified coaches coach: {why.value}"
    )
    assert CoachingRelationship.objects.count() == 0


@pytest.mark.parametrize("depth", [1, 3])
def test_a_manager_never_coaches_someone_in_their_reporting_line(programme, coach, depth):
    enrol_coach(programme, coach.person)
    above = coach.person
    for _ in range(depth - 1):
        above = PersonFactory(manager=above)
    report = coachee_person(full_name="Rita Report", manager=above)
    enrol_coachee(programme, report)

    assert refusal(programme, coach.person, report) == (
        "Cora Coach can't coach Rita Report: Cora Coach and Rita Report are in one reporting "
        "line: nobody coaches someone they manage or who manages them, at any depth."
    )


def test_a_coachee_never_coaches_their_own_manager(programme, coach):
    enrol_coach(programme, coach.person)
    manager = coachee_person(full_name="Max Manager")
    coach.person.manager = manager
    coach.person.save()
    enrol_coachee(programme, manager)

    assert "are in one reporting line" in refusal(programme, coach.person, manager)


def test_a_coach_never_takes_more_coachees_than_their_capacity(programme, coach):
    enrol_coach(programme, coach.person, capacity=1)
    first, second = coachee_person(), coachee_person(full_name="Sid Second")
    enrol_coachee(programme, first)
    enrol_coachee(programme, second)
    propose(programme, coach.person, first)

    assert refusal(programme, coach.person, second) == (
        "Cora Coach can't coach Sid Second: Cora Coach has no free place in "
        "“Leaders coaching leaders”: 1 of 1 coachee already."
    )


def test_capacity_without_a_profile_is_the_programme_default(programme, coach):
    enrol_coach(programme, coach.person).coach_profile.delete()
    Programme.objects.filter(pk=programme.pk).update(default_coach_capacity=1)
    programme.refresh_from_db()
    first, second = coachee_person(), coachee_person()
    enrol_coachee(programme, first)
    enrol_coachee(programme, second)
    propose(programme, coach.person, first)

    assert "no free place" in refusal(programme, coach.person, second)


def test_capacity_counts_live_relationships_only(programme, coach, admin):
    enrol_coach(programme, coach.person, capacity=1)
    finished = []
    for reason in ("no_fault", "other"):
        person = coachee_person()
        enrol_coachee(programme, person)
        relationship = active_relationship(programme, coach.person, person)
        relationship_end(relationship=relationship, reason=reason, ended_by=admin.user)
        finished.append(person)
    completed = coachee_person()
    enrol_coachee(programme, completed)
    relationship_complete(
        relationship=active_relationship(programme, coach.person, completed), by=admin.user
    )
    newcomer = coachee_person()
    enrol_coachee(programme, newcomer)

    assert propose(programme, coach.person, newcomer).status == Status.PROPOSED
    for status in (Status.AGREED, Status.ACTIVE, Status.PAUSED):
        CoachingRelationship.objects.filter(coachee=newcomer).update(status=status)
        assert "no free place" in refusal(programme, coach.person, coachee_person())


def test_a_coachee_has_one_live_relationship_per_programme(programme, people, coach):
    propose(programme, *people)
    other_coach = PersonFactory(full_name="Olga Other")
    enrol_coach(programme, other_coach)

    assert refusal(programme, other_coach, people[1]) == (
        "Olga Other can't coach Cole Coachee: Cole Coachee already has a coach in "
        "“Leaders coaching leaders”."
    )


def test_every_broken_rule_is_named_in_one_refusal(make_programme, coach):
    programme = make_programme("Draft programme")
    enrol_coach(programme, coach.person, certified=False)
    report = coachee_person(full_name="Rita Report", manager=coach.person)
    with pytest.raises(CoachNotCertifiedError) as why:
        require_certified_coach(person=coach.person, on=timezone.localdate())

    assert refusal(programme, coach.person, report) == (
        "Cora Coach can't coach Rita Report: "
        "“Draft programme” is draft: pairs are made only while it is matching or running. "
        "Rita Report is not an approved coachee in “Draft programme”. "
        f"Only certified coaches coach: {why.value} "
        "Cora Coach and Rita Report are in one reporting line: nobody coaches someone they "
        "manage or who manages them, at any depth."
    )


def test_people_not_approved_in_the_programme_are_refused(programme):
    stranger, other = PersonFactory(full_name="Sam Stranger"), coachee_person(full_name="Oli")

    message = refusal(programme, stranger, other)

    assert "Sam Stranger is not an approved coach in “Leaders coaching leaders”." in message
    assert "Oli is not an approved coachee in “Leaders coaching leaders”." in message


def test_a_matching_programme_takes_pairs(programme, people):
    put_in(programme, Programme.Status.MATCHING)

    assert propose(programme, *people).status == Status.PROPOSED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real race to test"
)
def test_two_proposals_for_a_coachs_last_place_make_one_relationship(programme, coach):
    enrol_coach(programme, coach.person, capacity=1)
    first, second = coachee_person(), coachee_person()
    enrol_coachee(programme, first)
    enrol_coachee(programme, second)
    outcomes = at_once(
        [
            lambda person=person: propose(programme, coach.person, person)
            for person in (first, second)
        ],
        refused=CoachingError,
        done="proposed",
    )

    assert sorted(outcomes, key=len)[0] == "proposed"
    assert "has no free place" in sorted(outcomes, key=len)[1]
    assert CoachingRelationship.objects.filter(coach=coach.person).count() == 1


# The lifecycle

ALL_MOVES = [(a, b) for a in Status.values for b in Status.values if a != b]


@pytest.mark.parametrize(("from_status", "to_status"), ALL_MOVES)
def test_only_the_lifecycle_moves_are_allowed(from_status, to_status):
    relationship = CoachingRelationship(status=from_status)
    allowed = {
        ("proposed", "agreed"),
        ("proposed", "ended"),
        ("agreed", "active"),
        ("agreed", "ended"),
        ("active", "paused"),
        ("active", "completed"),
        ("active", "ended"),
        ("paused", "active"),
        ("paused", "completed"),
        ("paused", "ended"),
    }
    assert set(TRANSITIONS) == allowed
    expected = (
        None
        if (from_status, to_status) in allowed
        else (
            f"The relationship is {Status(from_status).label.lower()}: it can't become "
            f"{Status(to_status).label.lower()}."
        )
    )
    assert transition_refusal(relationship, to_status) == expected


def test_pause_resume_complete_each_write_a_transition_and_an_audit_entry(pair, admin):
    relationship = pair.relationship
    relationship = relationship_pause(relationship=relationship, by=pair.coach.user, note="Leave")
    relationship = relationship_resume(relationship=relationship, by=pair.coachee.user)
    relationship = relationship_complete(relationship=relationship, by=admin.user)

    assert (relationship.status, relationship.finished_at is not None) == (Status.COMPLETED, True)
    assert list(
        RelationshipTransition.objects.filter(relationship=relationship).values_list(
            "from_status", "to_status", "note"
        )
    ) == [("active", "paused", "Leave"), ("paused", "active", ""), ("active", "completed", "")]
    assert actions(relationship) == [
        "coaching.relationship_pause",
        "coaching.relationship_resume",
        "coaching.relationship_complete",
    ]
    assert AuditEvent.objects.get(action="coaching.relationship_pause").details == {
        "from": "active",
        "to": "paused",
    }
    assert Notification.objects.filter(kind=Notification.Kind.RELATIONSHIP_CHANGED).count() == 6


def test_refused_moves_change_nothing(pair, admin):
    relationship = relationship_complete(relationship=pair.relationship, by=admin.user)

    with pytest.raises(
        CoachingError, match=r"^The relationship is completed: it can't become paused.$"
    ):
        relationship_pause(relationship=relationship, by=admin.user)
    with pytest.raises(
        CoachingError, match=r"^The relationship is completed: it can't become ended early."
    ):
        relationship_end(relationship=relationship, reason="other", ended_by=admin.user)
    with pytest.raises(
        CoachingError, match=r"^The relationship is completed: it can't become active.$"
    ):
        relationship_resume(relationship=pair.relationship, by=admin.user)
    assert transition_refusal(relationship, Status.COMPLETED) == (
        "The relationship is completed already."
    )

    relationship.refresh_from_db()
    assert (relationship.status, relationship.end_reason) == (Status.COMPLETED, "")
    assert relationship.transitions.count() == 1


def test_who_may_do_what(pair, outsider, sponsor):
    relationship = pair.relationship
    for user in (outsider.user, sponsor.user):
        with pytest.raises(PermissionDenied):
            relationship_pause(relationship=relationship, by=user)
    for user in (pair.coach.user, pair.coachee.user):
        with pytest.raises(PermissionDenied):
            relationship_complete(relationship=relationship, by=user)
        with pytest.raises(PermissionDenied):
            relationship_end(relationship=relationship, reason="no_fault", ended_by=user)
    relationship.refresh_from_db()
    assert relationship.status == Status.ACTIVE


def test_a_no_fault_ending_puts_the_coachee_back_in_the_pool_with_priority(pair, admin):
    ended = relationship_end(
        relationship=pair.relationship,
        reason="no_fault",
        note="They agreed it wasn't working; both were kind about it.",
        ended_by=admin.user,
    )

    assert (ended.status, ended.end_reason, ended.rematch_priority) == (
        Status.ENDED,
        "no_fault",
        True,
    )
    assert ended.end_note == "They agreed it wasn't working; both were kind about it."
    event = AuditEvent.objects.get(action="coaching.relationship_end")
    assert event.details == {
        "from": "active",
        "to": "ended",
        "reason": "no_fault",
        "rematch_priority": True,
    }
    pool = list(coachee_pool(pair.programme))
    assert [(e.person, e.priority) for e in pool] == [(pair.coachee.person, True)]


def test_an_ending_for_another_reason_gives_no_priority(pair, admin):
    ended = relationship_end(
        relationship=pair.relationship, reason="left_organisation", ended_by=admin.user
    )

    assert ended.rematch_priority is False


def test_an_ending_needs_a_reason(pair, admin):
    for reason in ("", "declined", "bored"):
        with pytest.raises(CoachingError, match=r"^Choose why the relationship ends.$"):
            relationship_end(relationship=pair.relationship, reason=reason, ended_by=admin.user)


def test_the_pool_puts_priority_coachees_first_and_leaves_out_the_paired(programme, coach, admin):
    enrol_coach(programme, coach.person, capacity=5)
    anna, bert, carl = (coachee_person(full_name=name) for name in ("Anna", "Bert", "Carl"))
    for person in (anna, bert, carl):
        enrol_coachee(programme, person)
    relationship_end(
        relationship=active_relationship(programme, coach.person, carl),
        reason="no_fault",
        ended_by=admin.user,
    )
    propose(programme, coach.person, bert)

    assert [(e.person.full_name, e.priority) for e in coachee_pool(programme)] == [
        ("Carl", True),
        ("Anna", False),
    ]


# Accepting and declining


def test_both_accept_then_the_agreement_is_drawn_up_from_the_template(programme, people):
    relationship = propose(programme, *people)
    coach_person, coachee_person_ = people

    relationship = relationship_accept(relationship=relationship, person=coachee_person_)
    assert (relationship.status, relationship.coach_accepted_at) == (Status.PROPOSED, None)
    assert not Agreement.objects.exists()

    relationship = relationship_accept(relationship=relationship, person=coach_person)

    assert relationship.status == Status.AGREED
    agreement = Agreement.objects.get(relationship=relationship)
    assert agreement.template_version == 1
    assert agreement.goals.startswith(
        "Cole Coachee and Cora Coach work together for about 6 months in Leaders coaching leaders."
    )
    assert "- We meet every 14 days, for about an hour" in agreement.cadence
    assert "{" not in agreement_document(agreement)
    assert (agreement.coach_signed_at, agreement.coachee_signed_at, agreement.signed_text) == (
        None,
        None,
        "",
    )
    assert recipients(Notification.Kind.AGREEMENT_TO_SIGN) == [
        "coach@example.org",
        "coachee@example.org",
    ]
    assert actions(relationship) == [
        "coaching.relationship_propose",
        "coaching.relationship_accept",
        "coaching.relationship_accept",
        "coaching.relationship_agree",
    ]


def test_accepting_twice_changes_nothing(programme, people):
    relationship = propose(programme, *people)
    first = relationship_accept(relationship=relationship, person=people[0]).coach_accepted_at

    again = relationship_accept(relationship=relationship, person=people[0])

    assert again.coach_accepted_at == first
    assert actions(relationship).count("coaching.relationship_accept") == 1


def test_only_the_pair_accepts_and_only_a_proposal(programme, people, admin):
    relationship = propose(programme, *people)
    with pytest.raises(PermissionDenied):
        relationship_accept(relationship=relationship, person=PersonFactory())
    relationship_confirm(relationship=relationship, by=admin.user)

    with pytest.raises(CoachingError, match=r"^The relationship is agreed: only a proposal"):
        relationship_decline(relationship=relationship, person=people[1])


def test_an_admin_confirms_for_both(programme, people, admin, coach):
    relationship = propose(programme, *people)
    with pytest.raises(PermissionDenied):
        relationship_confirm(relationship=relationship, by=coach.user)

    confirmed = relationship_confirm(relationship=relationship, by=admin.user)

    assert confirmed.status == Status.AGREED
    assert confirmed.coach_accepted_at is not None
    assert confirmed.coachee_accepted_at is not None
    assert Agreement.objects.filter(relationship=relationship).exists()


def test_declining_ends_the_proposal_no_fault(programme, people):
    relationship = propose(programme, *people)

    declined = relationship_decline(relationship=relationship, person=people[0])

    assert (declined.status, declined.end_reason, declined.rematch_priority) == (
        Status.ENDED,
        "declined",
        True,
    )
    assert AuditEvent.objects.get(action="coaching.relationship_decline").details == {
        "from": "proposed",
        "to": "ended",
        "role": "coach",
        "reason": "declined",
    }
    assert [e.priority for e in coachee_pool(programme)] == [True]
    # Back in the pool: the coachee can be proposed again, to the same coach or another.
    assert propose(programme, *people).status == Status.PROPOSED


# The agreement gate


def test_the_relationship_becomes_active_only_when_both_have_signed(programme, people, admin):
    relationship = agreed(programme, people, admin)
    agreement = relationship.agreement

    agreement = agreement_sign(agreement=agreement, person=people[0])
    relationship.refresh_from_db()
    assert (relationship.status, agreement.signed_text) == (Status.AGREED, "")
    assert agreement.coach_signed_at is not None

    agreement = agreement_sign(agreement=agreement, person=people[1])
    relationship.refresh_from_db()

    assert relationship.status == Status.ACTIVE
    assert relationship.started_at is not None
    assert agreement.coachee_signed_at is not None
    assert agreement.signed_text == agreement_document(agreement)
    assert agreement.signed_text.startswith("# Coaching agreement: Cora Coach and Cole Coachee\n\n")
    assert "## Confidentiality\n\n" in agreement.signed_text
    assert (
        agreement.signed_text_sha256 == hashlib.sha256(agreement.signed_text.encode()).hexdigest()
    )
    assert recipients(Notification.Kind.RELATIONSHIP_STARTED) == [
        "coach@example.org",
        "coachee@example.org",
    ]
    assert actions(relationship)[-3:] == [
        "coaching.agreement_sign",
        "coaching.agreement_sign",
        "coaching.relationship_activate",
    ]
    assert AuditEvent.objects.filter(action="coaching.agreement_sign").order_by(
        "pk"
    ).first().details == {"role": "coach"}


def test_signing_twice_changes_nothing(programme, people, admin):
    agreement = agreed(programme, people, admin).agreement
    first = agreement_sign(agreement=agreement, person=people[0]).coach_signed_at

    again = agreement_sign(agreement=agreement, person=people[0])

    assert again.coach_signed_at == first
    assert AuditEvent.objects.filter(action="coaching.agreement_sign").count() == 1


def test_only_the_pair_signs(programme, people, admin):
    agreement = agreed(programme, people, admin).agreement

    with pytest.raises(PermissionDenied):
        agreement_sign(agreement=agreement, person=admin.person)


def test_an_edit_withdraws_the_signatures_already_given_and_says_so(programme, people, admin):
    relationship = agreed(programme, people, admin)
    agreement = agreement_sign(agreement=relationship.agreement, person=people[0])

    change = agreement_update(
        agreement=agreement,
        by=people[1].user,
        values={"goals": "Lead the new team with confidence.", "cadence": agreement.cadence},
    )

    assert (change.changed, change.withdrawn) == (["goals"], ["coach"])
    agreement.refresh_from_db()
    assert (agreement.goals, agreement.coach_signed_at) == (
        "Lead the new team with confidence.",
        None,
    )
    event = AuditEvent.objects.get(action="coaching.agreement_update")
    assert event.details == {"sections": ["goals"], "withdrawn": ["coach"]}


def test_an_unchanged_text_keeps_the_signatures(programme, people, admin):
    relationship = agreed(programme, people, admin)
    agreement = agreement_sign(agreement=relationship.agreement, person=people[0])

    change = agreement_update(
        agreement=agreement, by=people[1].user, values={"goals": agreement.goals}
    )

    assert (change.changed, change.withdrawn) == ([], [])
    agreement.refresh_from_db()
    assert agreement.coach_signed_at is not None


def test_edits_are_refused_once_signed_and_sections_are_checked(programme, people, admin):
    relationship = agreed(programme, people, admin)
    agreement = relationship.agreement
    with pytest.raises(CoachingError, match=r"^The goals section can't be empty.$"):
        agreement_update(agreement=agreement, by=people[0].user, values={"goals": "  "})
    with pytest.raises(CoachingError, match=r"^Unknown sections: signed_text.$"):
        agreement_update(agreement=agreement, by=people[0].user, values={"signed_text": "x"})
    with pytest.raises(PermissionDenied):
        agreement_update(agreement=agreement, by=admin.user, values={"goals": "x"})
    agreement_sign(agreement=agreement, person=people[0])
    agreement = agreement_sign(agreement=agreement, person=people[1])

    with pytest.raises(CoachingError, match=r"^The agreement is signed by both"):
        agreement_update(agreement=agreement, by=people[0].user, values={"goals": "Other"})


def test_the_signed_text_stays_as_signed_when_the_template_changes(programme, people, admin):
    relationship = agreed(programme, people, admin)
    agreement_sign(agreement=relationship.agreement, person=people[0])
    signed = agreement_sign(agreement=relationship.agreement, person=people[1])

    template = agreement_template_save(
        programme=programme,
        values={"confidentiality": "Everything is shared with {coach}'s manager."},
        by=admin.user,
    )

    assert template.version == 2
    agreement = Agreement.objects.get(pk=signed.pk)
    assert (agreement.signed_text, agreement.signed_text_sha256, agreement.template_version) == (
        signed.signed_text,
        hashlib.sha256(signed.signed_text.encode()).hexdigest(),
        1,
    )
    assert "Everything is shared" not in agreement.confidentiality
    assert AuditEvent.objects.get(action="coaching.agreement_template_save").details == {
        "sections": ["confidentiality"],
        "version": 2,
    }


def test_a_new_pair_gets_the_new_template_version(programme, people, admin):
    agreement_template_save(
        programme=programme, values={"goals": "Goals of {coachee} with {coach}."}, by=admin.user
    )

    agreement = agreed(programme, people, admin).agreement

    assert (agreement.template_version, agreement.goals) == (
        2,
        "Goals of Cole Coachee with Cora Coach.",
    )


def test_the_default_template_covers_every_section_and_only_admins_change_it(programme, coach):
    template = agreement_template_for(programme)

    assert {
        name: getattr(template, name) for name in AgreementTemplate.SECTIONS
    } == DEFAULT_SECTIONS
    assert "never seen by programme admins, sponsors or managers" in " ".join(
        template.confidentiality.split()
    )
    assert "**no-fault**" in template.ending
    with pytest.raises(PermissionDenied):
        agreement_template_save(programme=programme, values={"goals": "x"}, by=coach.user)


def test_audit_details_never_hold_free_text(pair, admin):
    relationship_pause(relationship=pair.relationship, by=pair.coach.user, note="Secret reason")
    relationship_end(
        relationship=pair.relationship, reason="other", note="Private detail", ended_by=admin.user
    )

    texts = " ".join(
        str(e.details) for e in AuditEvent.objects.filter(action__startswith="coaching.")
    )
    assert "Secret" not in texts
    assert "Private" not in texts


def test_relationship_started_is_kept_when_resumed(pair, admin):
    started = pair.relationship.started_at
    relationship = relationship_pause(relationship=pair.relationship, by=admin.user)
    relationship = relationship_resume(relationship=relationship, by=admin.user)

    assert relationship.started_at == started
    assert relationship.updated_at > started - timedelta(seconds=1)


# What the review of the merged workspace found


def test_an_agreed_relationship_cannot_be_resumed_into_active(programme, people, admin):
    relationship = agreed(programme, people, admin)

    for by in (people[0].user, people[1].user, admin.user):
        with pytest.raises(
            CoachingError,
            match=r"^The relationship becomes active once both have signed the agreement\.$",
        ):
            relationship_resume(relationship=relationship, by=by)

    relationship.refresh_from_db()
    assert relationship.status == Status.AGREED


def test_a_signature_on_a_text_that_changed_since_it_was_read_is_refused(programme, people, admin):
    coach_person, coachee_person_ = people
    relationship = agreed(programme, people, admin)
    agreement = relationship.agreement
    read_by_coach = hashlib.sha256(agreement_document(agreement).encode()).hexdigest()
    agreement_update(
        agreement=agreement, by=coachee_person_.user, values={"goals": "Only my goals, now."}
    )

    with pytest.raises(
        CoachingError,
        match=r"^The agreement changed since you opened it: read it again, then sign\.$",
    ):
        agreement_sign(agreement=agreement, person=coach_person, shown_sha256=read_by_coach)

    agreement.refresh_from_db()
    assert agreement.coach_signed_at is None
    fresh = hashlib.sha256(agreement_document(agreement).encode()).hexdigest()
    signed = agreement_sign(agreement=agreement, person=coach_person, shown_sha256=fresh)
    assert signed.coach_signed_at is not None


@pytest.mark.parametrize("ending", ["end", "complete"])
def test_an_ending_cancels_the_sessions_still_to_come(pair, admin, ending):
    soon = timezone.now().replace(microsecond=0) + timedelta(hours=20)
    session = session_schedule(
        scheduled_by=pair.coach.user,
        relationship=pair.relationship,
        starts_at=soon,
        duration_minutes=60,
        time_zone="UTC",
        format=CoachingSession.Format.VIDEO,
    )
    if ending == "end":
        relationship_end(relationship=pair.relationship, reason="no_fault", ended_by=admin.user)
    else:
        relationship_complete(relationship=pair.relationship, by=admin.user)

    session.refresh_from_db()
    assert (session.status, session.sequence) == ("cancelled", 1)
    assert recipients("session-cancelled") == ["coach@example.org", "coachee@example.org"]
    assert session_reminders_queue(now=timezone.now()) == 0


def test_the_latest_ending_decides_the_coachees_priority(programme, coach, admin):
    enrol_coach(programme, coach.person, capacity=5)
    anna = coachee_person(full_name="Anna")
    enrol_coachee(programme, anna)
    relationship_end(
        relationship=active_relationship(programme, coach.person, anna),
        reason="no_fault",
        ended_by=admin.user,
    )
    relationship_end(
        relationship=active_relationship(programme, coach.person, anna),
        reason="conduct",
        ended_by=admin.user,
    )

    assert [(e.person.full_name, e.priority) for e in coachee_pool(programme)] == [("Anna", False)]
