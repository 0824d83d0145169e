# CsvImport moved to requests_app (requests_app 0005 keeps its table and rows);
# pods forgets it. Nothing changes in the database here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("pods", "0004_proposalresponse_pod_required"),
        ("requests_app", "0005_csvimport_from_pods"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CsvImport")],
            database_operations=[],
        ),
    ]
