from datetime import date, timedelta

import pytest

from cadre.accounts.models import AuditEvent
from cadre.enablement.models import Certification, CertificationRule, ModuleAttempt
from cadre.enablement.queries import (
    CertificationState,
    coach_matchable,
    coach_status,
    module_progress,
    required_modules,
    uncertified_coaches,
)
from cadre.enablement.services import (
    CoachNotCertifiedError,
    EnablementError,
    QuizAnswersError,
    attempt_submit,
    certification_grant,
    practice_sign_off,
    require_certified_coach,
)
from cadre.programs.services import programme_create
from tests.enablement.conftest import answers, at, make_coach, make_module, pass_required
from tests.programs.conftest import settings_for

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 1)


# The shipped modules


def test_the_five_shipped_modules_are_required_with_a_knowledge_check():
    modules = list(required_modules())

    assert [module.slug for module in modules] == [
        "coaching-techniques",
        "active-listening",
        "emotional-intelligence",
        "feedback",
        "confidentiality-and-ethics",
    ]
    for module in modules:
        assert module.pass_mark_percent == 80
        assert module.questions.count() == 5
        assert 400 <= len(module.body_markdown.split()) <= 700
        for question in module.questions.all():
            assert question.options.filter(is_correct=True).count() == 1
    assert "GROW" in modules[0].body_markdown


# Scoring


@pytest.mark.parametrize(
    ("wrong", "score", "passed"), [(0, 100, True), (1, 80, True), (2, 60, False), (5, 0, False)]
)
def test_the_score_is_the_share_of_right_answers_and_passes_at_the_mark(
    coach, wrong, score, passed
):
    module = make_module(questions=5, pass_mark=80)

    attempt = attempt_submit(
        person=coach.person, module=module, answers=answers(module, wrong=wrong)
    )

    assert (attempt.correct_count, attempt.question_count) == (5 - wrong, 5)
    assert (attempt.score_percent, attempt.passed) == (score, passed)


def test_scores_round_down_so_just_below_the_mark_fails(coach):
    module = make_module(questions=3, pass_mark=67)

    attempt = attempt_submit(person=coach.person, module=module, answers=answers(module, wrong=1))

    assert (attempt.score_percent, attempt.passed) == (66, False)


def test_an_attempt_records_the_answers_and_is_audited(coach):
    module = make_module(questions=2)
    given = answers(module)

    attempt = attempt_submit(person=coach.person, module=module, answers=given)

    assert attempt.answers == {str(question): option for question, option in given.items()}
    event = AuditEvent.objects.get(action="enablement.attempt_submit")
    assert (event.actor, event.details) == (
        coach.user,
        {"module": "test-module", "score": 100, "passed": True},
    )


def test_unanswered_questions_are_errors_that_name_the_question(coach):
    module = make_module(questions=3)
    given = answers(module)
    _, second, third = list(given)
    given[second] = None
    del given[third]

    with pytest.raises(QuizAnswersError) as error:
        attempt_submit(person=coach.person, module=module, answers=given)

    assert error.value.errors == {
        second: "Question 2 (“Question 2?”) has no answer.",
        third: "Question 3 (“Question 3?”) has no answer.",
    }
    assert not ModuleAttempt.objects.exists()


def test_an_option_of_another_question_is_refused(coach):
    module = make_module(questions=2)
    given = answers(module)
    first, second = list(given)
    given[first] = given[second]

    with pytest.raises(QuizAnswersError) as error:
        attempt_submit(person=coach.person, module=module, answers=given)

    assert error.value.errors == {first: "Question 1 (“Question 1?”): choose one of its options."}


def test_progress_shows_the_best_score_and_the_last_pass(coach):
    module = make_module()
    attempt_submit(person=coach.person, module=module, answers=answers(module, wrong=3), at=at(DAY))
    attempt_submit(person=coach.person, module=module, answers=answers(module, wrong=1), at=at(DAY))

    progress = {item.module.slug: item for item in module_progress(person=coach.person)}

    mine = progress["test-module"]
    assert (mine.best_score, mine.passed_on, mine.attempts) == (80, DAY, 2)
    assert progress["feedback"].best_score is None
    assert not progress["feedback"].passed


