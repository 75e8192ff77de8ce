"""The development track (issue 3 §1): a programme's curriculum of milestones with due dates,
and each participant's progress through it.

Writes: ``milestone_save`` and ``milestone_delete`` (programme admins; ``curriculum_save``
applies a whole edit of the curriculum atomically) and ``progress_set`` (the participant for
their own enrolment, or an admin). Every write is audited. Reads: ``curriculum`` (the
milestones with aggregate progress, for admins and the sponsor) and ``participant_tracks``
(a participant's own milestones, overdue ones flagged). Both run a fixed number of queries.

Only a programme that offers the development track has a curriculum, a milestone falls within
the programme's dates, and nothing changes once the programme is closed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from cadre.accounts.models import User
from cadre.accounts.queries import is_programme_admin
from cadre.accounts.services import audit_record
from cadre.people.models import Person
from cadre.programs.models import (
    Enrolment,
    MilestoneProgress,
    MilestoneStatus,
    Programme,
    TrackMilestone,
)

NOTE_MAX_LENGTH = 1000


class TrackError(Exception):
    """A change to the development track is refused; the message says why."""


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def track_refusal(programme: Programme) -> str | None:
    """Why the programme's curriculum can't change now, or None when it can."""
    if not programme.offers_development_track:
        return (
            f"“{programme}” doesn't offer the development track: "
            "add that format to the programme first."
        )
    if programme.status == Programme.Status.CLOSED:
        return f"“{programme}” is closed: its development track can't change any more."
    return None


def milestone_problems(
    *, programme: Programme, title: str, due_on: date | None, pk: int | None = None
) -> dict[str, str]:
    """What is wrong with a milestone, by field: empty when it may be saved."""
    problems: dict[str, str] = {}
    title = title.strip()
    if not title:
        problems["title"] = "Give the milestone a title."
    elif (
        TrackMilestone.objects.filter(programme=programme, title__iexact=title)
        .exclude(pk=pk or 0)
        .exists()
    ):
        problems["title"] = f"“{programme}” already has a milestone called “{title}”."
    if due_on is None:
        problems["due_on"] = "Give the milestone a due date."
    elif not programme.starts_on <= due_on <= programme.ends_on:
        problems["due_on"] = (
            f"The due date must fall within the programme: "
            f"between {_day(programme.starts_on)} and {_day(programme.ends_on)}."
        )
    return problems


def _require_admin(user: User) -> None:
    if not is_programme_admin(user):
        raise PermissionDenied("Only programme admins can change the development track.")


def _lock_programme(programme: Programme) -> Programme:
    """The programme's row, locked, once the curriculum may change; else ``TrackError``."""
    current = Programme.objects.select_for_update().get(pk=programme.pk)
    refusal = track_refusal(current)
    if refusal is not None:
        raise TrackError(refusal)
    return current


def _milestone_write(milestone: TrackMilestone, by: User, request: HttpRequest | None) -> None:
    milestone.title = milestone.title.strip()
    problems = milestone_problems(
        programme=milestone.programme,
        title=milestone.title,
        due_on=milestone.due_on,
        pk=milestone.pk,
    )
    if problems:
        raise ValidationError(problems)
    created = milestone.pk is None
    try:
        with transaction.atomic():
            milestone.save()
    except IntegrityError:
        raise ValidationError(
            {"title": f"“{milestone.programme}” already has a milestone called “{milestone}”."}
        ) from None
    audit_record(
        actor=by,
        action="programs.milestone_create" if created else "programs.milestone_update",
        target=milestone,
        request=request,
        details={
            "programme": milestone.programme_id,
            "due_on": milestone.due_on.isoformat(),
            "position": milestone.position,
        },
    )


def _milestone_remove(milestone: TrackMilestone, by: User, request: HttpRequest | None) -> None:
    progress = milestone.progress.count()
    audit_record(
        actor=by,
        action="programs.milestone_delete",
        target=milestone,
        request=request,
        details={"programme": milestone.programme_id, "progress_removed": progress},
    )
    milestone.delete()


