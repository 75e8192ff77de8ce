"""Enrolment pages: enrol, my programmes, profiles, nomination, review and bulk enrolment."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadre.accounts.models import AuditEvent
from cadre.programs.models import ApplicationQuestion, Enrolment
from tests.factories import CompetencyFactory
from tests.programs.conftest import today
from tests.programs.enrolment import eligible, enrol, enrolling

pytestmark = pytest.mark.django_db


def url(name: str, *args: int) -> str:
    return reverse(f"programs:{name}", args=args)


@pytest.fixture
def programme(make_programme, sponsor):
    programme = enrolling(make_programme)
    programme.sponsor = sponsor.person
    programme.save()
    return programme


def make_eligible(member):
    person = member.person
    person.level, person.hire_date = 5, today().replace(year=today().year - 2)
    person.save()
    return person


def test_members_see_open_programmes_and_why_they_may_not_join(programme, coachee):
    response = coachee.client.get(url("enrol_list"))

    assert response.status_code == 200
    assert "Leaders 2027" in response.text
    assert "Levels: level 3 is outside levels 4 to 7." in response.text


def test_a_member_applies_and_sees_the_application(programme, coachee):
    make_eligible(coachee)

    response = coachee.client.post(
        url("enrol_apply", programme.pk), {"role": "coachee", "consent": "on"}
    )

    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert (enrolment.person, enrolment.status) == (coachee.person, "applied")
    assert "Applied" in coachee.client.get(url("my_enrolments")).text


def test_applying_without_consent_shows_the_reason(programme, coachee):
    make_eligible(coachee)

    response = coachee.client.post(url("enrol_apply", programme.pk), {"role": "coachee"})

    assert response.status_code == 200
    assert "Agree to the programme&#x27;s terms" in response.text
    assert not Enrolment.objects.exists()


def test_logins_without_a_person_cannot_enrol(programme, outsider):
    assert outsider.client.get(url("enrol_list")).status_code == 403
    assert outsider.client.get(url("enrol_apply", programme.pk)).status_code == 403


def test_a_coachee_cannot_see_or_change_another_persons_enrolment(programme, coachee, coach):
    theirs = enrol(programme, coach.person, role="coach")

    assert coachee.client.get(url("profile_edit", theirs.pk)).status_code == 404
    assert coachee.client.post(url("enrolment_withdraw", theirs.pk)).status_code == 404
    assert "Cora Coach" not in coachee.client.get(url("my_enrolments")).text


def test_a_coach_saves_their_profile(programme, coach):
    enrolment = enrol(programme, coach.person, role="coach")
    competency = CompetencyFactory(name="Listening")
    page = coach.client.get(url("profile_edit", enrolment.pk))
    assert "Listening" in page.text

    response = coach.client.post(
        url("profile_edit", enrolment.pk),
        {
            "capacity": "3",
            "languages": "English, French",
            "bio": "Ops lead.",
            "preferences": "",
            f"strength_{competency.pk}": "4",
            "availability-TOTAL_FORMS": "2",
            "availability-INITIAL_FORMS": "0",
            "availability-0-weekday": "1",
            "availability-0-starts_at": "09:00",
            "availability-0-ends_at": "10:30",
            "availability-1-weekday": "",
        },
    )

    assert response.status_code == 302
    profile = enrolment.coach_profile
    assert (profile.capacity, profile.languages) == (3, ["English", "French"])
    assert [str(w) for w in enrolment.availability.all()] == ["Tuesday 09:00–10:30"]


def test_a_window_that_ends_before_it_starts_is_refused_on_the_page(programme, coachee):
    enrolment = enrol(programme, coachee.person)

    response = coachee.client.post(
        url("profile_edit", enrolment.pk),
        {
            "goals": "Lead",
            "availability-TOTAL_FORMS": "1",
            "availability-INITIAL_FORMS": "0",
            "availability-0-weekday": "0",
            "availability-0-starts_at": "10:00",
            "availability-0-ends_at": "09:00",
        },
    )

    assert response.status_code == 200
    assert "A window must end after it starts." in response.text


def test_sponsors_see_the_funnel_but_no_application(programme, sponsor, coachee):
    enrol(programme, coachee.person)
    enrol(programme, eligible(full_name="Wes Waitlisted"), status="waitlisted")

    page = sponsor.client.get(url("programme", programme.pk))

    assert page.status_code == 200
    assert "Cole Coachee" not in page.text
    assert "Review applications" not in page.text
    assert page.context["funnel"].counts == {"coachee": {"applied": 1, "waitlisted": 1}}
    assert sponsor.client.get(url("enrolment_review", programme.pk)).status_code == 403
    assert sponsor.client.get(url("enrolment_bulk", programme.pk)).status_code == 403


def test_outsiders_and_coachees_get_404_on_the_review_page(programme, outsider, coachee):
    assert outsider.client.get(url("enrolment_review", programme.pk)).status_code == 404
    assert coachee.client.get(url("enrolment_review", programme.pk)).status_code == 404


def test_admins_filter_and_decide_in_bulk(programme, admin):
    first = enrol(programme, eligible(full_name="Fay First"))
    second = enrol(programme, eligible(full_name="Sol Second"))
    enrol(programme, eligible(full_name="Cam Coach", level=9), role="coach")

    page = admin.client.get(url("enrolment_review", programme.pk), {"role": "coachee"})
    assert "Fay First" in page.text
    assert "Cam Coach" not in page.text

    response = admin.client.post(
        url("enrolment_review", programme.pk),
        {"enrolment": [first.pk, second.pk], "decision": "approved"},
    )

    assert response.status_code == 302
    assert set(Enrolment.objects.filter(role="coachee").values_list("status", flat=True)) == {
        "approved"
    }
    assert AuditEvent.objects.filter(action="programs.enrolment_decide").count() == 2


def test_bulk_enrolment_from_a_csv_reports_rows(programme, admin):
    eligible(employee_id="E1")
    upload = SimpleUploadedFile("ids.csv", b"employee_id\nE1\nNOPE\n", content_type="text/csv")

    response = admin.client.post(
        url("enrolment_bulk", programme.pk), {"role": "coachee", "csv_file": upload}
    )

    assert response.status_code == 200
    assert "Row 2: No one has the employee id “NOPE”." in response.text
    assert not Enrolment.objects.exists()


def test_bulk_enrolment_from_typed_ids(programme, admin):
    eligible(employee_id="E1")
    eligible(employee_id="E2")

    response = admin.client.post(
        url("enrolment_bulk", programme.pk), {"role": "coachee", "employee_ids": "E1\nE2\n"}
    )

    assert response.status_code == 302
    assert Enrolment.objects.filter(status="approved").count() == 2


def test_a_manager_nominates_a_direct_report(programme, coach):
    report = eligible(full_name="Rae Report", manager=coach.person)

    response = coach.client.post(url("nominate", programme.pk), {"person": report.pk})

    assert response.status_code == 302
    assert Enrolment.objects.get().nominated_by == coach.person


def test_the_review_page_query_count_does_not_grow(programme, admin, django_assert_num_queries):
    enrol(programme, eligible())
    review = url("enrolment_review", programme.pk)
    admin.client.get(review)
    with CaptureQueriesContext(connection) as one:
        admin.client.get(review)
    for _ in range(5):
        enrol(programme, eligible(manager=eligible()), route="manager", consent_at=None)
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(review)


def test_the_programme_page_query_count_does_not_grow_with_enrolments(
    programme, admin, django_assert_num_queries
):
    enrol(programme, eligible())
    page = url("programme", programme.pk)
    admin.client.get(page)
    with CaptureQueriesContext(connection) as one:
        admin.client.get(page)
    for _ in range(5):
        enrol(programme, eligible(level=9), role="coach")
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(page)


def test_the_review_page_shows_each_answer_beside_its_question(programme, admin):
    first = ApplicationQuestion.objects.create(
        programme=programme, text="What do you hope to learn?", position=1
    )
    second = ApplicationQuestion.objects.create(
        programme=programme, text="Who nominated you?", position=2, required=False
    )
    enrol(programme, eligible(), answers={str(second.pk): "Nobody", str(first.pk): "Delegation"})

    response = admin.client.get(url("enrolment_review", programme.pk))

    (enrolment,) = response.context["enrolments"]
    assert enrolment.answered == [
        ("What do you hope to learn?", "Delegation"),
        ("Who nominated you?", "Nobody"),
    ]
    assert "What do you hope to learn?</span><br>Delegation" in response.content.decode()