# Certification


def test_a_coach_needs_every_required_module_and_a_sign_off(coach, admin):
    person = coach.person
    status = coach_status(person=person, on=DAY)
    assert status.state == CertificationState.NOT_STARTED
    assert len(status.modules_missing) == 5
    assert status.sign_off_missing

    module = required_modules().first()
    attempt_submit(person=person, module=module, answers=answers(module), at=at(DAY))
    status = coach_status(person=person, on=DAY)
    assert status.state == CertificationState.IN_PROGRESS
    assert [m.slug for m in status.modules_missing] == [
        "active-listening",
        "emotional-intelligence",
        "feedback",
        "confidentiality-and-ethics",
    ]
    assert status.lacks[-1] == "A practice session signed off by a certified coach or an admin"

    pass_required(person, DAY)
    assert not Certification.objects.exists()
    practice_sign_off(coach=person, signed_off_by=admin.user, at=at(DAY))

    certification = Certification.objects.get()
    assert (certification.person, certification.certified_on) == (person, DAY)
    assert certification.expires_on == date(2029, 3, 1)
    assert coach_status(person=person, on=DAY).state == CertificationState.CERTIFIED


def test_the_certification_follows_when_the_last_module_is_passed_after_the_sign_off(coach, admin):
    practice_sign_off(coach=coach.person, signed_off_by=admin.user, at=at(DAY))
    assert not Certification.objects.exists()

    pass_required(coach.person, DAY + timedelta(days=3))

    assert Certification.objects.get().certified_on == DAY + timedelta(days=3)


def test_a_failed_quiz_does_not_count(coach, admin):
    practice_sign_off(coach=coach.person, signed_off_by=admin.user, at=at(DAY))
    modules = list(required_modules())
    for module in modules[:-1]:
        attempt_submit(person=coach.person, module=module, answers=answers(module), at=at(DAY))
    attempt_submit(
        person=coach.person, module=modules[-1], answers=answers(modules[-1], wrong=2), at=at(DAY)
    )

    assert coach_status(person=coach.person, on=DAY).modules_missing == [modules[-1]]
    assert not coach_matchable(person=coach.person, on=DAY)


def test_granting_early_is_refused_with_what_is_missing(coach, admin):
    with pytest.raises(EnablementError) as error:
        certification_grant(person=coach.person, on=DAY, granted_by=admin.user)

    assert str(error.value).startswith("Cora Coach is not ready: Pass “Coaching techniques")
    assert str(error.value).endswith(
        "A practice session signed off by a certified coach or an admin."
    )


def test_a_programme_rule_sets_the_expiry(coach, admin):
    programme = programme_create(values=settings_for(), objectives=[], created_by=admin.user)
    CertificationRule.objects.create(programme=programme, valid_months=12)
    practice_sign_off(coach=coach.person, signed_off_by=admin.user, at=at(DAY))
    pass_required(coach.person, DAY)
    Certification.objects.all().delete()

    certification = certification_grant(
        person=coach.person, on=DAY, granted_by=admin.user, programme=programme
    )

    assert (certification.expires_on, certification.programme) == (date(2028, 3, 1), programme)
    event = AuditEvent.objects.filter(action="enablement.certification_grant").order_by("pk").last()
    assert event is not None
    assert event.details["expires_on"] == "2028-03-01"


def certified(coach, admin, day=DAY) -> Certification:
    pass_required(coach.person, day)
    practice_sign_off(coach=coach.person, signed_off_by=admin.user, at=at(day))
    return Certification.objects.get(person=coach.person)


def test_a_certification_expires_on_its_expiry_date(coach, admin):
    certification = certified(coach, admin)
    last_day = certification.expires_on - timedelta(days=1)

    assert coach_matchable(person=coach.person, on=last_day)
    assert not coach_matchable(person=coach.person, on=certification.expires_on)
    assert not coach_matchable(person=coach.person, on=DAY - timedelta(days=1))
    status = coach_status(person=coach.person, on=certification.expires_on)
    assert status.state == CertificationState.EXPIRED
    assert len(status.modules_missing) == 5
    assert not status.sign_off_missing


