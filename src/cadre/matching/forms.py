"""Forms of the matching pages: starting a run, the review's filters, a swap by hand."""

from typing import Any

from django import forms

import matchengine
from cadre.matching.models import MatchRun
from cadre.matching.queries import ReviewFilters
from cadre.people.models import Department, Person

DEFAULT_WEIGHTS = matchengine.Weights()
WEIGHT_FIELDS = ("competency", "silo", "availability", "preference", "seniority")


def _weight(label: str, name: str, help_text: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        min_value=0,
        max_value=10,
        initial=getattr(DEFAULT_WEIGHTS, name),
        help_text=help_text,
    )


class RunStartForm(forms.Form):
    """What an admin chooses when they start a run: its kind and the score's weights."""

    kind = forms.ChoiceField(
        label="Which coachees",
        choices=MatchRun.Kind.choices,
        initial=MatchRun.Kind.FULL,
        widget=forms.RadioSelect,
    )
    exclude_past_pairs = forms.BooleanField(
        label="Never pair people who were paired before", required=False, initial=True
    )
    competency = _weight(
        "Competency fit", "competency", "The coach is strong where the coachee wants to grow."
    )
    silo = _weight(
        "Crossing departments", "silo", "Coach and coachee work in different departments."
    )
    availability = _weight(
        "Shared availability", "availability", "Their weekly free hours overlap."
    )
    preference = _weight("Stated preference", "preference", "The coachee asked for such a coach.")
    seniority = _weight(
        "Seniority gap", "seniority", "The coach is a couple of levels above, no more."
    )

    def parameters(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "weights": {name: data[name] for name in WEIGHT_FIELDS},
            "rules": {"exclude_past_pairs": data["exclude_past_pairs"]},
        }


class ReviewFilterForm(forms.Form):
    """The review's filters, all optional."""

    q = forms.CharField(label="Name", required=False, max_length=100)
    department = forms.ModelChoiceField(
        label="Department",
        required=False,
        queryset=Department.objects.none(),
        empty_label="All departments",
    )
    score_min = forms.FloatField(label="Score from", required=False, min_value=0)
    score_max = forms.FloatField(label="Score up to", required=False, min_value=0)
    unmatched = forms.BooleanField(label="Unmatched only", required=False)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def filters(self) -> ReviewFilters:
        if not self.is_bound or not self.is_valid():
            return ReviewFilters()
        data = self.cleaned_data
        return ReviewFilters(
            department_id=data["department"].pk if data["department"] else None,
            unmatched_only=data["unmatched"],
            score_min=data["score_min"],
            score_max=data["score_max"],
            text=data["q"],
        )


class SwapForm(forms.Form):
    coach = forms.ModelChoiceField(label="Coach instead", queryset=Person.objects.none())

    def __init__(self, *args: Any, coaches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coaches  # type: ignore[attr-defined]
