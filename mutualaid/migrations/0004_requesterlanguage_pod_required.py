import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0003_requesterlanguage_pod"),
    ]

    operations = [
        migrations.AlterField(
            model_name="requesterlanguage",
            name="pod",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="pods.pod"
            ),
        ),
    ]
