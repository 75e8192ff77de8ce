"""Peer-supervision circles move from enablement into ``Circle`` (kind supervision).

Each ``enablement.SupervisionCircle`` becomes a ``coaching.Circle`` with the same name,
facilitator, members, programme and creation record; enablement's next migration then
deletes the old model. Going back copies the supervision circles into the old table and
removes them here (their sessions, attendance and notes, which the old model never had, go
with them).
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SUPERVISION = "supervision"


def circles_copy(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    SupervisionCircle = apps.get_model("enablement", "SupervisionCircle")
    Circle = apps.get_model("coaching", "Circle")
    for old in SupervisionCircle.objects.order_by("pk").prefetch_related("members"):
        circle = Circle.objects.create(
            kind=SUPERVISION,
            name=old.name,
            programme_id=old.programme_id,
            facilitator_id=old.facilitator_id,
            created_by_id=old.created_by_id,
            created_at=old.created_at,
        )
        circle.members.set([member.pk for member in old.members.all()])


def circles_copy_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    SupervisionCircle = apps.get_model("enablement", "SupervisionCircle")
    Circle = apps.get_model("coaching", "Circle")
    circles = Circle.objects.filter(kind=SUPERVISION).order_by("pk")
    for circle in circles.prefetch_related("members"):
        old = SupervisionCircle.objects.create(
            name=circle.name,
            programme_id=circle.programme_id,
            facilitator_id=circle.facilitator_id,
            created_by_id=circle.created_by_id,
            created_at=circle.created_at,
        )
        old.members.set([member.pk for member in circle.members.all()])
    circles.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0001_initial"),
        ("enablement", "0002_training_modules"),
    ]

    operations = [migrations.RunPython(circles_copy, circles_copy_back)]
