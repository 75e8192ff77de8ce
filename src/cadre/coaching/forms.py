"""Forms of the coaching pages. They parse input; the rules live in the services."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from cadre.coaching.agreement_text import SECTION_HEADINGS
from cadre.coaching.models import (
    AgreementTemplate,
    Circle,
    CircleKind,
    CoachingRelationship,
    CoachingSession,
    EndReason,
    Goal,
    RelationshipStatus,
    SessionFormat,
    SessionNote,
)
from cadre.coaching.notes import NOTE_FIELD_LABELS, NOTE_FIELD_MAX_LENGTH
from cadre.coaching.queries import (
    SignatureState,
    certified_coaches,
    circle_member_choices,
    circle_programmes,
    known_time_zones,
)
from cadre.coaching.services import PAIRING_PROGRAMME_STATUSES, SECTION_MAX_LENGTH, SECTIONS
from cadre.people.models import Competency, Person
from cadre.programs.models import Enrolment, Programme

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


# Sessions


def local_instant(value: datetime, zone_name: str) -> datetime:
    """The instant a wall-clock time names in ``zone_name``; refuses a time the clocks skip
    (the hour lost when daylight saving starts)."""
    zone = ZoneInfo(zone_name)
    instant = value.replace(tzinfo=zone)
    back = instant.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if back.replace(tzinfo=None) != value.replace(tzinfo=None):
        raise forms.ValidationError(
            f"{value:%H:%M} doesn't exist on {value:%-d %B} in {zone_name}: the clocks change "
            "then. Pick another time."
        )
    return instant


class WallClockField(forms.DateTimeField):
    """A date and time as a clock shows it, with no zone yet: the form's time zone field
    gives it one (Django would otherwise read it in the viewer's zone)."""

    def to_python(self, value: str | datetime | date | None) -> datetime | None:
        with timezone.override(ZoneInfo("UTC")):
            result = super().to_python(value)
        return result.replace(tzinfo=None) if result is not None else None


class SessionTimeForm(forms.Form):
    """When a session is: a suggested slot, or a date and time in the chosen zone."""

    # Chosen among the suggestions (radio buttons the suggestions partial draws); it wins
    # over a typed time.
    slot = forms.DateTimeField(label="Suggested time", required=False)
    starts_at = WallClockField(
        label="Starts at",
        required=False,
        help_text="Your local time, in the time zone below.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="An IANA name such as Europe/London; the invitation uses it.",
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=15, max_value=480, initial=60
    )

    def clean_time_zone(self) -> str:
        name: str = self.cleaned_data["time_zone"].strip()
        if name not in known_time_zones():
            raise forms.ValidationError("Enter a time zone such as Europe/London.")
        return name

    def clean(self) -> dict[str, object] | None:
        data = super().clean() or {}
        slot, local, zone = data.get("slot"), data.get("starts_at"), data.get("time_zone")
        if self.errors:
            return data
        if isinstance(slot, datetime) and timezone.is_aware(slot):
            data["instant"] = slot
        elif isinstance(local, datetime) and isinstance(zone, str):
            try:
                data["instant"] = local_instant(local, zone)
            except forms.ValidationError as error:
                self.add_error("starts_at", error)
        else:
            self.add_error("starts_at", "Pick a suggested time or enter a date and time.")
        return data


class SessionScheduleForm(SessionTimeForm):
    format = forms.ChoiceField(label="Format", choices=SessionFormat.choices)
    location = forms.CharField(
        label="Place or link",
        max_length=500,
        required=False,
        help_text="A room, an address or a call link.",
    )
    agenda = forms.CharField(
        label="Agenda",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in the calendar invitation: keep it general.",
    )


class SessionRescheduleForm(SessionTimeForm):
    format = forms.ChoiceField(label="Format", choices=SessionFormat.choices)
    location = forms.CharField(label="Place or link", max_length=500, required=False)

    @classmethod
    def for_session(cls, session: CoachingSession, zone_name: str) -> "SessionRescheduleForm":
        local = session.starts_at.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
        return cls(
            initial={
                "starts_at": local,
                "time_zone": zone_name,
                "duration_minutes": session.duration_minutes,
                "format": session.format,
                "location": session.location,
            },
            prefix="move",
        )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (sent to the others)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoShowForm(forms.Form):
    absent = forms.TypedChoiceField(label="Who didn't come", coerce=int)

    def __init__(self, *args: Any, attendees: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["absent"].choices = [(person.pk, person.full_name) for person in attendees]  # type: ignore[attr-defined]


# Circles.


class CircleForm(forms.ModelForm[Circle]):
    """A circle's set-up. Its kind is chosen when it is created and never changes; the member
    choices follow it (coaches, or the approved coachees of the circle's programme)."""

    class Meta:
        model = Circle
        fields = ["name", "purpose", "programme", "facilitator", "members", "cadence_days"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "members": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "purpose": "What the circle is for; its members read this on the circle's page.",
            "facilitator": "A certified coach; they lead the sessions and record attendance.",
            "cadence_days": "How often the circle means to meet.",
        }

    def __init__(self, *args: Any, kind: str, members_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        programme_field = self.fields["programme"]
        facilitator_field = self.fields["facilitator"]
        members_field = self.fields["members"]
        assert isinstance(programme_field, forms.ModelChoiceField)
        assert isinstance(facilitator_field, forms.ModelChoiceField)
        assert isinstance(members_field, forms.ModelMultipleChoiceField)
        facilitator_field.queryset = certified_coaches()
        if kind == CircleKind.COACHING:
            programme_field.queryset = circle_programmes()
            programme_field.required = True
            programme_field.help_text = "Only programmes that offer group coaching circles."
            if members_url:
                # Choosing the programme reloads the member choices with its coachees.
                programme_field.widget.attrs.update(
                    {
                        "hx-get": members_url,
                        "hx-target": "#circle-members",
                        "hx-select": "#circle-members",
                        "hx-swap": "outerHTML",
                    }
                )
            members_field.help_text = "Approved coachees of the programme."
        else:
            programme_field.queryset = Programme.objects.order_by("name", "pk")
            programme_field.help_text = "Optional: the programme whose coaches meet here."
            members_field.help_text = "Coaches; the facilitator needn't be ticked."
        members_field.queryset = circle_member_choices(kind=kind, programme=self._programme())

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if Circle.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A circle with this name already exists.")
        return name

    def _programme(self) -> Programme | None:
        """The programme chosen so far: in the submitted data, else the circle's own."""
        if self.is_bound:
            field = self.fields["programme"]
            assert isinstance(field, forms.ModelChoiceField)
            try:
                chosen: Programme | None = field.clean(self.data.get(self.add_prefix("programme")))
            except forms.ValidationError:
                return None
            return chosen
        initial = self.initial.get("programme")
        if isinstance(initial, Programme):
            return initial
        return self.instance.programme if self.instance.programme_id else None


class CircleNoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Read by the facilitator and the members of this circle only.",
    )


class AttendanceForm(forms.Form):
    """Who came to one session: a box per member, ticked for those present."""

    present = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, member_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(pk, pk) for pk in member_ids]


# Relationships and agreements (helper "relationships")


class SectionsForm(forms.Form):
    """The five sections of an agreement or of a programme's agreement template."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in SECTIONS:
            self.fields[name] = forms.CharField(
                label=SECTION_HEADINGS[name],
                max_length=SECTION_MAX_LENGTH,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 8}),
            )


class AgreementTemplateForm(SectionsForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placeholders = (
            "Markdown. {coach}, {coachee}, {programme}, {cadence_days} and {months} are "
            "filled in for each pair."
        )
        for name in SECTIONS:
            self.fields[name].help_text = placeholders


def template_initial(template: AgreementTemplate) -> dict[str, str]:
    return {name: getattr(template, name) for name in SECTIONS}


def _people_in_role(role: str, programme: Programme | None) -> Any:
    enrolments = Enrolment.objects.filter(
        role=role,
        status=Enrolment.Status.APPROVED,
        programme__status__in=PAIRING_PROGRAMME_STATUSES,
    )
    if programme is not None:
        enrolments = enrolments.filter(programme=programme)
    return Person.objects.filter(pk__in=enrolments.values("person"), is_active=True).order_by(
        "full_name", "pk"
    )


class PersonChoiceField(forms.ModelChoiceField[Person]):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.display_name} ({obj.job_title})" if obj.job_title else obj.display_name


class PairForm(forms.Form):
    """An admin pairs a coach with a coachee by hand; the service checks every rule."""

    programme = forms.ModelChoiceField(
        label="Programme",
        queryset=Programme.objects.filter(status__in=PAIRING_PROGRAMME_STATUSES).order_by("name"),
        help_text="Programmes that are matching or running.",
    )
    coach = PersonChoiceField(label="Coach", queryset=Person.objects.none())
    coachee = PersonChoiceField(label="Coachee", queryset=Person.objects.none())

    def __init__(self, *args: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        coach = self.fields["coach"]
        coachee = self.fields["coachee"]
        assert isinstance(coach, forms.ModelChoiceField)
        assert isinstance(coachee, forms.ModelChoiceField)
        coach.queryset = _people_in_role(Enrolment.Role.COACH, programme)
        coachee.queryset = _people_in_role(Enrolment.Role.COACHEE, programme)


class RelationshipFilterForm(forms.Form):
    """The admin list's filters; every one optional."""

    programme = forms.ModelChoiceField(
        label="Programme",
        required=False,
        empty_label="All programmes",
        queryset=Programme.objects.order_by("name"),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses"), *RelationshipStatus.choices],
    )
    signature = forms.ChoiceField(
        label="Agreement",
        required=False,
        choices=[("", "Any signature state"), *SignatureState.CHOICES],
    )
    q = forms.CharField(label="Name", required=False, max_length=100)


ADMIN_ACTIONS = [
    ("confirm", "Confirm for both"),
    ("pause", "Pause"),
    ("resume", "Resume"),
    ("complete", "Complete"),
    ("end", "End early"),
]


class RelationshipActionForm(forms.Form):
    """An admin moves a relationship on: the reason matters only for ending it."""

    action = forms.ChoiceField(choices=ADMIN_ACTIONS, widget=forms.HiddenInput)
    reason = forms.ChoiceField(
        label="Why it ends",
        required=False,
        choices=[("", "Choose a reason"), *[c for c in EndReason.choices if c[0] != "declined"]],
    )
    note = forms.CharField(
        label="Note for programme admins",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Never what was said in sessions.",
    )


class PartyActionForm(forms.Form):
    """The coach or the coachee pauses or resumes, with an optional note for the admins."""

    note = forms.CharField(
        label="Note for programme admins (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
