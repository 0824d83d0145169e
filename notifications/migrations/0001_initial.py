# The notification models were in the mutualaid app until the notifications app
# was made (issue 13). Their tables stay as they are here; this migration only
# tells Django that the models now belong to notifications, under the old table
# names, and 0002 renames the tables. mutualaid 0006 drops them from mutualaid's state.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('mutualaid', '0005_outbox_new_kinds'),
        ('pods', '0004_proposalresponse_pod_required'),
        ('requests_app', '0004_dashboard_expiring_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='NotificationPreference',
                    fields=[
                        ('person', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='notification_preference', serialize=False, to=settings.AUTH_USER_MODEL)),
                        ('offer_matches', models.CharField(choices=[('at_once', 'At once, one email per matching request'), ('daily', 'Once a day, a digest'), ('never', 'Never')], default='daily', max_length=8, verbose_name='new requests that match my offers')),
                        ('coordinator_digest', models.BooleanField(default=True, verbose_name="a daily digest of my pods' queues (coordinators)")),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={'db_table': 'mutualaid_notificationpreference'},
                ),
                migrations.CreateModel(
                    name='RequesterLanguage',
                    fields=[
                        ('request', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='requester_language', serialize=False, to='requests_app.request')),
                        ('language', models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], max_length=8)),
                        ('pod', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pods.pod')),
                    ],
                    options={'db_table': 'mutualaid_requesterlanguage'},
                ),
                migrations.CreateModel(
                    name='OutboxMessage',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('private_link', 'private link for a new request'), ('request_claimed', 'someone is helping'), ('request_done', 'request marked done'), ('request_expiring', 'request about to expire'), ('claim_stale', 'reminder about a stale claim'), ('offer_match', 'a new request matches an offer'), ('offer_digest', 'daily digest of matching requests'), ('coordinator_digest', 'daily digest for coordinators'), ('request_reported', 'a request was reported'), ('connection_ask', "a coordinator asks an offer's owner to help"), ('coordinators_note', "a note from a pod's coordinators")], max_length=24)),
                        ('channel', models.CharField(choices=[('email', 'email')], default='email', max_length=16)),
                        ('recipient', models.CharField(max_length=254)),
                        ('language', models.CharField(choices=[('en', 'English'), ('es', 'Spanish')], max_length=8)),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('secret', models.CharField(blank=True, max_length=100)),
                        ('dedupe_key', models.CharField(blank=True, max_length=120, null=True, unique=True)),
                        ('status', models.CharField(choices=[('pending', 'pending'), ('sent', 'sent'), ('skipped', 'no longer needed'), ('failed', 'given up')], default='pending', max_length=8)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('locked_until', models.DateTimeField(blank=True, null=True)),
                        ('claimed_by', models.UUIDField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, choices=[('unavailable', 'the channel was unavailable'), ('refused', 'the address was refused for good'), ('failed', 'sending failed'), ('render', 'the message could not be rendered')], max_length=12)),
                        ('last_error_code', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('claim', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='requests_app.claim')),
                        ('offer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='requests_app.offer')),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('pod', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='pods.pod')),
                        ('request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='requests_app.request')),
                    ],
                    options={
                        'db_table': 'mutualaid_outboxmessage',
                        'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='outbox_due'), models.Index(fields=['finished_at'], name='outbox_finished')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
