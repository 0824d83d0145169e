"""Phone numbers that mean one thing: existing numbers become E.164.

Numbers we cannot read as a whole, valid number (a local number without its
area code, a typo) are left as they were typed, for a coordinator to fix.
"""

import phonenumbers
from django.db import migrations

from mutualaid.phones import normalize_phone, parse_phone


def normalize(apps, schema_editor):
    RequestContact = apps.get_model("requests_app", "RequestContact")
    contacts = RequestContact.objects.exclude(phone="").only("pk", "phone")
    changed = []
    for contact in contacts.iterator(chunk_size=2000):
        number = parse_phone(contact.phone)
        if number is None or not phonenumbers.is_valid_number(number):
            continue
        e164 = normalize_phone(contact.phone)
        if e164 != contact.phone:
            contact.phone = e164
            changed.append(contact)
        if len(changed) >= 2000:
            RequestContact.objects.bulk_update(changed, ["phone"])
            changed = []
    if changed:
        RequestContact.objects.bulk_update(changed, ["phone"])


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0006_series_check_ins_handovers_duplicates")]

    operations = [migrations.RunPython(normalize, migrations.RunPython.noop, elidable=True)]
