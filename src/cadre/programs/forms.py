import csv
import io
from typing import Any

from django import forms
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory

from cadre.accounts.models import Role
from cadre.people.models import Competency, Department, Person
from cadre.people.queries import DirectoryFilters, directory
from cadre.programs.models import (
    MAX_COACH_CAPACITY,
    MAX_RATING,
    WEEKDAY_CHOICES,
    ApplicationQuestion,
    AvailabilityWindow,
    Enrolment,
    Programme,
    ProgrammeObjective,
    TrackMilestone,
)
from cadre.programs.queries import EDITABLE_FIELDS, FORMAT_FIELDS
from cadre.programs.services import Window
from cadre.programs.track import milestone_problems

FORMAT_CHOICES = [
    ("offers_one_on_one", "One-on-one coaching"),
    ("offers_group_circles", "Group coaching circles"),
    ("offers_development_track", "Development track"),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm[Programme]):
    """A programme's settings. Fields locked in the programme's status are shown disabled.

    The three format switches are one set of checkboxes, "Formats".
    """

    formats = forms.MultipleChoiceField(
        label="Formats",
        choices=FORMAT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one format."},
    )

    class Meta:
        model = Programme
        fields = [
            "name",
            "description",
            "sponsor",
            "starts_on",
            "ends_on",
            "relationship_months",
            "session_cadence_days",
            "minimum_sessions",
            "enrolment_opens_on",
            "enrolment_closes_on",
            "min_level",
            "max_level",
            "eligible_departments",
            "min_tenure_months",
            "default_coach_capacity",
            "cross_department",
            "min_level_gap",
            "time_zone_window_hours",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "enrolment_opens_on": DateInput(),
            "enrolment_closes_on": DateInput(),
            "eligible_departments": forms.CheckboxSelectMultiple,
            "cross_department": forms.RadioSelect,
        }

    def __init__(self, *args: Any, locked: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Move "formats" after the sponsor, where it reads naturally.
        order = list(self.fields)
        order.remove("formats")
        order.insert(order.index("sponsor") + 1, "formats")
        self.order_fields(order)
        self.fields["formats"].initial = [
            name for name in FORMAT_FIELDS if getattr(self.instance, name)
        ]
        sponsor = self.fields["sponsor"]
        assert isinstance(sponsor, forms.ModelChoiceField)
        sponsor.queryset = (
            Person.objects.filter(
                Q(is_active=True, user__is_active=True, user__role_grants__role=Role.SPONSOR)
                | Q(pk=self.instance.sponsor_id)
            )
            .distinct()
            .order_by("full_name")
        )
        sponsor.help_text = (
            "People whose login holds the sponsor role; give the role on their person page."
        )
        departments = self.fields["eligible_departments"]
        assert isinstance(departments, forms.ModelMultipleChoiceField)
        departments.queryset = Department.objects.order_by("name")
        for name in self.fields:
            model_name = name if name != "formats" else FORMAT_FIELDS[0]
            if model_name in locked:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Locked in this status."

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = Programme.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("A programme with this name already exists.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        starts, ends = data.get("starts_on"), data.get("ends_on")
        opens, closes = data.get("enrolment_opens_on"), data.get("enrolment_closes_on")
        low, high = data.get("min_level"), data.get("max_level")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The programme must end after it starts.")
        if (opens is None) != (closes is None) and "enrolment_opens_on" not in self.errors:
            missing = "enrolment_closes_on" if closes is None else "enrolment_opens_on"
            self.add_error(missing, "Give both dates of the enrolment window, or neither.")
        if opens and closes:
            if closes <= opens:
                self.add_error("enrolment_closes_on", "Enrolment must close after it opens.")
            if starts and opens < starts:
                self.add_error(
                    "enrolment_opens_on", "Enrolment can't open before the programme starts."
                )
            if ends and closes > ends:
                self.add_error(
                    "enrolment_closes_on", "Enrolment must close by the programme's end."
                )
        if low is not None and high is not None and low > high:
            self.add_error("max_level", "The highest level can't be below the lowest.")
        return data

    def values(self) -> dict[str, Any]:
        """The settings for ``programme_create`` and ``programme_update``."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        chosen = set(self.cleaned_data["formats"])
        data.update({name: name in chosen for name in FORMAT_FIELDS})
        data["eligible_departments"] = list(self.cleaned_data["eligible_departments"])
        assert set(data) <= set(EDITABLE_FIELDS)
        return data


class ObjectiveForm(forms.ModelForm[ProgrammeObjective]):
    class Meta:
        model = ProgrammeObjective
        fields = ["description", "metric", "comparison", "target", "unit", "due_on", "position"]
        widgets = {"due_on": DateInput()}


ObjectiveFormSet: type[BaseInlineFormSet[ProgrammeObjective, Programme, ObjectiveForm]] = (
    inlineformset_factory(
        Programme, ProgrammeObjective, form=ObjectiveForm, extra=2, can_delete=True
    )
)


class ResponsibilitiesForm(forms.Form):
    """The responsibilities of each role, one per line."""

    def __init__(self, *args: Any, disabled: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            Role.COACH: "Coaches",
            Role.COACHEE: "Coachees",
            Role.PROGRAMME_ADMIN: "Programme admins",
            Role.SPONSOR: "The sponsor",
        }
        for role, label in labels.items():
            self.fields[role] = forms.CharField(
                label=label,
                required=False,
                disabled=disabled,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text="One responsibility per line.",
            )


# Enrolment


TERMS_LABEL = (
    "I agree to the programme's terms: what is said in coaching stays confidential, and my "
    "enrolment and profile are used to run and evaluate the programme."
)


class ApplicationForm(forms.Form):
    """Apply to a programme: the role, the admins' questions, and consent to the terms."""

    role = forms.ChoiceField(
        label="Apply as", choices=Enrolment.Role.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, questions: list[ApplicationQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"question_{question.pk}"] = forms.CharField(
                label=question.text,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Required." if question.required else "Optional.",
            )
        self.fields["consent"] = forms.BooleanField(label=TERMS_LABEL, required=False)

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(f"question_{q.pk}", "") for q in self.questions}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"question_{q.pk}"] for q in self.questions]


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class AvailabilityForm(forms.Form):
    """One weekly window; a row left empty is no window."""

    weekday = forms.TypedChoiceField(
        label="Day",
        choices=[("", "—"), *WEEKDAY_CHOICES],
        coerce=int,
        required=False,
        empty_value=None,
    )
    starts_at = forms.TimeField(label="From", required=False, widget=TimeInput())
    ends_at = forms.TimeField(label="Until", required=False, widget=TimeInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        given = [data.get(name) is not None for name in ("weekday", "starts_at", "ends_at")]
        if any(given) and not all(given):
            raise forms.ValidationError("Give the day and both times, or leave the row empty.")
        if all(given) and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "A window must end after it starts.")
        return data

    def window(self) -> Window | None:
        data = self.cleaned_data
        if data.get("weekday") is None:
            return None
        return Window(weekday=data["weekday"], starts_at=data["starts_at"], ends_at=data["ends_at"])


