from django.db import migrations

DEFAULT_IDEA_STATUSES = [
    ("under-review", "Under review", "We are reading it and weighing it up", True, True),
    ("planned", "Planned", "We mean to do it", True, True),
    ("in-progress", "In progress", "We are working on it", True, True),
    ("done", "Done", "It has shipped", False, True),
    ("declined", "Declined", "We will not do it, and say why", False, False),
]


def forwards(apps, schema_editor):
    IdeaStatus = apps.get_model("community", "IdeaStatus")
    for position, (slug, name, description, is_open, on_roadmap) in enumerate(
        DEFAULT_IDEA_STATUSES
    ):
        IdeaStatus.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "position": position * 10,
                "is_open": is_open,
                "on_roadmap": on_roadmap,
                "builtin": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