def milestone_save(
    *, milestone: TrackMilestone, by: User, request: HttpRequest | None = None
) -> TrackMilestone:
    """Add or change one milestone of its programme's curriculum (admins only).

    Refused with ``TrackError`` when the programme doesn't offer the track or is closed, and
    with a ``ValidationError`` naming the field for a duplicate title or a due date outside
    the programme.
    """
    _require_admin(by)
    with transaction.atomic():
        milestone.programme = _lock_programme(milestone.programme)
        _milestone_write(milestone, by, request)
    return milestone


def milestone_delete(
    *, milestone: TrackMilestone, by: User, request: HttpRequest | None = None
) -> None:
    """Remove a milestone and everyone's progress on it (admins only; not once closed)."""
    _require_admin(by)
    with transaction.atomic():
        _lock_programme(milestone.programme)
        _milestone_remove(milestone, by, request)


@dataclass(frozen=True)
class CurriculumChanges:
    """Milestones to add, change and remove, e.g. from a formset's ``save(commit=False)``."""

    added: Sequence[TrackMilestone] = ()
    changed: Sequence[TrackMilestone] = ()
    removed: Sequence[TrackMilestone] = ()


def curriculum_save(
    *,
    programme: Programme,
    changes: CurriculumChanges,
    by: User,
    request: HttpRequest | None = None,
) -> None:
    """Apply an edit of the whole curriculum at once: all of it, or nothing."""
    _require_admin(by)
    with transaction.atomic():
        current = _lock_programme(programme)
        for milestone in changes.removed:
            _milestone_remove(milestone, by, request)
        for milestone in [*changes.changed, *changes.added]:
            if milestone.programme_id != current.pk:
                raise TrackError(f"“{milestone}” belongs to another programme.")
            milestone.programme = current
            _milestone_write(milestone, by, request)


def progress_set(
    *,
    milestone: TrackMilestone,
    enrolment: Enrolment,
    status: str,
    note: str = "",
    by: User,
    request: HttpRequest | None = None,
) -> MilestoneProgress:
    """Record where the participant stands on ``milestone``: not started, in progress, done.

    The participant changes their own progress; a programme admin may change anyone's.
    ``completed_at`` is set when a milestone becomes done and cleared if it is reopened.
    """
    if enrolment.person.user_id != by.pk and not is_programme_admin(by):
        raise PermissionDenied("Only the participant or a programme admin can change progress.")
    if status not in MilestoneStatus.values:
        raise TrackError(f"“{status}” is not a milestone status.")
    if milestone.programme_id != enrolment.programme_id:
        raise TrackError(f"“{milestone}” is not part of this participant's programme.")
    if enrolment.status != Enrolment.Status.APPROVED:
        raise TrackError("Only approved participants follow the development track.")
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise TrackError(f"Keep the note to {NOTE_MAX_LENGTH} characters.")
    with transaction.atomic():
        _lock_programme(milestone.programme)
        progress, _ = MilestoneProgress.objects.select_for_update().get_or_create(
            milestone=milestone, enrolment=enrolment
        )
        previous = progress.status
        now = timezone.now()
        if status == MilestoneStatus.DONE:
            progress.completed_at = progress.completed_at if previous == status else now
        else:
            progress.completed_at = None
        progress.status = status
        progress.note = note
        progress.updated_by = by
        progress.updated_at = now
        progress.save()
        audit_record(
            actor=by,
            action="programs.progress_set",
            target=progress,
            request=request,
            details={
                "milestone": milestone.pk,
                "enrolment": enrolment.pk,
                "from": previous,
                "to": status,
            },
        )
    return progress


# Reads


def milestone_of(enrolment: Enrolment, pk: int) -> TrackMilestone:
    """The milestone ``pk`` of the enrolment's programme, else 404 (fetch the enrolment
    through ``access`` first)."""
    try:
        return TrackMilestone.objects.select_related("programme").get(
            pk=pk, programme_id=enrolment.programme_id
        )
    except TrackMilestone.DoesNotExist:
        raise Http404("No such milestone.") from None


