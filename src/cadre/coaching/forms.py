"""Coaching forms."""

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from cadre.coaching.models import CoachingSession, SessionFormat
from cadre.coaching.queries import known_time_zones
from cadre.people.models import Person

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
