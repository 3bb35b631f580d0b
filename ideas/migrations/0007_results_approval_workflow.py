from django.db import migrations


def create_workflow(apps, schema_editor):
    """A ready workflow for a round's results: a second coordinator approves. Not in use until
    the site's settings choose it."""
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    Task = apps.get_model("ideas", "SecondCoordinatorApprovalTask")
    ContentType = apps.get_model("contenttypes", "ContentType")
    coordinators, _ = Group.objects.get_or_create(name="Coordinators")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="ideas", model="secondcoordinatorapprovaltask"
    )
    task = Task.objects.create(
        name="A second coordinator approves", content_type=content_type, active=True
    )
    task.groups.set([coordinators])
    workflow = Workflow.objects.create(name="Results approval", active=True)
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0006_results_and_innovations"),
    ]

    operations = [migrations.RunPython(create_workflow, migrations.RunPython.noop)]
