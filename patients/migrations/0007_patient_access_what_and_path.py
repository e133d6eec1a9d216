from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0006_session_change_request_note'),
    ]

    operations = [
        migrations.AddField(
            model_name='patientaccess',
            name='what',
            field=models.CharField(choices=[('record', 'Patient record'), ('edit', 'Edit form'), ('list', 'Patient list'), ('search', 'Search results'), ('screening', 'Screening'), ('booking', 'Booking preview'), ('course', 'Course'), ('session', 'Session'), ('calendar', 'Calendar'), ('chase', 'To chase'), ('reminder', 'Reminder email'), ('history', 'Change history')], default='record', max_length=10),
        ),
        migrations.AddField(
            model_name='patientaccess',
            name='path',
            field=models.CharField(blank=True, max_length=300),
        ),
    ]
