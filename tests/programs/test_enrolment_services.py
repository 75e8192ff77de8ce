"""Enrolment services: applying, nominating, deciding and bulk enrolment."""

from datetime import timedelta

import pytest
from django.db import connection

from cadre.accounts.models import AuditEvent, Role
from cadre.programs.models import ApplicationQuestion, Enrolment, Programme
from cadre.programs.services import (
    BulkEnrolmentError,
    EnrolmentError,
    enrolment_apply,
    enrolment_bulk,
    enrolment_nominate,
    enrolment_withdraw,
    enrolments_decide,
)
from tests.concurrency import at_once
from tests.factories import DepartmentFactory, PersonFactory, UserFactory
from tests.programs.conftest import put_in, today
from tests.programs.enrolment import eligible, enrol, enrolling

pytestmark = pytest.mark.django_db

TERMS = "Agree to the programme's terms (confidentiality and data use) to apply."


def apply(programme, person, *, role="coachee", answers=None, consent=True, by=None):
    return enrolment_apply(
        programme=programme,
        person=person,
        role=role,
        answers=answers or {},
        consent=consent,
        by=by or UserFactory(),
    )


def refusal(programme, person, **kwargs) -> list[str]:
    with pytest.raises(EnrolmentError) as caught:
        apply(programme, person, **kwargs)
    return caught.value.messages


# Applying


def test_an_eligible_person_applies_with_consent_and_answers(make_programme):
    programme = enrolling(make_programme)
    question = ApplicationQuestion.objects.create(programme=programme, text="Why now?")
    person = eligible()

    enrolment = apply(programme, person, answers={question.pk: "  A new team.  "})

    assert (enrolment.role, enrolment.route, enrolment.status) == (
        "coachee",
        Enrolment.Route.SELF_NOMINATION,
        Enrolment.Status.APPLIED,
    )
    assert enrolment.answers == {str(question.pk): "A new team."}
    assert enrolment.consent_at is not None
    assert AuditEvent.objects.filter(action="programs.enrolment_apply").count() == 1


def test_levels_rule_names_the_level_and_the_range(make_programme):
    programme = enrolling(make_programme)

    assert refusal(programme, eligible(level=3)) == ["Levels: level 3 is outside levels 4 to 7."]
    assert refusal(programme, eligible(level=None)) == [
        "Levels: no level is recorded, and the programme is for levels 4 to 7."
    ]


def test_departments_rule_admits_departments_under_the_eligible_ones(make_programme):
    sales = DepartmentFactory(name="Sales")
    emea = DepartmentFactory(name="Sales EMEA", parent=sales)
    programme = enrolling(make_programme)
    programme.eligible_departments.set([sales])

    apply(programme, eligible(department=emea))
    assert refusal(programme, eligible(department=DepartmentFactory(name="Finance"))) == [
        "Departments: the programme is for Sales (and the departments under them)."
    ]


def test_tenure_rule_counts_whole_months_since_hire(make_programme):
    programme = enrolling(make_programme)

    assert refusal(programme, eligible(hire_date=today() - timedelta(days=40))) == [
        "Tenure: 1 month since hire, and 6 months are needed."
    ]
    assert refusal(programme, eligible(hire_date=None)) == [
        "Tenure: no hire date is recorded, and 6 months are needed."
    ]


def test_every_broken_rule_is_named_at_once(make_programme):
    programme = enrolling(make_programme)

    messages = refusal(programme, eligible(level=9, hire_date=None), consent=False)

    assert messages == [
        "Levels: level 9 is outside levels 4 to 7.",
        "Tenure: no hire date is recorded, and 6 months are needed.",
        TERMS,
    ]


def test_coaches_are_not_held_to_the_coachee_eligibility_rules(make_programme):
    programme = enrolling(make_programme)

    enrolment = apply(programme, eligible(level=10), role="coach")

    assert enrolment.role == "coach"


def test_consent_is_required(make_programme):
    programme = enrolling(make_programme)

    assert refusal(programme, eligible(), consent=False) == [TERMS]
    assert not Enrolment.objects.exists()


def test_required_questions_are_named_when_unanswered(make_programme):
    programme = enrolling(make_programme)
    ApplicationQuestion.objects.create(programme=programme, text="Why now?", position=1)
    optional = ApplicationQuestion.objects.create(
        programme=programme, text="Anything else?", required=False, position=2
    )

    assert refusal(programme, eligible(), answers={optional.pk: "No"}) == [
        "Answer the question “Why now?”."
    ]


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Programme.Status.DRAFT, "“Leaders 2027” is not taking applications: it is draft."),
        (Programme.Status.MATCHING, "“Leaders 2027” is not taking applications: it is matching."),
    ],
)
def test_only_enrolling_programmes_take_applications(make_programme, status, message):
    programme = put_in(make_programme(), status)

    assert refusal(programme, eligible()) == [message]