def availability_formset(
    data: Any, windows: list[AvailabilityWindow]
) -> forms.BaseFormSet[AvailabilityForm]:
    """The participant's windows and three empty rows."""
    initial = [
        {"weekday": w.weekday, "starts_at": w.starts_at, "ends_at": w.ends_at} for w in windows
    ]
    formset = forms.formset_factory(AvailabilityForm, extra=3, max_num=21)
    return formset(data, initial=initial, prefix="availability")


def windows_of(formset: forms.BaseFormSet[AvailabilityForm]) -> list[Window]:
    return [window for form in formset if (window := form.window()) is not None]


RATING_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(1, MAX_RATING + 1)]]
CAPACITY_CHOICES = [(n, str(n)) for n in range(1, MAX_COACH_CAPACITY + 1)]


class CoachProfileForm(forms.Form):
    """A coach's profile: capacity, strengths per competency (1 to 5), languages and words."""

    capacity = forms.TypedChoiceField(
        label="Coachees you can take", choices=CAPACITY_CHOICES, coerce=int
    )
    languages = forms.CharField(
        label="Languages you coach in",
        required=False,
        max_length=200,
        help_text="Separated by commas, for example: English, French.",
    )
    bio = forms.CharField(
        label="Short bio",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Coachees choosing a coach read it among their suggestions, and a coachee proposed "
            "to you reads it with your strongest competencies (rated 4 or 5) until the "
            "relationship ends. Your preferences stay with the programme's team."
        ),
    )
    preferences = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, competencies: list[Competency], needs_consent: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        for competency in competencies:
            self.fields[f"strength_{competency.pk}"] = forms.TypedChoiceField(
                label=competency.name,
                choices=RATING_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
            )
        if needs_consent:
            self.fields["consent"] = forms.BooleanField(label=TERMS_LABEL, required=False)

    def strength_fields(self) -> list[forms.BoundField]:
        return [self[f"strength_{c.pk}"] for c in self.competencies]

    def strengths(self) -> dict[Competency, int]:
        ratings = {c: self.cleaned_data.get(f"strength_{c.pk}") for c in self.competencies}
        return {competency: rating for competency, rating in ratings.items() if rating}


GROWTH_RANKS = 3


