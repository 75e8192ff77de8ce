"""Install the built-in questionnaires (``cadre.feedback.instruments``) as version 1."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from cadre.feedback.instruments import instruments_install


def install(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    instruments_install(apps)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
