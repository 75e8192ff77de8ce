from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent
from cadre.enablement.models import (
    Certification,
    ModuleAttempt,
    PracticeSignOff,
    Resource,
    TrainingModule,
)
from cadre.enablement.services import attempt_submit, practice_sign_off
from tests.enablement.conftest import answers, make_coach, make_module, pass_required
from tests.factories import CompetencyFactory

pytestmark = pytest.mark.django_db

TRAINING = reverse("enablement:training")
MINE = reverse("enablement:my_certification")
CERTIFICATION = reverse("enablement:certification_list")
RESOURCES = reverse("enablement:resources")


def module_url(slug: str = "coaching-techniques") -> str:
    return reverse("enablement:module", args=[slug])


def quiz_url(slug: str = "coaching-techniques") -> str:
    return reverse("enablement:quiz", args=[slug])


def quiz_data(module: TrainingModule, **kwargs: int) -> dict[str, int | None]:
    return {
        f"question_{question}": option
        for question, option in answers(module, **kwargs).items()
        if option is not None
    }


# Training


def test_a_coach_sees_every_module_with_their_progress(coach):
    module = TrainingModule.objects.get(slug="feedback")
    attempt_submit(person=coach.person, module=module, answers=answers(module))

    response = coach.client.get(TRAINING)

    assert response.status_code == 200
    assert [item.module.slug for item in response.context["progress"]] == [
        "coaching-techniques",
        "active-listening",
        "emotional-intelligence",
        "feedback",
        "confidentiality-and-ethics",
    ]
    assert (response.context["passed"], response.context["required"]) == (1, 5)
    assert b"You have passed <strong>1 of 5</strong> required modules." in response.content


@pytest.mark.parametrize("url", [TRAINING, MINE, RESOURCES, module_url(), quiz_url()])
def test_coachees_sponsors_and_outsiders_get_403(coachee, sponsor, outsider, url):
    for member in (coachee, sponsor, outsider):
        assert member.client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get(TRAINING).status_code == 302


def test_the_module_page_renders_sanitised_markdown(coach):
    module = make_module("unsafe", body="## Safe\n\n<script>alert('x')</script>Text")

    response = coach.client.get(module_url(module.slug))

    assert response.status_code == 200
    assert b"<h2>Safe</h2>" in response.content
    assert b"alert(" not in response.content
    assert b"<script>alert" not in response.content


def test_unpublished_and_unknown_modules_are_404(coach):
    TrainingModule.objects.filter(slug="feedback").update(published=False)

    assert coach.client.get(module_url("feedback")).status_code == 404
    assert coach.client.get(module_url("nope")).status_code == 404


def test_taking_the_quiz_records_an_attempt_and_shows_the_result(coach):
    module = make_module()

    response = coach.client.post(quiz_url(module.slug), quiz_data(module, wrong=1))

    attempt = ModuleAttempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enablement:attempt", args=[attempt.pk])
    assert (attempt.person, attempt.score_percent, attempt.passed) == (coach.person, 80, True)
    page = coach.client.get(response["Location"])
    assert b"4 of 5 answers correct" in page.content
    assert b"You passed this module." in page.content


def test_quiz_errors_name_the_unanswered_question(coach):
    module = make_module(questions=3)
    data = quiz_data(module)
    second = module.questions.get(position=2)
    del data[f"question_{second.pk}"]

    response = coach.client.post(quiz_url(module.slug), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"question_{second.pk}": ["Answer question 2: “Question 2?”."]
    }
    assert not ModuleAttempt.objects.exists()


def test_a_coach_sees_only_their_own_attempts(coach, admin):
    module = make_module()
    other = make_coach()
    theirs = attempt_submit(person=other, module=module, answers=answers(module))
    mine = attempt_submit(person=coach.person, module=module, answers=answers(module))

    assert coach.client.get(reverse("enablement:attempt", args=[mine.pk])).status_code == 200
    assert coach.client.get(reverse("enablement:attempt", args=[theirs.pk])).status_code == 404
    assert admin.client.get(reverse("enablement:attempt", args=[theirs.pk])).status_code == 404


def test_my_certification_lists_what_is_missing(coach):
    response = coach.client.get(MINE)

    assert response.status_code == 200
    assert response.context["status"].state == "not_started"
    assert "Pass “Emotional intelligence”".encode() in response.content
    assert b"A practice session signed off by a certified coach or an admin" in response.content


def test_my_certification_shows_the_expiry_once_certified(coach, admin):
    today = timezone.localdate()
    pass_required(coach.person, today)
    practice_sign_off(coach=coach.person, signed_off_by=admin.user)

    response = coach.client.get(MINE)

    expires = Certification.objects.get().expires_on
    assert f"You are certified until {expires.day} {expires:%b %Y}".encode() in response.content


def test_the_training_list_query_count_does_not_grow(coach, django_assert_num_queries):
    coach.client.get(TRAINING)
    with django_assert_num_queries(7) as one:
        coach.client.get(TRAINING)
    for number in range(6):
        module = make_module(f"extra-{number}")
        attempt_submit(person=coach.person, module=module, answers=answers(module))
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(TRAINING)


# Certification (admins)


def test_admins_see_every_coach_with_their_status(admin, coach):
    make_coach("Wren Waiting")

    response = admin.client.get(CERTIFICATION)

    assert response.status_code == 200
    assert [(s.person.full_name, s.state) for s in response.context["statuses"]] == [
        ("Cora Coach", "not_started"),
        ("Wren Waiting", "not_started"),
    ]


