"""The data migration that moves enablement's supervision circles into ``coaching.Circle``,
run for real: back to before it, a supervision circle written with the old model, forward,
and back again."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import PersonFactory, UserFactory

BEFORE = [("coaching", "0001_initial"), ("enablement", "0002_training_modules")]
AFTER = [
    ("coaching", "0002_circles_from_enablement"),
    ("enablement", "0003_supervision_circles_move_to_coaching"),
]
CREATED_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_start(transactional_db):
    """The database as it was before the move; the latest schema again afterwards."""
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def test_supervision_circles_move_with_everything_they_had(at_start, make_programme):
    facilitator, first, second = (PersonFactory() for _ in range(3))
    creator = UserFactory()
    programme_pk = make_programme().pk
    SupervisionCircle = at_start.get_model("enablement", "SupervisionCircle")
    old = SupervisionCircle.objects.create(
        name="North circle",
        facilitator_id=facilitator.pk,
        programme_id=programme_pk,
        created_by_id=creator.pk,
        created_at=CREATED_AT,
    )
    old.members.set([first.pk, second.pk])
    SupervisionCircle.objects.create(name="Empty circle", facilitator_id=facilitator.pk)

    apps = migrate(AFTER)

    Circle = apps.get_model("coaching", "Circle")
    moved = Circle.objects.get(name="North circle")
    assert (
        moved.kind,
        moved.facilitator_id,
        moved.programme_id,
        moved.created_by_id,
        moved.created_at,
        moved.is_active,
    ) == ("supervision", facilitator.pk, programme_pk, creator.pk, CREATED_AT, True)
    assert sorted(moved.members.values_list("pk", flat=True)) == sorted([first.pk, second.pk])
    assert sorted(Circle.objects.values_list("name", flat=True)) == [
        "Empty circle",
        "North circle",
    ]
    assert "enablement_supervisioncircle" not in connection.introspection.table_names()

    apps = migrate(BEFORE)

    back = apps.get_model("enablement", "SupervisionCircle").objects.get(name="North circle")
    assert (back.facilitator_id, back.programme_id, back.created_by_id, back.created_at) == (
        facilitator.pk,
        programme_pk,
        creator.pk,
        CREATED_AT,
    )
    assert sorted(back.members.values_list("pk", flat=True)) == sorted([first.pk, second.pk])
    assert not apps.get_model("coaching", "Circle").objects.exists()
