import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pods", "0003_proposalresponse_pod"),
    ]

    operations = [
        migrations.AlterField(
            model_name="proposalresponse",
            name="pod",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="pods.pod"
            ),
        ),
    ]
