# The notification models moved to the notifications app (notifications 0001 and
# 0002, which keep their tables and rows); mutualaid forgets them. Nothing
# changes in the database here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("mutualaid", "0005_outbox_new_kinds"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="OutboxMessage"),
                migrations.DeleteModel(name="NotificationPreference"),
                migrations.DeleteModel(name="RequesterLanguage"),
            ],
            database_operations=[],
        ),
    ]