def test_the_certification_list_filters_by_status(admin, coach):
    pass_required(coach.person, timezone.localdate())
    practice_sign_off(coach=coach.person, signed_off_by=admin.user)
    make_coach("Wren Waiting")

    certified = admin.client.get(CERTIFICATION, {"status": "certified"})
    waiting = admin.client.get(CERTIFICATION, {"status": "not_started"})

    assert [s.person.full_name for s in certified.context["statuses"]] == ["Cora Coach"]
    assert [s.person.full_name for s in waiting.context["statuses"]] == ["Wren Waiting"]


@pytest.mark.parametrize("member_name", ["coach", "coachee", "sponsor", "outsider"])
def test_only_admins_see_certification(request, member_name):
    member = request.getfixturevalue(member_name)

    assert member.client.get(CERTIFICATION).status_code == 403


def test_an_admin_signs_off_a_practice_session(admin, coach):
    url = reverse("enablement:certification_sign_off", args=[coach.person.pk])

    response = admin.client.post(url, {"note": "Clear contracting."})

    assert response.status_code == 302
    sign_off = PracticeSignOff.objects.get()
    assert (sign_off.coach, sign_off.signed_off_by, sign_off.note) == (
        coach.person,
        admin.user,
        "Clear contracting.",
    )
    assert AuditEvent.objects.filter(
        action="enablement.practice_sign_off", actor=admin.user
    ).exists()


def test_sign_off_is_post_only_and_for_admins(admin, coach):
    url = reverse("enablement:certification_sign_off", args=[coach.person.pk])

    assert admin.client.get(url).status_code == 405
    assert coach.client.post(url).status_code == 403
    assert not PracticeSignOff.objects.exists()


def test_self_sign_off_on_the_page_shows_the_refusal(admin):
    from cadre.accounts.models import Role
    from tests.factories import RoleGrantFactory

    RoleGrantFactory(user=admin.user, role=Role.COACH)
    url = reverse("enablement:certification_sign_off", args=[admin.person.pk])

    response = admin.client.post(url, follow=True)

    assert b"You can&#x27;t sign off your own practice session." in response.content
    assert not PracticeSignOff.objects.exists()


def test_signing_off_someone_who_is_not_a_coach_is_404(admin, coachee):
    url = reverse("enablement:certification_sign_off", args=[coachee.person.pk])

    assert admin.client.post(url).status_code == 404


def test_the_certification_list_query_count_does_not_grow(admin, coach, django_assert_num_queries):
    admin.client.get(CERTIFICATION)
    with django_assert_num_queries(9) as one:
        admin.client.get(CERTIFICATION)
    today = timezone.localdate()
    for number in range(6):
        person = make_coach(f"Coach {number}")
        if number % 2:
            pass_required(person, today - timedelta(days=number))
            practice_sign_off(coach=person, signed_off_by=admin.user)
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(CERTIFICATION)


# The resource library


def test_the_library_searches_text_and_filters_by_competency(coach, admin):
    listening = CompetencyFactory(name="Listening")
    article = Resource.objects.create(
        title="Silence in sessions", kind="article", body_markdown="Pause for **five** seconds."
    )
    article.competencies.add(listening)
    Resource.objects.create(title="GROW cheat sheet", kind="link", url="https://example.org")

    def titles(**params):
        response = coach.client.get(RESOURCES, params)
        return [resource.title for resource in response.context["resources"]]

    assert titles() == ["GROW cheat sheet", "Silence in sessions"]
    assert titles(q="five") == ["Silence in sessions"]
    assert titles(q="grow") == ["GROW cheat sheet"]
    assert titles(competency=listening.pk) == ["Silence in sessions"]


def test_an_admin_adds_a_file_that_only_coaches_and_admins_download(admin, coach, coachee):
    response = admin.client.post(
        reverse("enablement:resource_new"),
        {
            "title": "Contract template",
            "kind": "file",
            "file": SimpleUploadedFile("contract.txt", b"We agree to..."),
        },
    )

    resource = Resource.objects.get()
    assert response.status_code == 302
    assert resource.created_by == admin.user
    assert AuditEvent.objects.filter(action="enablement.resource_create").exists()
    url = reverse("enablement:resource_file", args=[resource.pk])
    download = coach.client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"We agree to..."  # type: ignore[attr-defined]
    assert coachee.client.get(url).status_code == 403
    assert (
        coach.client.get(reverse("enablement:resource_edit", args=[resource.pk])).status_code == 403
    )


def test_a_link_without_an_address_is_refused(admin):
    response = admin.client.post(
        reverse("enablement:resource_new"), {"title": "Somewhere", "kind": "link"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"url": ["A link needs an address."]}


def test_the_library_query_count_does_not_grow(coach, django_assert_num_queries):
    Resource.objects.create(title="First", kind="link", url="https://example.org")
    coach.client.get(RESOURCES)
    with django_assert_num_queries(7) as one:
        coach.client.get(RESOURCES)
    tags = [CompetencyFactory() for _ in range(3)]
    for number in range(6):
        resource = Resource.objects.create(
            title=f"More {number}", kind="link", url="https://example.org"
        )
        resource.competencies.set(tags)
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(RESOURCES)