def test_applications_are_refused_outside_the_window(make_programme):
    later = enrolling(
        make_programme,
        "Later",
        enrolment_opens_on=today() + timedelta(days=3),
        enrolment_closes_on=today() + timedelta(days=20),
    )
    closes = today() - timedelta(days=1)
    earlier = enrolling(make_programme, "Earlier", enrolment_closes_on=closes)

    opens = later.enrolment_opens_on
    assert refusal(later, eligible()) == [
        f"Enrolment for “Later” opens on {opens.day} {opens:%b %Y}."
    ]
    assert refusal(earlier, eligible()) == [
        f"Enrolment for “Earlier” closed on {closes.day} {closes:%b %Y}."
    ]


def test_people_who_left_cannot_apply(make_programme):
    programme = enrolling(make_programme)
    person = eligible(full_name="Lee Left", is_active=False)

    assert refusal(programme, person) == ["Lee Left has left the organisation."]


# Duplicates and both roles


def test_a_second_application_in_the_same_role_is_refused_by_the_constraint(make_programme):
    programme = enrolling(make_programme)
    person = eligible(full_name="Dee Double")
    apply(programme, person)

    # No check in Python runs first: this is the constraint's IntegrityError, turned into a message.
    assert refusal(programme, person) == [
        "Dee Double is already enrolled as coachee in “Leaders 2027”."
    ]
    assert Enrolment.objects.count() == 1


def test_nobody_is_both_coach_and_coachee_in_one_programme(make_programme):
    programme = enrolling(make_programme)
    person = eligible(full_name="Bo Both")
    apply(programme, person, role="coach")

    assert refusal(programme, person) == [
        "Bo Both is already enrolled as coach in “Leaders 2027”: nobody can be both coach "
        "and coachee in one programme."
    ]


def test_the_same_person_may_enrol_in_two_programmes(make_programme):
    person = eligible()
    apply(enrolling(make_programme, "One"), person)
    apply(enrolling(make_programme, "Two"), person)

    assert Enrolment.objects.filter(person=person).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real race to test"
)
def test_two_concurrent_applications_make_one_enrolment(make_programme):
    programme = enrolling(make_programme)
    person = eligible()
    outcomes = at_once(
        [lambda: apply(programme, person)] * 2, refused=EnrolmentError, done="enrolled"
    )

    assert sorted(outcomes, key=len) == [
        "enrolled",
        f"{person.display_name} is already enrolled as coachee in “Leaders 2027”.",
    ]
    assert Enrolment.objects.filter(person=person).count() == 1


# Manager nomination


def test_the_direct_manager_nominates_a_report(make_programme):
    programme = enrolling(make_programme)
    manager = PersonFactory(level=8)
    report = eligible(manager=manager)

    enrolment = enrolment_nominate(
        programme=programme, person=report, nominated_by=manager, by=UserFactory()
    )

    assert (enrolment.route, enrolment.status, enrolment.nominated_by) == (
        Enrolment.Route.MANAGER_NOMINATION,
        Enrolment.Status.APPLIED,
        manager,
    )
    assert enrolment.consent_at is None
    assert AuditEvent.objects.filter(action="programs.enrolment_nominate").count() == 1


def test_a_manager_further_up_cannot_nominate(make_programme):
    programme = enrolling(make_programme)
    top = PersonFactory(level=9)
    middle = PersonFactory(level=7, manager=top)
    report = eligible(full_name="Rae Report", manager=middle)

    with pytest.raises(EnrolmentError) as caught:
        enrolment_nominate(programme=programme, person=report, nominated_by=top, by=UserFactory())

    assert caught.value.messages == ["Only Rae Report's direct manager can nominate them."]


def test_nominations_follow_the_eligibility_rules(make_programme):
    programme = enrolling(make_programme)
    manager = PersonFactory(level=8)

    with pytest.raises(EnrolmentError) as caught:
        enrolment_nominate(
            programme=programme,
            person=eligible(level=2, manager=manager),
            nominated_by=manager,
            by=UserFactory(),
        )

    assert caught.value.messages == ["Levels: level 2 is outside levels 4 to 7."]


# Decisions


