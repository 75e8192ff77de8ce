"""Coaching forms: they parse and label input; the services decide."""

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cadre.coaching.models import CoachingSession, SessionNote
from cadre.coaching.notes import NOTE_FIELD_LABELS, NOTE_FIELD_MAX_LENGTH

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
