from typing import Any

from django import forms

from cadre.enablement.models import Resource, TrainingModule
from cadre.people.models import Competency


def question_field_name(question_pk: int) -> str:
    return f"question_{question_pk}"


class QuizForm(forms.Form):
    """One single-choice field per question of ``module`` (fetched with its quiz)."""

    def __init__(self, *args: Any, module: TrainingModule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = list(module.questions.all())
        for number, question in enumerate(self.questions, start=1):
            self.fields[question_field_name(question.pk)] = forms.TypedChoiceField(
                label=f"{number}. {question.text}",
                choices=[(option.pk, option.text) for option in question.options.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Answer question {number}: “{question.text}”.",
                    "invalid_choice": f"Question {number}: choose one of its options.",
                },
            )

    def answers(self) -> dict[int, int | None]:
        """Question id → chosen option id, for ``attempt_submit``."""
        return {
            question.pk: self.cleaned_data.get(question_field_name(question.pk))
            for question in self.questions
        }


class SignOffForm(forms.Form):
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you observed in the practice session.",
    )


class ResourceForm(forms.ModelForm[Resource]):
    class Meta:
        model = Resource
        fields = ["title", "kind", "description", "body_markdown", "url", "file", "competencies"]
        widgets = {
            "kind": forms.RadioSelect,
            "body_markdown": forms.Textarea(attrs={"rows": 12}),
            "competencies": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "body_markdown": "For articles. Markdown; scripts and styles are removed.",
            "url": "For links.",
            "file": "For files: downloaded only by coaches and admins through Cadre.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["competencies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Competency.objects.filter(is_active=True).order_by("position", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None
        kind = data.get("kind")
        if kind == Resource.Kind.ARTICLE and not data.get("body_markdown", "").strip():
            self.add_error("body_markdown", "An article needs a body.")
        if kind == Resource.Kind.LINK and not data.get("url"):
            self.add_error("url", "A link needs an address.")
        if kind == Resource.Kind.FILE and not data.get("file"):
            self.add_error("file", "Upload the file.")
        return data
