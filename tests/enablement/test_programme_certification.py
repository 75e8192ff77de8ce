"""The Certification page filtered by programme: its approved coaches, counted by state."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.enablement.models import Certification
from cadre.enablement.queries import required_modules
from cadre.enablement.services import attempt_submit, practice_sign_off
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme
from cadre.programs.services import enrolment_bulk, enrolments_decide, programme_create
from tests.enablement.conftest import answers, at, make_coach, pass_required
from tests.programs.conftest import objective, put_in, settings_for

pytestmark = pytest.mark.django_db

CERTIFICATION = reverse("enablement:certification_list")


def page(programme: Programme, status: str = "") -> str:
    query = f"?programme={programme.pk}" + (f"&status={status}" if status else "")
    return CERTIFICATION + query


@pytest.fixture
def programme(admin):
    made = programme_create(
        values=settings_for("Leaders 2027"), objectives=[objective()], created_by=admin.user
    )
    return put_in(made, Programme.Status.ENROLLING)


def enrol(programme: Programme, admin, *coaches: Person) -> None:
    enrolment_bulk(
        programme=programme,
        employee_ids=[coach.employee_id for coach in coaches],
        role=Enrolment.Role.COACH,
        by=admin.user,
    )


def certify(person: Person, admin, *, days_ago: int = 0) -> None:
    day = timezone.localdate() - timedelta(days=days_ago)
    pass_required(person, day)
    practice_sign_off(coach=person, signed_off_by=admin.user, at=at(day))


@pytest.fixture
def every_state(programme, admin):
    """Four approved coaches, one per state, and three people the page leaves out."""
    certified = make_coach("Cass Certified")
    certify(certified, admin, days_ago=30)
    expired = make_coach("Ezra Expired")
    certify(expired, admin, days_ago=30 * 31)
    in_progress = make_coach("Ivy Inprogress")
    module = required_modules().first()
    attempt_submit(person=in_progress, module=module, answers=answers(module))
    not_started = make_coach("Nico Notstarted")
    enrol(programme, admin, certified, expired, in_progress, not_started)
    # Certified but not in this programme; waitlisted; a coach of another programme.
    outside = make_coach("Omar Outside")
    certify(outside, admin)
    waitlisted = make_coach("Wren Waitlisted")
    enrolment = Enrolment.objects.create(
        programme=programme,
        person=waitlisted,
        role=Enrolment.Role.COACH,
        route=Enrolment.Route.SELF_NOMINATION,
        consent_at=timezone.now(),
    )
    enrolments_decide(
        programme=programme,
        enrolment_ids=[enrolment.pk],
        decision=Enrolment.Status.WAITLISTED,
        by=admin.user,
    )
    return programme


def test_the_programme_filter_counts_and_lists_its_approved_coaches(admin, every_state):
    response = admin.client.get(page(every_state))

    assert response.status_code == 200
    assert response.context["filters"] == [
        ("certified", "Certified", 1),
        ("expired", "Expired", 1),
        ("in_progress", "In progress", 1),
        ("not_started", "Not started", 1),
    ]
    assert [(s.person.full_name, s.state) for s in response.context["statuses"]] == [
        ("Cass Certified", "certified"),
        ("Ezra Expired", "expired"),
        ("Ivy Inprogress", "in_progress"),
        ("Nico Notstarted", "not_started"),
    ]
    html = response.content.decode()
    assert "4 approved coaches: certified 1, expired 1, in progress 1, not started 1." in html
    assert "Not every approved coach is certified: 3 of 4 can't be matched until they are." in html
    assert f'href="?programme={every_state.pk}&amp;status=expired"' in html
    assert "Omar Outside" not in html
    assert "Wren Waitlisted" not in html


def test_the_status_filter_keeps_the_programme(admin, every_state):
    response = admin.client.get(page(every_state, "expired"))

    assert [s.person.full_name for s in response.context["statuses"]] == ["Ezra Expired"]
    assert response.context["filters"][0] == ("certified", "Certified", 1)


def test_without_the_filter_every_coach_is_listed(admin, every_state):
    response = admin.client.get(CERTIFICATION)

    assert response.context["programme"] is None
    assert len(response.context["statuses"]) == 6
    assert "approved coach" not in response.content.decode()


def test_a_programme_whose_coaches_are_all_certified_says_so(admin, programme):
    coach = make_coach("Cass Certified")
    certify(coach, admin)
    enrol(programme, admin, coach)

    response = admin.client.get(page(programme))

    html = response.content.decode()
    assert "1 approved coach: certified 1, expired 0, in progress 0, not started 0." in html
    assert "Every approved coach is certified." in html


def test_a_programme_without_coaches_says_none_are_approved(admin, programme):
    response = admin.client.get(page(programme))

    html = response.content.decode()
    assert "0 approved coaches:" in html
    assert "No coaches are approved in this programme yet." in html


def test_signing_off_from_the_filtered_page_returns_to_it(admin, every_state):
    not_started = Person.objects.get(full_name="Nico Notstarted")

    response = admin.client.post(
        reverse("enablement:certification_sign_off", args=[not_started.pk]),
        {"note": "Observed a session.", "programme": str(every_state.pk)},
    )

    assert response.status_code == 302
    assert response["Location"] == page(every_state)
    assert Certification.objects.filter(person=not_started).count() == 0  # modules still missing


def test_the_programme_page_links_admins_to_the_filtered_page(admin, sponsor, programme):
    Programme.objects.filter(pk=programme.pk).update(sponsor=sponsor.person)
    url = reverse("programs:programme", args=[programme.pk])
    link = f'<a href="{page(programme)}">Coach certification for this programme</a>'

    assert link in admin.client.get(url).content.decode()
    assert "Coach certification" not in sponsor.client.get(url).content.decode()


def test_only_admins_see_a_programmes_certification(
    programme, coach, coachee, sponsor, outsider, client
):
    Programme.objects.filter(pk=programme.pk).update(sponsor=sponsor.person)

    for member in (coach, coachee, sponsor, outsider):
        assert member.client.get(page(programme)).status_code == 403
    assert client.get(page(programme)).status_code == 302


def test_an_unknown_programme_is_404(admin, programme):
    assert admin.client.get(f"{CERTIFICATION}?programme={programme.pk + 1}").status_code == 404
    assert admin.client.get(f"{CERTIFICATION}?programme=abc").status_code == 404


def test_the_query_count_does_not_grow_with_the_coaches(
    admin, programme, django_assert_num_queries
):
    first = make_coach("Coach first")
    enrol(programme, admin, first)
    admin.client.get(page(programme))
    with django_assert_num_queries(10) as one:
        admin.client.get(page(programme))
    more = [make_coach(f"Coach {number}") for number in range(6)]
    for number, person in enumerate(more):
        if number % 2:
            certify(person, admin, days_ago=number)
    enrol(programme, admin, *more)
    with django_assert_num_queries(len(one.captured_queries)):
        response = admin.client.get(page(programme))
    assert len(response.context["statuses"]) == 7