def test_renewal_passes_the_modules_again_without_a_new_sign_off(coach, admin):
    first = certified(coach, admin)
    later = first.expires_on + timedelta(days=10)

    pass_required(coach.person, later)

    renewal = Certification.objects.get(renewed_from=first)
    assert (renewal.certified_on, renewal.expires_on) == (later, date(2031, 3, 11))
    assert coach_matchable(person=coach.person, on=later)


def test_renewal_opens_ninety_days_before_the_expiry(coach, admin):
    first = certified(coach, admin)

    pass_required(coach.person, first.expires_on - timedelta(days=91))
    assert Certification.objects.count() == 1

    pass_required(coach.person, first.expires_on - timedelta(days=90))
    assert Certification.objects.count() == 2


# Sign-off


def test_self_sign_off_is_refused_even_for_an_admin(admin):
    from cadre.accounts.models import Role
    from tests.factories import RoleGrantFactory

    RoleGrantFactory(user=admin.user, role=Role.COACH)

    with pytest.raises(EnablementError, match="can't sign off your own practice session"):
        practice_sign_off(coach=admin.person, signed_off_by=admin.user)


def test_an_uncertified_coach_cannot_sign_off(coach):
    other = make_coach()

    with pytest.raises(EnablementError, match="Only a programme admin or a certified coach"):
        practice_sign_off(coach=other, signed_off_by=coach.user, at=at(DAY))


def test_a_certified_coach_can_sign_off_another_coach(coach, admin):
    certified(coach, admin)
    other = make_coach()

    sign_off = practice_sign_off(coach=other, signed_off_by=coach.user, note=" Good. ", at=at(DAY))

    assert (sign_off.signed_off_by, sign_off.note) == (coach.user, "Good.")
    event = AuditEvent.objects.filter(action="enablement.practice_sign_off").order_by("pk").last()
    assert event is not None
    assert (event.actor, event.target_label) == (coach.user, "Kit Coach")


def test_only_coaches_are_signed_off(admin, coachee):
    with pytest.raises(EnablementError, match="doesn't hold the coach role"):
        practice_sign_off(coach=coachee.person, signed_off_by=admin.user)


# The matchability gate


def test_the_gate_lets_certified_coaches_through(coach, admin):
    certified(coach, admin)

    require_certified_coach(person=coach.person, on=DAY)


def test_the_gate_refuses_uncertified_coaches_with_what_they_lack(coach):
    with pytest.raises(CoachNotCertifiedError) as error:
        require_certified_coach(person=coach.person, on=DAY)

    assert str(error.value).startswith("Cora Coach is not certified yet: Pass “Coaching")


def test_the_gate_refuses_expired_coaches(coach, admin):
    certification = certified(coach, admin)

    with pytest.raises(CoachNotCertifiedError) as error:
        require_certified_coach(person=coach.person, on=certification.expires_on)

    assert str(error.value) == (
        "Cora Coach's certification expired on 1 Mar 2029: they renew it by passing the "
        "required modules again."
    )


def test_the_gate_refuses_people_who_are_not_coaches(coachee):
    with pytest.raises(CoachNotCertifiedError, match=r"Cole Coachee is not a coach\."):
        require_certified_coach(person=coachee.person, on=DAY)


def test_the_gate_refuses_a_certified_coach_whose_role_was_revoked(coach, admin):
    certified(coach, admin)
    coach.user.role_grants.all().delete()

    assert not coach_matchable(person=coach.person, on=DAY)


def test_uncertified_coaches_lists_everyone_not_certified(coach, admin):
    certified(coach, admin)
    waiting = make_coach("Wren Waiting")

    statuses = uncertified_coaches(on=DAY)

    assert [(status.person, status.state) for status in statuses] == [
        (waiting, CertificationState.NOT_STARTED)
    ]
    assert [status.person for status in uncertified_coaches(on=date(2029, 3, 1))] == [
        coach.person,
        waiting,
    ]
