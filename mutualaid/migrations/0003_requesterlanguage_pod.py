# Every pod-scoped table carries its pod (docs/scaling.md): a requester's language
# gets its request's pod. Added nullable and filled here; made required in 0004.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_pod(apps, schema_editor):
    Request = apps.get_model("requests_app", "Request")
    RequesterLanguage = apps.get_model("mutualaid", "RequesterLanguage")
    pod_of_request = Request.objects.filter(pk=OuterRef("request_id")).values("pod_id")[:1]
    RequesterLanguage.objects.update(pod_id=Subquery(pod_of_request))


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0002_outbox"),
        ("pods", "0002_coordination"),
        ("requests_app", "0002_coordination"),
    ]

    operations = [
        migrations.AddField(
            model_name="requesterlanguage",
            name="pod",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="pods.pod",
            ),
        ),
        migrations.RunPython(fill_pod, migrations.RunPython.noop),
    ]
