"""Coaching forms: they parse and check input, and the services decide."""

from typing import Any

from django import forms

from cadre.coaching.models import Circle, CircleKind
from cadre.coaching.queries import certified_coaches, circle_member_choices, circle_programmes
from cadre.programs.models import Programme

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