class CoacheeProfileForm(forms.Form):
    """A coachee's profile: goals, competencies to grow by rank, and preferences."""

    goals = forms.CharField(
        label="Your development goals",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            "In your own words: what you want to be doing differently in six months. A coach "
            "proposed to you reads these goals and your competencies to grow once you accept "
            "(asking a coach yourself counts), until the relationship ends."
        ),
    )
    prefers_other_function = forms.BooleanField(
        label="I'd like a coach from another function", required=False
    )
    avoid = forms.CharField(
        label="People to avoid",
        required=False,
        max_length=500,
        help_text="Employee ids, separated by commas. Nobody else sees this list.",
    )

    def __init__(
        self, *args: Any, competencies: list[Competency], needs_consent: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for rank in range(1, GROWTH_RANKS + 1):
            self.fields[f"growth_{rank}"] = forms.ModelChoiceField(
                label=f"Competency to grow, choice {rank}",
                queryset=Competency.objects.filter(pk__in=[c.pk for c in competencies]),
                required=False,
            )
        if needs_consent:
            self.fields["consent"] = forms.BooleanField(label=TERMS_LABEL, required=False)

    def growth_fields(self) -> list[forms.BoundField]:
        return [self[f"growth_{rank}"] for rank in range(1, GROWTH_RANKS + 1)]

    def growth(self) -> list[Competency]:
        chosen = [self.cleaned_data.get(f"growth_{rank}") for rank in range(1, GROWTH_RANKS + 1)]
        return [competency for competency in chosen if competency is not None]

    def clean_avoid(self) -> list[Person]:
        ids = [part.strip() for part in self.cleaned_data["avoid"].split(",") if part.strip()]
        people = {p.employee_id: p for p in Person.objects.filter(employee_id__in=ids)}
        unknown = [employee_id for employee_id in ids if employee_id not in people]
        if unknown:
            raise forms.ValidationError(f"No one has the employee id {', '.join(unknown)}.")
        return list(people.values())


class NominationForm(forms.Form):
    """A manager nominates one of their direct reports as a coachee."""

    person = forms.ModelChoiceField(label="Your direct report", queryset=Person.objects.none())

    def __init__(self, *args: Any, reports: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = reports


class BulkEnrolForm(forms.Form):
    """Enrol people by employee id (typed, or a CSV file's first column) or by a filter."""

    role = forms.ChoiceField(
        label="Enrol as", choices=Enrolment.Role.choices, widget=forms.RadioSelect
    )
    employee_ids = forms.CharField(
        label="Employee ids",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line.",
    )
    csv_file = forms.FileField(
        label="Or a CSV file",
        required=False,
        help_text="Employee ids in the first column; a header row “employee_id” is skipped.",
    )
    department = forms.ModelChoiceField(
        label="Or everyone in a department",
        queryset=Department.objects.order_by("name"),
        required=False,
        help_text="With the departments under it.",
    )
    level = forms.IntegerField(label="At level", required=False, min_value=1, max_value=99)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        rows: list[str] = []
        upload = data.get("csv_file")
        if upload is not None:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The CSV file must be UTF-8 text.") from None
            for number, row in enumerate(csv.reader(io.StringIO(text))):
                cell = row[0].strip() if row else ""
                if number == 0 and cell.lower().replace(" ", "_") == "employee_id":
                    continue
                rows.append(cell)
        elif data.get("employee_ids"):
            rows = data["employee_ids"].splitlines()
        elif data.get("department") is not None or data.get("level") is not None:
            department = data.get("department")
            filters = DirectoryFilters(
                department_id=department.pk if department else None, level=data.get("level")
            )
            rows = list(
                directory(Person.objects.all(), filters).values_list("employee_id", flat=True)
            )
            if not rows:
                raise forms.ValidationError("No one active matches that filter.")
        else:
            raise forms.ValidationError(
                "Type employee ids, upload a CSV file, or choose a department or level."
            )
        data["rows"] = rows
        return data


DECISION_CHOICES = [
    (Enrolment.Status.APPROVED.value, "Approve"),
    (Enrolment.Status.WAITLISTED.value, "Waitlist"),
    (Enrolment.Status.DECLINED.value, "Decline"),
]


# The development track


class MilestoneForm(forms.ModelForm[TrackMilestone]):
    """One milestone of the curriculum; the rules themselves live in ``track``."""

    class Meta:
        model = TrackMilestone
        fields = ["title", "description", "due_on", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "due_on": DateInput()}
        help_texts = {"position": "Milestones are listed by position, then by due date."}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        if self.has_changed() and not self.errors:
            problems = milestone_problems(
                programme=self.programme,
                title=data.get("title") or "",
                due_on=data.get("due_on"),
                pk=self.instance.pk,
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return data


class BaseMilestoneFormSet(BaseInlineFormSet[TrackMilestone, Programme, MilestoneForm]):
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.has_changed() or (self.can_delete and form.cleaned_data.get("DELETE")):
                continue
            title = str(form.cleaned_data.get("title") or "").strip().lower()
            if title and title in seen:
                form.add_error("title", "Two milestones can't share a title.")
            seen.add(title)


MilestoneFormSet: type[BaseInlineFormSet[TrackMilestone, Programme, MilestoneForm]] = (
    inlineformset_factory(
        Programme,
        TrackMilestone,
        form=MilestoneForm,
        formset=BaseMilestoneFormSet,
        extra=2,
        can_delete=True,
    )
)
