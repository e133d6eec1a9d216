from django.db import migrations


class Migration(migrations.Migration):
    """The outbox is a queue: every row is updated (claimed, then marked) soon after it is written.
    Free room in each page lets PostgreSQL do those updates in place (HOT) instead of touching every
    index, which keeps the claim fast as the table grows."""

    dependencies = [("patients", "0003_consent_recorded_by_patient_link")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE patients_reminder SET (fillfactor = 70)",
            reverse_sql="ALTER TABLE patients_reminder RESET (fillfactor)",
        ),
    ]
