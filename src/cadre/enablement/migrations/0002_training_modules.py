"""Write the five training modules Cadre ships, with their knowledge checks."""

from django.db import migrations


def modules_create(apps, schema_editor):
    from cadre.enablement.curriculum import MODULES

    TrainingModule = apps.get_model("enablement", "TrainingModule")
    QuizQuestion = apps.get_model("enablement", "QuizQuestion")
    QuizOption = apps.get_model("enablement", "QuizOption")
    for position, text in enumerate(MODULES, start=1):
        if TrainingModule.objects.filter(slug=text.slug).exists():
            continue
        module = TrainingModule.objects.create(
            slug=text.slug,
            title=text.title,
            summary=text.summary,
            body_markdown=text.body_markdown,
            position=position,
            is_required=True,
            pass_mark_percent=80,
            published=True,
        )
        for question_position, question in enumerate(text.questions, start=1):
            row = QuizQuestion.objects.create(
                module=module, text=question.text, position=question_position
            )
            QuizOption.objects.bulk_create(
                QuizOption(
                    question=row,
                    text=option,
                    is_correct=index == question.correct,
                    position=index + 1,
                )
                for index, option in enumerate(question.options)
            )


def modules_delete(apps, schema_editor):
    from cadre.enablement.curriculum import MODULES

    TrainingModule = apps.get_model("enablement", "TrainingModule")
    TrainingModule.objects.filter(slug__in=[text.slug for text in MODULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("enablement", "0001_initial")]

    operations = [migrations.RunPython(modules_create, modules_delete)]
