# Every pod-scoped table carries its pod (docs/scaling.md): responses get their
# proposal's pod. Added nullable and filled here; made required in 0004.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_pod(apps, schema_editor):
    Proposal = apps.get_model("pods", "Proposal")
    ProposalResponse = apps.get_model("pods", "ProposalResponse")
    pod_of_proposal = Proposal.objects.filter(pk=OuterRef("proposal_id")).values("pod_id")[:1]
    ProposalResponse.objects.update(pod_id=Subquery(pod_of_proposal))


class Migration(migrations.Migration):
    dependencies = [
        ("pods", "0002_coordination"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposalresponse",
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
