"""Coordinators keep the list of service units."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["add_serviceunit", "change_serviceunit", "delete_serviceunit", "view_serviceunit"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("ideas")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Coordinators")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="ideas", codename__in=CODENAMES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0003_profiles_and_reminders"),
        ("home", "0002_site_locales_and_coordinators"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
