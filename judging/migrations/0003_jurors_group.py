"""The Jurors group: strict sessions apply to its members; it grants no admin rights."""

from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Jurors")


class Migration(migrations.Migration):
    dependencies = [
        ("judging", "0002_jury"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
