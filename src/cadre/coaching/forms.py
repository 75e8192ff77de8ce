"""Forms of the coaching pages. They parse input; the services decide."""

from typing import Any

from django import forms

from cadre.coaching.agreement_text import SECTION_HEADINGS
from cadre.coaching.models import AgreementTemplate, EndReason, RelationshipStatus
from cadre.coaching.queries import SignatureState
from cadre.coaching.services import PAIRING_PROGRAMME_STATUSES, SECTION_MAX_LENGTH, SECTIONS
from cadre.people.models import Person
from cadre.programs.models import Enrolment, Programme

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
