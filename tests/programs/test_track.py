"""The development track: milestones with due dates, and each participant's progress."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadre.accounts.models import AuditEvent, Role
from cadre.demo.logins import LOGIN_EMAILS
from cadre.demo.track import track_generate
from cadre.programs.models import MilestoneProgress, Programme, TrackMilestone
from cadre.programs.track import (
    CurriculumChanges,
    TrackError,
    curriculum,
    curriculum_save,
    milestone_delete,
    milestone_save,
    participant_tracks,
    progress_set,
)
from tests.factories import RoleGrantFactory, UserFactory
from tests.programs.conftest import put_in, today
from tests.programs.enrolment import eligible, enrol

pytestmark = pytest.mark.django_db

DONE, IN_PROGRESS, NOT_STARTED = "done", "in_progress", "not_started"


def url(name: str, *args: int) -> str:
    return reverse(f"programs:{name}", args=args)


@pytest.fixture
def programme(make_programme, sponsor):
    """Running since 30 days ago for a year, with the development track and a sponsor."""
    programme = put_in(make_programme(offers_development_track=True), Programme.Status.RUNNING)
    programme.sponsor = sponsor.person
    programme.save()
    return programme


def milestone(programme, title="Read the GROW guide", *, days=30, position=0) -> TrackMilestone:
    return TrackMilestone.objects.create(
        programme=programme, title=title, due_on=today() + timedelta(days=days), position=position
    )


def approved(programme, person, role="coachee"):
    return enrol(programme, person, role=role, status="approved")


# Curriculum: admins add, change and remove milestones


def test_an_admin_adds_a_milestone_and_it_is_audited(programme, admin):
    added = milestone_save(
        milestone=TrackMilestone(
            programme=programme, title="  First session held ", due_on=today() + timedelta(days=14)
        ),
        by=admin.user,
    )

    assert TrackMilestone.objects.get().title == "First session held"
    event = AuditEvent.objects.get(action="programs.milestone_create")
    assert (event.actor, event.target_id) == (admin.user, str(added.pk))


def test_only_programmes_with_the_development_track_have_a_curriculum(make_programme, admin):
    programme = make_programme("Circles 2027")

    with pytest.raises(TrackError) as refused:
        milestone_save(
            milestone=TrackMilestone(programme=programme, title="One", due_on=today()),
            by=admin.user,
        )

    assert str(refused.value) == (
        "“Circles 2027” doesn't offer the development track: "
        "add that format to the programme first."
    )
    assert not TrackMilestone.objects.exists()


def test_a_closed_programmes_curriculum_cannot_change(programme, admin):
    first = milestone(programme)
    put_in(programme, Programme.Status.CLOSED)

    with pytest.raises(TrackError) as refused:
        milestone_delete(milestone=first, by=admin.user)

    assert str(refused.value) == (
        "“Leaders 2027” is closed: its development track can't change any more."
    )
    assert TrackMilestone.objects.filter(pk=first.pk).exists()


def test_a_due_date_outside_the_programme_is_refused_naming_the_field(programme, admin):
    late = programme.ends_on + timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        milestone_save(
            milestone=TrackMilestone(programme=programme, title="Late", due_on=late),
            by=admin.user,
        )

    start, end = programme.starts_on, programme.ends_on
    assert refused.value.message_dict == {
        "due_on": [
            "The due date must fall within the programme: "
            f"between {start.day} {start:%b %Y} and {end.day} {end:%b %Y}."
        ]
    }


def test_titles_are_unique_per_programme_whatever_the_case(programme, make_programme, admin):
    milestone(programme, "Read the GROW guide")
    other = make_programme("Other", offers_development_track=True)
    milestone(other, "Read the GROW guide")  # another programme may use the title

    with pytest.raises(ValidationError) as refused:
        milestone_save(
            milestone=TrackMilestone(
                programme=programme, title="read the grow GUIDE", due_on=today()
            ),
            by=admin.user,
        )

    assert refused.value.message_dict == {
        "title": ["“Leaders 2027” already has a milestone called “read the grow GUIDE”."]
    }


def test_only_admins_change_the_curriculum(programme, sponsor, coach):
    for member in (sponsor, coach):
        with pytest.raises(PermissionDenied):
            milestone_save(
                milestone=TrackMilestone(programme=programme, title="X", due_on=today()),
                by=member.user,
            )


def test_removing_a_milestone_removes_progress_and_is_audited(programme, admin):
    first = milestone(programme)
    enrolment = approved(programme, eligible())
    progress_set(milestone=first, enrolment=enrolment, status=DONE, by=admin.user)

    milestone_delete(milestone=first, by=admin.user)

    assert not MilestoneProgress.objects.exists()
    event = AuditEvent.objects.get(action="programs.milestone_delete")
    assert event.details == {"programme": programme.pk, "progress_removed": 1}


def test_a_curriculum_edit_is_all_or_nothing(programme, admin):
    first = milestone(programme, "First")
    first.title = "Renamed"
    bad = TrackMilestone(programme=programme, title="Late", due_on=programme.ends_on + timedelta(1))

    with pytest.raises(ValidationError):
        curriculum_save(
            programme=programme,
            changes=CurriculumChanges(added=[bad], changed=[first]),
            by=admin.user,
        )

    assert list(TrackMilestone.objects.values_list("title", flat=True)) == ["First"]


# Progress: the participant for their own enrolment, or an admin


def test_progress_moves_through_its_statuses(programme, coachee):
    first = milestone(programme)
    enrolment = approved(programme, coachee.person)

    started = progress_set(
        milestone=first, enrolment=enrolment, status=IN_PROGRESS, note=" Reading ", by=coachee.user
    )
    assert (started.status, started.completed_at, started.note) == (IN_PROGRESS, None, "Reading")

    done = progress_set(milestone=first, enrolment=enrolment, status=DONE, by=coachee.user)
    assert done.status == DONE
    assert done.completed_at is not None
    completed_at = done.completed_at
    again = progress_set(milestone=first, enrolment=enrolment, status=DONE, by=coachee.user)
    assert again.completed_at == completed_at  # saving "done" again keeps when it was done

    reopened = progress_set(
        milestone=first, enrolment=enrolment, status=IN_PROGRESS, by=coachee.user
    )
    assert reopened.completed_at is None
    assert MilestoneProgress.objects.count() == 1
    assert [
        e.details["to"]
        for e in AuditEvent.objects.filter(action="programs.progress_set").order_by("pk")
    ] == [
        IN_PROGRESS,
        DONE,
        DONE,
        IN_PROGRESS,
    ]


def test_a_participant_cannot_change_someone_elses_progress_but_an_admin_can(
    programme, coachee, admin
):
    first = milestone(programme)
    theirs = approved(programme, eligible())

    with pytest.raises(PermissionDenied):
        progress_set(milestone=first, enrolment=theirs, status=DONE, by=coachee.user)

    progress = progress_set(milestone=first, enrolment=theirs, status=DONE, by=admin.user)
    assert progress.updated_by == admin.user


def test_progress_is_refused_with_a_clear_message(programme, make_programme, coachee):
    first = milestone(programme)
    applied = enrol(programme, coachee.person)

    with pytest.raises(TrackError) as refused:
        progress_set(milestone=first, enrolment=applied, status=DONE, by=coachee.user)
    assert str(refused.value) == "Only approved participants follow the development track."

    other = milestone(make_programme("Other", offers_development_track=True))
    applied.status = "approved"
    applied.save()
    with pytest.raises(TrackError) as refused:
        progress_set(milestone=other, enrolment=applied, status=DONE, by=coachee.user)
    assert (
        str(refused.value) == "“Read the GROW guide” is not part of this participant's programme."
    )

    with pytest.raises(TrackError) as refused:
        progress_set(milestone=first, enrolment=applied, status="finished", by=coachee.user)
    assert str(refused.value) == "“finished” is not a milestone status."


# Reads


def test_the_curriculum_shows_share_done_and_overdue_per_milestone(programme, admin):
    past = milestone(programme, "Past", days=-5, position=1)
    future = milestone(programme, "Future", days=20, position=2)
    people = [approved(programme, eligible()) for _ in range(4)]
    waiting = enrol(programme, eligible(), status="applied")
    for enrolment, status in zip(people, [DONE, DONE, IN_PROGRESS], strict=False):
        progress_set(milestone=past, enrolment=enrolment, status=status, by=admin.user)
    MilestoneProgress.objects.create(
        milestone=past,
        enrolment=waiting,
        status=DONE,
        completed_at=past.progress.first().completed_at,
    )

    summaries = curriculum(programme)

    assert [s.milestone for s in summaries] == [past, future]
    first, second = summaries
    assert (first.participants, first.done, first.in_progress, first.overdue) == (4, 2, 1, 2)
    assert first.share_done == 50
    assert (second.done, second.overdue, second.share_done) == (0, 0, 0)


def test_a_participant_sees_their_milestones_with_overdue_ones_flagged(programme, coachee):
    late = milestone(programme, "Late", days=-1, position=1)
    done = milestone(programme, "Done late", days=-2, position=2)
    milestone(programme, "Ahead", days=10, position=3)
    enrolment = approved(programme, coachee.person)
    progress_set(milestone=done, enrolment=enrolment, status=DONE, by=coachee.user)

    (track,) = participant_tracks(coachee.person)

    assert [(s.milestone.title, s.status, s.overdue) for s in track.steps] == [
        ("Late", NOT_STARTED, True),
        ("Done late", DONE, False),
        ("Ahead", NOT_STARTED, False),
    ]
    assert (track.done, track.overdue) == (1, 1)
    assert late in [s.milestone for s in track.steps]


# Pages


def test_admins_see_the_track_with_progress_bars_and_an_edit_link(programme, admin):
    milestone(programme)

    response = admin.client.get(url("programme", programme.pk))

    assert "Development track" in response.text
    assert '<progress max="100" value="0"' in response.text
    assert url("curriculum_edit", programme.pk) in response.text


def test_sponsors_see_aggregates_only_and_outsiders_get_404(
    programme, sponsor, coachee, outsider, admin
):
    first = milestone(programme)
    enrolment = approved(programme, coachee.person)
    progress_set(milestone=first, enrolment=enrolment, status=DONE, note="Private", by=coachee.user)

    response = sponsor.client.get(url("programme", programme.pk))

    assert "100 % (1 of 1)" in response.text
    assert "Cole Coachee" not in response.text
    assert "Private" not in response.text
    assert url("curriculum_edit", programme.pk) not in response.text
    assert sponsor.client.get(url("curriculum_edit", programme.pk)).status_code == 403
    for member in (coachee, outsider):
        assert member.client.get(url("programme", programme.pk)).status_code == 404
        assert member.client.get(url("curriculum_edit", programme.pk)).status_code == 404


def test_an_admin_edits_the_curriculum_in_a_formset(programme, admin):
    first = milestone(programme, "First", position=1)
    due = (today() + timedelta(days=40)).isoformat()
    data = {
        "milestones-TOTAL_FORMS": "3",
        "milestones-INITIAL_FORMS": "1",
        "milestones-0-id": str(first.pk),
        "milestones-0-title": "First, renamed",
        "milestones-0-due_on": first.due_on.isoformat(),
        "milestones-0-position": "2",
        "milestones-1-title": "Second",
        "milestones-1-due_on": due,
        "milestones-1-position": "1",
        "milestones-2-title": "",
        "milestones-2-due_on": "",
        "milestones-2-position": "0",
    }

    response = admin.client.post(url("curriculum_edit", programme.pk), data)

    assert response.status_code == 302
    assert [m.title for m in TrackMilestone.objects.order_by("position")] == [
        "Second",
        "First, renamed",
    ]

    second = TrackMilestone.objects.get(title="Second")
    removal = {
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "2",
        "milestones-0-id": str(second.pk),
        "milestones-0-title": "Second",
        "milestones-0-due_on": due,
        "milestones-0-position": "1",
        "milestones-1-id": str(first.pk),
        "milestones-1-title": "First, renamed",
        "milestones-1-due_on": first.due_on.isoformat(),
        "milestones-1-position": "2",
        "milestones-1-DELETE": "on",
    }
    assert admin.client.post(url("curriculum_edit", programme.pk), removal).status_code == 302
    assert list(TrackMilestone.objects.values_list("title", flat=True)) == ["Second"]


def test_the_formset_names_the_field_at_fault(programme, admin):
    late = (programme.ends_on + timedelta(days=3)).isoformat()
    data = {
        "milestones-TOTAL_FORMS": "2",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-title": "Same",
        "milestones-0-due_on": late,
        "milestones-0-position": "0",
        "milestones-1-title": "same",
        "milestones-1-due_on": today().isoformat(),
        "milestones-1-position": "0",
    }

    response = admin.client.post(url("curriculum_edit", programme.pk), data)

    assert response.status_code == 200
    assert 'id="id_milestones-0-due_on_error"' in response.text
    assert "The due date must fall within the programme" in response.text
    assert 'id="id_milestones-1-title_error"' in response.text
    assert "Two milestones can&#x27;t share a title." in response.text
    assert not TrackMilestone.objects.exists()


def test_the_edit_page_is_refused_without_the_track(make_programme, admin):
    programme = make_programme("Circles 2027")

    response = admin.client.get(url("curriculum_edit", programme.pk), follow=True)

    assert "doesn&#x27;t offer the development track" in response.text


def test_a_participant_marks_a_milestone_done_on_my_programmes(programme, coachee):
    first = milestone(programme, "Late one", days=-1)
    enrolment = approved(programme, coachee.person)

    page = coachee.client.get(url("my_enrolments"))
    assert "Late one" in page.text
    assert "Overdue" in page.text

    response = coachee.client.post(
        url("progress_update", enrolment.pk, first.pk), {"status": DONE, "note": "Read it"}
    )

    assert response.status_code == 302
    progress = MilestoneProgress.objects.get()
    assert (progress.status, progress.note, progress.updated_by) == (DONE, "Read it", coachee.user)
    assert "Overdue" not in coachee.client.get(url("my_enrolments")).text


def test_htmx_gets_the_milestone_fragment(programme, coachee):
    first = milestone(programme, "Fragment")
    enrolment = approved(programme, coachee.person)

    response = coachee.client.post(
        url("progress_update", enrolment.pk, first.pk),
        {"status": IN_PROGRESS},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<li id="milestone-{enrolment.pk}-{first.pk}"')
    assert "In progress" in response.text
    assert "<html" not in response.text


def test_nobody_changes_someone_elses_progress_through_the_page(
    programme, coachee, coach, outsider
):
    first = milestone(programme)
    theirs = approved(programme, coach.person, role="coach")

    for member in (coachee, outsider):
        response = member.client.post(url("progress_update", theirs.pk, first.pk), {"status": DONE})
        assert response.status_code == 404
    mine = approved(programme, coachee.person)
    missing = coachee.client.post(url("progress_update", mine.pk, first.pk + 1), {"status": DONE})
    assert missing.status_code == 404
    assert not MilestoneProgress.objects.filter(enrolment=theirs).exists()


# N+1 guards


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_the_programme_page_runs_the_same_queries_for_many_milestones(programme, admin):
    first = milestone(programme, "M0")
    progress_set(
        milestone=first, enrolment=approved(programme, eligible()), status=DONE, by=admin.user
    )
    one = _queries(admin.client, url("programme", programme.pk))

    for index in range(1, 6):
        extra = milestone(programme, f"M{index}")
        enrolment = approved(programme, eligible())
        progress_set(milestone=extra, enrolment=enrolment, status=IN_PROGRESS, by=admin.user)

    assert _queries(admin.client, url("programme", programme.pk)) == one


def test_my_programmes_runs_the_same_queries_for_many_milestones(
    programme, make_programme, coachee
):
    milestone(programme, "M0")
    approved(programme, coachee.person)
    one = _queries(coachee.client, url("my_enrolments"))

    for index in range(1, 6):
        done = milestone(programme, f"M{index}")
        progress_set(
            milestone=done, enrolment=coachee.person.enrolments.get(), status=DONE, by=coachee.user
        )
    second = put_in(make_programme("Second", offers_development_track=True), "running")
    milestone(second, "Other")
    approved(second, coachee.person)

    assert _queries(coachee.client, url("my_enrolments")) == one


# The demo's curriculum


def test_the_demo_step_gives_a_programme_with_the_track_five_milestones(programme, make_programme):
    demo_admin = UserFactory(email=LOGIN_EMAILS[Role.PROGRAMME_ADMIN])
    RoleGrantFactory(user=demo_admin, role=Role.PROGRAMME_ADMIN)

    milestones = track_generate(programme)

    assert [s.milestone for s in curriculum(programme)] == milestones
    assert len(milestones) == 5
    assert all(programme.starts_on <= m.due_on <= programme.ends_on for m in milestones)
    assert track_generate(make_programme("Circles 2027")) == []
