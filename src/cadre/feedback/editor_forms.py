"""Forms of the questionnaire editor: the title and introduction, and a formset with a form per
question (add, remove, reorder by position). The forms turn what was typed into
``QuestionSpec`` rows; ``questionnaires`` checks them, and its problems come back beside the
question they name.

Every error names the question by its number on the page ("Question 3: …").
"""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.text import slugify

from cadre.feedback.instruments import QuestionSpec
from cadre.feedback.models import CHOICE_KINDS, Question, QuestionKind, Subscale, SurveyTemplate
from cadre.feedback.questionnaires import (
    INTRO_MAX_LENGTH,
    MOST_QUESTIONS,
    SCALES,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    QuestionProblem,
)
from cadre.people.models import Competency

PREFIX = "questions"
SEPARATOR = " = "


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX_LENGTH)
    intro = forms.CharField(
        label="Introduction",
        max_length=INTRO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown above the questions: what the survey is for and who sees the answers.",
    )
    # The version the editor was opened on: a save made from an older one is refused.
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionForm(forms.Form):
    key = forms.SlugField(max_length=64, required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Question",
        max_length=TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kind = forms.ChoiceField(
        label="Answered with", choices=QuestionKind.choices, initial=QuestionKind.LIKERT
    )
    required = forms.BooleanField(label="An answer is required", required=False, initial=True)
    help_text = forms.CharField(label="Help text", max_length=TEXT_MAX_LENGTH, required=False)
    anchors = forms.CharField(
        label="Scale labels",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For ratings: one point a line, e.g. “1 = Not at all” and “5 = Completely” "
        "(0 and 10 for likelihood to recommend).",
    )
    choices = forms.CharField(
        label="Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For choice questions: one a line. To keep a choice comparable with earlier "
        "answers, leave the part before “ = ” as it is.",
    )
    min_choices = forms.IntegerField(
        label="Fewest choices", min_value=0, max_value=MOST_QUESTIONS, required=False
    )
    max_choices = forms.IntegerField(
        label="Most choices", min_value=0, max_value=MOST_QUESTIONS, required=False
    )
    subscale = forms.ChoiceField(
        label="Pulse subscale",
        choices=[("", "None"), *Subscale.choices],
        required=False,
        help_text="Relationship pulse only: the agreement items whose mean is the subscale.",
    )
    competency = forms.TypedChoiceField(
        label="Competency", coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, competencies: Sequence[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["competency"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "None"), *competencies]

    def clean_anchors(self) -> dict[str, str]:
        anchors: dict[str, str] = {}
        for line in _lines(self.cleaned_data["anchors"]):
            point, _, label = line.partition("=")
            point, label = point.strip(), label.strip()
            if not point.isdigit() or not label:
                raise forms.ValidationError(
                    f"write each scale label as a point and its label, e.g. “1 = Not at all” "
                    f"(not “{line}”)."
                )
            anchors[point] = label
        return anchors

    def clean_choices(self) -> list[dict[str, str]]:
        choices = []
        for number, line in enumerate(_lines(self.cleaned_data["choices"]), start=1):
            value, separator, label = line.partition(SEPARATOR)
            if not separator:
                label = line
                value = slugify(line, allow_unicode=True)[:64] or f"choice-{number}"
            choices.append({"value": value.strip(), "label": label.strip()})
        return choices

    def spec(self, key: str) -> QuestionSpec:
        """The question as saved, without what its kind doesn't use."""
        data = self.cleaned_data
        kind = data["kind"]
        return QuestionSpec(
            key=key,
            kind=kind,
            text=data["text"].strip(),
            help_text=data["help_text"].strip(),
            required=data["required"],
            anchors=data["anchors"] if kind in SCALES else {},
            choices=data["choices"] if kind in CHOICE_KINDS else [],
            subscale=data["subscale"],
            competency_id=data["competency"] if kind == QuestionKind.COMPETENCY else None,
            min_choices=data["min_choices"] if kind == QuestionKind.MULTIPLE_CHOICE else None,
            max_choices=data["max_choices"] if kind == QuestionKind.MULTIPLE_CHOICE else None,
        )


class BaseQuestionFormSet(forms.BaseFormSet[QuestionForm]):
    """The questions, saved in the order of their positions (new ones last when left blank)."""

    def add_fields(self, form: QuestionForm, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["DELETE"].label = "Remove this question"

    def number(self, form: QuestionForm) -> int:
        """The question's number on the page."""
        return self.forms.index(form) + 1

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            for name, errors in list(form.errors.items()):
                form.errors[name] = form.error_class(
                    [f"Question {self.number(form)}: {error}" for error in errors]
                )

    def kept(self) -> list[QuestionForm]:
        """The questions to save, in their new order: not removed, and not an untouched blank."""
        rows = []
        for index, form in enumerate(self.forms):
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            order = form.cleaned_data.get("ORDER")
            rows.append((order is None, order or 0, index, form))
        return [form for *_, form in sorted(rows, key=lambda row: row[:3])]

    def specs(self) -> list[QuestionSpec]:
        """The questions as ``QuestionSpec`` rows; a new question's key comes from its text."""
        kept = self.kept()
        taken = {form.cleaned_data["key"] for form in kept if form.cleaned_data["key"]}
        specs = []
        for position, form in enumerate(kept, start=1):
            key = form.cleaned_data["key"]
            if not key:
                base = slugify(form.cleaned_data["text"])[:48].strip("-") or f"question-{position}"
                key, number = base, 2
                while key in taken:
                    key, number = f"{base}-{number}", number + 1
                taken.add(key)
            specs.append(form.spec(key))
        return specs

    def add_problems(self, problems: Sequence[QuestionProblem]) -> None:
        """Show the service's problems beside the questions they name."""
        kept = self.kept()
        for problem in problems:
            if not 1 <= problem.position <= len(kept):
                self._non_form_errors = self.error_class(
                    [*self.non_form_errors(), f"Questions: {problem.problem}"]
                )
                continue
            form = kept[problem.position - 1]
            field = (
                problem.field if problem.field in form.fields and problem.field != "key" else None
            )
            form.add_error(field, f"Question {self.number(form)}: {problem.problem}")

    def error_summary(self) -> list[str]:
        return [
            *self.non_form_errors(),
            *(error for form in self.forms for errors in form.errors.values() for error in errors),
        ]


QuestionFormSet = cast(
    type[BaseQuestionFormSet],
    forms.formset_factory(
        QuestionForm,
        formset=BaseQuestionFormSet,
        extra=1,
        can_order=True,
        can_delete=True,
        max_num=MOST_QUESTIONS,
        validate_max=True,
    ),
)


def competency_choices() -> list[tuple[int, str]]:
    """The competencies a question may name, read once for every form of the page."""
    return list(Competency.objects.order_by("position", "name").values_list("pk", "name"))


def _anchors_text(anchors: dict[str, str]) -> str:
    points = sorted(anchors, key=lambda point: int(point) if point.isdigit() else 0)
    return "\n".join(f"{point}{SEPARATOR}{anchors[point]}" for point in points)


def _choices_text(choices: list[dict[str, str]]) -> str:
    return "\n".join(
        str(choice["label"])
        if choice["value"] == slugify(choice["label"], allow_unicode=True)[:64]
        else f"{choice['value']}{SEPARATOR}{choice['label']}"
        for choice in choices
    )


def question_initial(question: Question) -> dict[str, Any]:
    return {
        "key": question.key,
        "text": question.text,
        "kind": question.kind,
        "required": question.required,
        "help_text": question.help_text,
        "anchors": _anchors_text(question.anchors),
        "choices": _choices_text(question.choices),
        "min_choices": question.min_choices,
        "max_choices": question.max_choices,
        "subscale": question.subscale,
        "competency": question.competency_id,
    }


def question_formset(
    data: QueryDict | None,
    *,
    questions: Sequence[Question] = (),
    competencies: Sequence[tuple[int, str]],
) -> BaseQuestionFormSet:
    """The questions of a version to edit, or the posted ones."""
    initial = None if data is not None else [question_initial(q) for q in questions]
    return QuestionFormSet(
        data, initial=initial, prefix=PREFIX, form_kwargs={"competencies": competencies}
    )


def formset_with_another(
    posted: BaseQuestionFormSet, *, competencies: Sequence[tuple[int, str]]
) -> BaseQuestionFormSet:
    """The posted questions, unchecked, with one more blank question after them (the "add a
    question" button). Removed questions are left out; blank ones stay blank."""
    initial = []
    blanks = 1
    for index, form in enumerate(posted.forms):
        if index >= posted.initial_form_count() and not form.has_changed():
            blanks += 1
            continue
        if form["DELETE"].value():
            continue
        initial.append({name: form[name].value() for name in form.fields if name != "DELETE"})
    formset = QuestionFormSet(
        initial=initial, prefix=PREFIX, form_kwargs={"competencies": competencies}
    )
    formset.extra = blanks
    return formset


def template_initial(template: SurveyTemplate) -> dict[str, str | int]:
    return {"title": template.title, "intro": template.intro, "version": template.version}