def milestones_of(programme: Programme) -> QuerySet[TrackMilestone]:
    return TrackMilestone.objects.filter(programme=programme).order_by("position", "due_on", "pk")


@dataclass(frozen=True)
class MilestoneSummary:
    """One milestone with its progress over all approved participants: figures, no names."""

    milestone: TrackMilestone
    participants: int
    done: int
    in_progress: int
    overdue: int

    @property
    def share_done(self) -> int:
        """The percentage of participants who are done, rounded down."""
        return self.done * 100 // self.participants if self.participants else 0


def curriculum(programme: Programme, *, today: date | None = None) -> list[MilestoneSummary]:
    """The programme's milestones in order, each with aggregate progress, in two queries.

    Participants are the programme's approved enrolments; a milestone is overdue for each
    of them not done once its due date has passed.
    """
    today = today or timezone.localdate()
    participants = Enrolment.objects.filter(
        programme=programme, status=Enrolment.Status.APPROVED
    ).count()
    approved = Q(progress__enrolment__status=Enrolment.Status.APPROVED)
    milestones = milestones_of(programme).annotate(
        done_count=Count("progress", filter=approved & Q(progress__status=MilestoneStatus.DONE)),
        in_progress_count=Count(
            "progress", filter=approved & Q(progress__status=MilestoneStatus.IN_PROGRESS)
        ),
    )
    return [
        MilestoneSummary(
            milestone=milestone,
            participants=participants,
            done=milestone.done_count,
            in_progress=milestone.in_progress_count,
            overdue=(participants - milestone.done_count if milestone.due_on < today else 0),
        )
        for milestone in milestones
    ]


@dataclass(frozen=True)
class MilestoneStep:
    """One milestone as a participant sees it: their status, note and whether it is late."""

    milestone: TrackMilestone
    enrolment: Enrolment
    status: str
    note: str
    completed_at: datetime | None
    overdue: bool

    @property
    def status_label(self) -> str:
        return MilestoneStatus(self.status).label


@dataclass(frozen=True)
class ParticipantTrack:
    enrolment: Enrolment
    steps: list[MilestoneStep]

    @property
    def done(self) -> int:
        return sum(step.status == MilestoneStatus.DONE for step in self.steps)

    @property
    def overdue(self) -> int:
        return sum(step.overdue for step in self.steps)


def step_for(
    milestone: TrackMilestone,
    enrolment: Enrolment,
    progress: MilestoneProgress | None,
    today: date,
) -> MilestoneStep:
    status = progress.status if progress is not None else MilestoneStatus.NOT_STARTED
    return MilestoneStep(
        milestone=milestone,
        enrolment=enrolment,
        status=status,
        note=progress.note if progress is not None else "",
        completed_at=progress.completed_at if progress is not None else None,
        overdue=status != MilestoneStatus.DONE and milestone.due_on < today,
    )


def participant_tracks(person: Person, *, today: date | None = None) -> list[ParticipantTrack]:
    """The person's own development tracks: one per approved enrolment in a programme that
    offers the track and has milestones, each milestone with their status. Three queries."""
    today = today or timezone.localdate()
    enrolments = list(
        Enrolment.objects.filter(
            person=person,
            status=Enrolment.Status.APPROVED,
            programme__offers_development_track=True,
        )
        .select_related("programme")
        .order_by("-created_at", "pk")
    )
    if not enrolments:
        return []
    milestones: dict[int, list[TrackMilestone]] = {}
    for milestone in TrackMilestone.objects.filter(
        programme_id__in={e.programme_id for e in enrolments}
    ).order_by("position", "due_on", "pk"):
        milestones.setdefault(milestone.programme_id, []).append(milestone)
    progress = {
        (p.enrolment_id, p.milestone_id): p
        for p in MilestoneProgress.objects.filter(enrolment__in=enrolments)
    }
    return [
        ParticipantTrack(
            enrolment=enrolment,
            steps=[
                step_for(milestone, enrolment, progress.get((enrolment.pk, milestone.pk)), today)
                for milestone in milestones[enrolment.programme_id]
            ],
        )
        for enrolment in enrolments
        if enrolment.programme_id in milestones
    ]
