# The tables take the notifications app's names. Rows, keys and indexes are kept:
# only the names change. The content types follow, so permissions and admin log
# entries keep pointing at the same models.

from django.db import migrations

MODELS = ["outboxmessage", "notificationpreference", "requesterlanguage"]


def move_content_types(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=source, model=model).update(
            app_label=target
        )


def forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="mutualaid", target="notifications")


def backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, source="notifications", target="mutualaid")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="outboxmessage", table=None),
        migrations.AlterModelTable(name="notificationpreference", table=None),
        migrations.AlterModelTable(name="requesterlanguage", table=None),
        migrations.RunPython(forwards, backwards),
    ]