def test_admins_approve_waitlist_and_decline_with_an_audit_event_each(make_programme, admin):
    programme = enrolling(make_programme)
    first, second, third = (enrol(programme, eligible()) for _ in range(3))

    enrolments_decide(
        programme=programme, enrolment_ids=[first.pk], decision="approved", by=admin.user
    )
    enrolments_decide(
        programme=programme,
        enrolment_ids=[second.pk, third.pk],
        decision="waitlisted",
        by=admin.user,
    )
    enrolments_decide(
        programme=programme, enrolment_ids=[third.pk], decision="declined", by=admin.user
    )

    statuses = dict(Enrolment.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "approved", second.pk: "waitlisted", third.pk: "declined"}
    first.refresh_from_db()
    assert (first.decided_by, first.decided_at is not None) == (admin.user, True)
    events = AuditEvent.objects.filter(action="programs.enrolment_decide")
    assert [e.details["to"] for e in events.order_by("pk")] == [
        "approved",
        "waitlisted",
        "waitlisted",
        "declined",
    ]


def test_approving_gives_the_login_its_role(make_programme, admin, outsider):
    programme = enrolling(make_programme)
    person = eligible(user=outsider.user)
    enrolment = enrol(programme, person, role="coach")

    enrolments_decide(
        programme=programme, enrolment_ids=[enrolment.pk], decision="approved", by=admin.user
    )

    assert outsider.user.role_grants.filter(role=Role.COACH).exists()


def test_decided_enrolments_cannot_be_decided_again_and_nothing_changes(make_programme, admin):
    programme = enrolling(make_programme)
    pending = enrol(programme, eligible())
    done = enrol(programme, eligible(full_name="Dan Done"), status="approved")

    with pytest.raises(EnrolmentError) as caught:
        enrolments_decide(
            programme=programme,
            enrolment_ids=[pending.pk, done.pk],
            decision="declined",
            by=admin.user,
        )

    assert caught.value.messages == [
        "Dan Done is approved: only applications and waitlisted enrolments can be decided."
    ]
    pending.refresh_from_db()
    assert pending.status == "applied"


def test_enrolments_of_another_programme_cannot_be_decided(make_programme, admin):
    programme = enrolling(make_programme)
    other = enrol(enrolling(make_programme, "Other"), eligible())

    with pytest.raises(EnrolmentError, match="not in “Leaders 2027”"):
        enrolments_decide(
            programme=programme, enrolment_ids=[other.pk], decision="approved", by=admin.user
        )


def test_a_participant_withdraws(make_programme):
    enrolment = enrol(enrolling(make_programme), eligible())

    enrolment_withdraw(enrolment=enrolment, by=UserFactory())

    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"
    with pytest.raises(EnrolmentError, match="withdrawn already"):
        enrolment_withdraw(enrolment=enrolment, by=UserFactory())


# Bulk enrolment


def test_bulk_enrols_everyone_approved_at_once(make_programme, admin):
    programme = enrolling(make_programme)
    people = [eligible(employee_id=f"B{n}") for n in range(3)]

    created = enrolment_bulk(
        programme=programme, employee_ids=["B0", "", " B1 ", "B2"], role="coachee", by=admin.user
    )

    assert {e.person for e in created} == set(people)
    assert {(e.route, e.status) for e in created} == {("admin", "approved")}
    assert AuditEvent.objects.filter(action="programs.enrolment_bulk").count() == 1


def test_bulk_reports_every_bad_row_and_enrols_no_one(make_programme, admin):
    programme = enrolling(make_programme)
    eligible(employee_id="OK1")
    eligible(employee_id="LOW", full_name="Lou Low", level=2)
    eligible(employee_id="GONE", full_name="Gil Gone", is_active=False)
    enrol(programme, eligible(employee_id="IN", full_name="Ian In"), role="coach")

    with pytest.raises(BulkEnrolmentError) as caught:
        enrolment_bulk(
            programme=programme,
            employee_ids=["OK1", "NOPE", "LOW", "GONE", "IN", "OK1"],
            role="coachee",
            by=admin.user,
        )

    assert caught.value.rows == [
        (2, "No one has the employee id “NOPE”."),
        (3, "Lou Low (LOW) is not eligible. Levels: level 2 is outside levels 4 to 7."),
        (4, "Gil Gone (GONE) has left the organisation."),
        (5, "Ian In (IN) is already enrolled as coach."),
        (6, "OK1 is also on row 1."),
    ]
    assert caught.value.messages[0] == "Row 2: No one has the employee id “NOPE”."
    assert Enrolment.objects.count() == 1


def test_bulk_is_refused_before_enrolment_opens(make_programme, admin):
    programme = make_programme()
    eligible(employee_id="X1")

    with pytest.raises(EnrolmentError) as caught:
        enrolment_bulk(programme=programme, employee_ids=["X1"], role="coach", by=admin.user)

    assert caught.value.messages == ["“Leaders 2027” is draft: people can't be enrolled now."]
