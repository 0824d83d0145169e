# CsvImport (a spreadsheet between upload and import) moved from pods to
# requests_app: the state moves here (pods 0005 forgets it), the table is renamed,
# rows and keys are kept, and the content type follows.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=target, model="csvimport").exists():
        ContentType.objects.using(db).filter(app_label=source, model="csvimport").update(
            app_label=target
        )


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="pods", target="requests_app")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, source="requests_app", target="pods")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('pods', '0004_proposalresponse_pod_required'),
        ('requests_app', '0004_dashboard_expiring_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CsvImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('filename', models.CharField(blank=True, max_length=200)),
                        ('content', models.TextField()),
                        ('mapping', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('pod', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pods.pod')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={'db_table': 'pods_csvimport'},
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='csvimport', table=None),
        migrations.RunPython(forwards, backwards),
    ]
