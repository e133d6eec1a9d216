"""PlainReadSerializer (the hot lists' serializer) answers byte for byte as DRF's own
ModelSerializer does with the same fields: empty relations, dates, instants in any current zone."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from clinic.api.serializers import PlainReadSerializer
from patients.booking.api import SessionSerializer
from patients.models import Patient, Session
from patients.registry.serializers import PatientSerializer

SESSIONS = [
    Session(id=7, course_id=3, patient_id=4, location_id=1, number=2, kind="treatment",
            start=datetime(2027, 1, 13, 6, 0, tzinfo=UTC), end=datetime(2027, 1, 13, 6, 30, 15, 500, tzinfo=UTC),
            practitioner_id=None, room_id=None, status="no_show", window_earliest=date(2027, 1, 10),
            window_latest=date(2027, 1, 20), sequence=3, override_reason="Dr. said so", cancel_reason=""),
    Session(id=8, course_id=3, patient_id=4, location_id=1, number=3, kind="assessment",
            start=datetime(2027, 3, 28, 0, 30, tzinfo=UTC), end=datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
            practitioner_id=2, room_id=5, status="booked", window_earliest=date(2027, 3, 1),
            window_latest=date(2027, 4, 1), sequence=0, override_reason="", cancel_reason="İptal — ölçüm"),
]
PATIENTS = [
    Patient(id=9, first_name="Ayşe", last_name="Yılmaz", email="ayse@example.test", phone="+905321234567",
            date_of_birth=date(1988, 3, 14), sex="female", language="tr", timezone="Europe/Istanbul",
            reminder_opt_in=True, investigational_ack=False, notes="",
            created_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC), updated_at=datetime(2026, 5, 2, 9, 0, 1, 7, tzinfo=UTC)),
    Patient(id=10, first_name="Omar", last_name="Haddad", email="", phone="", date_of_birth=date(1970, 1, 1),
            sex="male", language="ar", timezone="Asia/Dubai", reminder_opt_in=False, investigational_ack=True,
            notes="Line one\nline two", created_at=datetime(2026, 5, 1, tzinfo=UTC),
            updated_at=datetime(2026, 5, 1, tzinfo=UTC)),
]


def rendered(serializer_class, rows) -> bytes:
    return JSONRenderer().render(serializer_class(rows, many=True).data)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Istanbul", "America/St_Johns"])
@pytest.mark.parametrize(("serializer_class", "rows"), [(SessionSerializer, SESSIONS), (PatientSerializer, PATIENTS)])
def test_the_plain_answer_is_drfs_answer(monkeypatch, serializer_class, rows, zone):
    with timezone.override(zone):
        plain = rendered(serializer_class, rows)
        monkeypatch.setattr(PlainReadSerializer, "to_representation", serializers.ModelSerializer.to_representation)
        drf = rendered(serializer_class, rows)
    assert plain == drf
    assert plain.count(b'"id":') == len(rows)
