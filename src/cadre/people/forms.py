from collections.abc import Iterable
from typing import Any

from django import forms

from cadre.people.models import Competency
from cadre.people.queries import DirectoryChoices, DirectoryFilters


class DirectoryFilterForm(forms.Form):
    """The directory's search box and filters.

    Filters validate as plain values, so a search-as-you-type request doesn't have to read
    every department, level and location first; ``offer`` fills the menus for a full page.
    Level and the deactivated people are HR data: only admins get those filters.
    """

    q = forms.CharField(label="Search", required=False, max_length=100)
    department = forms.IntegerField(
        label="Department",
        required=False,
        min_value=1,
        widget=forms.Select,
        help_text="Includes the departments under it.",
    )
    level = forms.IntegerField(
        label="Level", required=False, min_value=1, max_value=99, widget=forms.Select
    )
    location = forms.CharField(
        label="Location", required=False, max_length=150, widget=forms.Select
    )
    inactive = forms.BooleanField(label="Include deactivated people", required=False)

    def __init__(self, *args: Any, hr_fields: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hr_fields = hr_fields
        placeholder = "Name, title, e-mail or employee id" if hr_fields else "Name, title or e-mail"
        self.fields["q"].widget = forms.TextInput(
            attrs={"type": "search", "placeholder": placeholder, "autocomplete": "off"}
        )
        if not hr_fields:
            del self.fields["level"]
            del self.fields["inactive"]

    def offer(self, choices: DirectoryChoices) -> None:
        """Fill the filter menus with the values in use."""
        self._menu(
            "department", ((d.pk, "\u2003" * depth + d.name) for d, depth in choices.departments)
        )
        self._menu("level", ((value, f"Level {value}") for value in choices.levels))
        self._menu("location", ((value, value) for value in choices.locations))

    def _menu(self, name: str, options: Iterable[tuple[object, str]]) -> None:
        if name in self.fields:
            widget = self.fields[name].widget
            assert isinstance(widget, forms.Select)
            widget.choices = [("", "All"), *options]

    def filters(self) -> DirectoryFilters:
        """The filters that are valid; an invalid one is left out, not all of them."""
        if not self.is_bound:
            return DirectoryFilters()
        self.is_valid()
        data = self.cleaned_data
        return DirectoryFilters(
            text=data.get("q") or "",
            department_id=data.get("department"),
            level=data.get("level"),
            location=data.get("location") or "",
            include_inactive=bool(data.get("inactive")),
            match_employee_id=self.hr_fields,
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
