"""The form of group circle formation: who to place, the sizes and the facilitators."""

from typing import Any

from django import forms

from cadre.coaching.circles import MAX_MEMBERS, MIN_MEMBERS
from cadre.coaching.models import CircleKind
from cadre.matching.formation import (
    formation_facilitator_choices,
    formation_participant_choices,
)
from cadre.people.models import Person
from cadre.programs.models import Programme


class PersonChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Person) -> str:
        department = obj.department.name if obj.department is not None else "no department"
        level = f"level {obj.level}" if obj.level else "no level"
        return f"{obj.display_name} ({department}, {level})"


class CircleFormationForm(forms.Form):
    participants = PersonChoices(
        label="Who to place",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone ticked joins exactly one circle.",
    )
    facilitators = PersonChoices(
        label="Facilitators",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Coaches certified today. Each circle gets one; one ticked above as well "
        "only facilitates.",
    )
    min_size = forms.IntegerField(
        label="Smallest circle", min_value=MIN_MEMBERS, max_value=MAX_MEMBERS, initial=4
    )
    max_size = forms.IntegerField(
        label="Largest circle",
        min_value=MIN_MEMBERS,
        max_value=MAX_MEMBERS,
        initial=8,
        help_text="Members besides the facilitator.",
    )
    circles_per_facilitator = forms.IntegerField(
        label="Circles a facilitator leads at most", min_value=1, max_value=5, initial=1
    )

    def __init__(self, *args: Any, programme: Programme, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = self.fields["participants"]
        leaders = self.fields["facilitators"]
        assert isinstance(people, forms.ModelMultipleChoiceField)
        assert isinstance(leaders, forms.ModelMultipleChoiceField)
        people.queryset = formation_participant_choices(
            programme=programme, kind=kind
        ).select_related("department")
        leaders.queryset = formation_facilitator_choices().select_related("department")
        if kind == CircleKind.SUPERVISION:
            people.label = "Coaches to place"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        smallest, largest = data.get("min_size"), data.get("max_size")
        if smallest is not None and largest is not None and smallest > largest:
            self.add_error("max_size", "The largest circle can't be smaller than the smallest.")
        return data
