"""Forms of the coaching pages. They parse input; the rules live in the services."""

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from cadre.coaching.models import CoachingRelationship, CoachingSession, Goal, SessionNote
from cadre.coaching.notes import NOTE_FIELD_LABELS, NOTE_FIELD_MAX_LENGTH
from cadre.people.models import Competency, Person

# Goals and actions ------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class GoalForm(forms.Form):
    title = forms.CharField(
        label="Specific outcome",
        max_length=300,
        help_text="What you will be able to do, or what will have changed.",
    )
    measure = forms.CharField(
        label="How we'll measure it",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will be different, and how you'll know.",
    )
    target_date = forms.DateField(label="Target date", widget=DateInput())
    competencies = forms.ModelMultipleChoiceField(
        label="Competencies it develops",
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, competencies: QuerySet[Competency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["competencies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = competencies

    @classmethod
    def initial_for(cls, goal: Goal) -> dict[str, Any]:
        return {
            "title": goal.title,
            "measure": goal.measure,
            "target_date": goal.target_date,
            "competencies": list(goal.competencies.all()),
        }


class ProgressForm(forms.Form):
    """Where a goal stands now; prefixed per goal, as several sit on one page."""

    progress = forms.IntegerField(
        label="Progress (%)",
        min_value=0,
        max_value=100,
        help_text="0 to 100. Recording 100 marks the goal achieved.",
        error_messages={"required": "Give the progress, from 0 to 100."},
    )
    comment = forms.CharField(
        label="What moved it",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what moved the goal: a comment is required."},
    )


class ActionForm(forms.Form):
    title = forms.CharField(label="Action", max_length=300)
    owner = forms.TypedChoiceField(label="Who does it", coerce=int)
    due_on = forms.DateField(label="Due on", widget=DateInput())
    session = forms.ModelChoiceField(
        label="From the session of",
        queryset=CoachingSession.objects.none(),
        required=False,
        empty_label="No session",
    )
    goal = forms.ModelChoiceField(
        label="Towards the goal",
        queryset=Goal.objects.none(),
        required=False,
        empty_label="No goal",
    )

    def __init__(
        self,
        *args: Any,
        relationship: CoachingRelationship,
        sessions: QuerySet[CoachingSession],
        goals: QuerySet[Goal],
        zone: ZoneInfo,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.parties = {
            relationship.coach_id: relationship.coach,
            relationship.coachee_id: relationship.coachee,
        }
        owner = self.fields["owner"]
        assert isinstance(owner, forms.TypedChoiceField)
        owner.choices = [
            (relationship.coachee_id, f"{relationship.coachee} (coachee)"),
            (relationship.coach_id, f"{relationship.coach} (coach)"),
        ]
        session = self.fields["session"]
        assert isinstance(session, forms.ModelChoiceField)
        session.queryset = sessions
        session.label_from_instance = lambda obj: date_format(  # type: ignore[method-assign]
            timezone.localtime(obj.starts_at, zone), "j M Y, H:i"
        )
        goal = self.fields["goal"]
        assert isinstance(goal, forms.ModelChoiceField)
        goal.queryset = goals

    def owner_person(self) -> Person:
        return self.parties[self.cleaned_data["owner"]]


# Notes


# The question each GROW field answers, shown under it while writing.
NOTE_PROMPTS = {
    "goal": "What does the coachee want from this session, and from the coaching?",
    "reality": "Where are things now? What has been tried, what is in the way?",
    "options": "What could be done? Which options came up, even unlikely ones?",
    "way_forward": "What will happen next: who does what, by when?",
    "free_text": "Anything else worth remembering: observations, questions for next time.",
}


class SessionChoiceField(forms.ModelChoiceField[CoachingSession]):
    """A session of the relationship, by its date in the viewer's time zone."""

    time_zone = ZoneInfo("UTC")

    def label_from_instance(self, obj: CoachingSession) -> str:
        starts = timezone.localtime(obj.starts_at, self.time_zone)
        return f"{starts.day} {starts:%b %Y, %H:%M} ({obj.get_status_display().lower()})"


def _note_text(name: str) -> forms.CharField:
    return forms.CharField(
        label=NOTE_FIELD_LABELS[name],
        required=False,
        max_length=NOTE_FIELD_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=NOTE_PROMPTS[name],
    )


class NoteForm(forms.Form):
    """A note's GROW texts and its session; on a new note, whether to share it right away."""

    goal = _note_text("goal")
    reality = _note_text("reality")
    options = _note_text("options")
    way_forward = _note_text("way_forward")
    free_text = _note_text("free_text")
    session = SessionChoiceField(
        queryset=CoachingSession.objects.none(),
        required=False,
        empty_label="Not about one session",
        help_text="The session these notes are about, if any.",
    )
    share = forms.BooleanField(label="Share", required=False)

    def __init__(
        self,
        *args: Any,
        sessions: QuerySet[CoachingSession],
        other_name: str,
        with_share: bool,
        time_zone: str = "UTC",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        session_field = self.fields["session"]
        assert isinstance(session_field, SessionChoiceField)
        session_field.queryset = sessions
        session_field.time_zone = ZoneInfo(time_zone)
        if with_share:
            self.fields["share"].label = f"Share with {other_name}"
            self.fields["share"].help_text = (
                f"{other_name} will be able to read this note, and is told by e-mail that you "
                "shared one (the e-mail doesn't include what you wrote). Leave it unticked to "
                "keep the note to yourself; you can share it later."
            )
        else:
            del self.fields["share"]

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in SessionNote.GROW_FIELDS}
