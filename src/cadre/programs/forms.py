from typing import Any

from django import forms
from django.db.models import Q
from django.forms import BaseInlineFormSet, inlineformset_factory

from cadre.accounts.models import Role
from cadre.people.models import Department, Person
from cadre.programs.models import Programme, ProgrammeObjective
from cadre.programs.queries import EDITABLE_FIELDS, FORMAT_FIELDS

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
