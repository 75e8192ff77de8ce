from typing import Any

from django import forms

from cadre.people.models import Competency
from cadre.people.queries import DirectoryChoices, DirectoryFilters


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, title, e-mail or employee id"}
        ),
    )
    department = forms.TypedChoiceField(
        label="Department",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Includes the departments under it.",
    )
    level = forms.TypedChoiceField(label="Level", required=False, coerce=int, empty_value=None)
    location = forms.ChoiceField(label="Location", required=False)
    inactive = forms.BooleanField(label="Include deactivated people", required=False)

    def __init__(
        self, *args: Any, choices: DirectoryChoices, show_inactive: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(department, forms.TypedChoiceField)
        department.choices = [
            ("", "All"),
            *((dept.pk, "\u2003" * depth + dept.name) for dept, depth in choices.departments),
        ]
        level = self.fields["level"]
        assert isinstance(level, forms.TypedChoiceField)
        level.choices = [("", "All"), *((value, f"Level {value}") for value in choices.levels)]
        location = self.fields["location"]
        assert isinstance(location, forms.ChoiceField)
        location.choices = [("", "All"), *((value, value) for value in choices.locations)]
        if not show_inactive:
            del self.fields["inactive"]

    def filters(self) -> DirectoryFilters:
        if not self.is_bound or not self.is_valid():
            return DirectoryFilters()
        data = self.cleaned_data
        return DirectoryFilters(
            text=data["q"],
            department_id=data["department"],
            level=data["level"],
            location=data["location"],
            include_inactive=bool(data.get("inactive")),
        )


class CompetencyForm(forms.ModelForm[Competency]):
    class Meta:
        model = Competency
        fields = ["name", "description", "level_1", "level_3", "level_5", "position", "is_active"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "level_1": forms.Textarea(attrs={"rows": 2}),
            "level_3": forms.Textarea(attrs={"rows": 2}),
            "level_5": forms.Textarea(attrs={"rows": 2}),
        }
