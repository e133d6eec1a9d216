"""Registry services and selectors: registration, duplicates, consent, search, the audit."""

from datetime import date

import pghistory
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction
from django.test import RequestFactory
from django.utils import timezone

from clinic.errors import Conflict
from patients.models import Consent, Patient, PatientAccess, Screening, ScreeningOverride
from patients.registry import selectors, services
from patients.screening import services as screening_services
from tests.factories import PatientFactory, ScreeningFactory, ScreeningOverrideFactory, no_answers

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 5, 4, 9, 0, tzinfo=timezone.UTC)


def register(by, **overrides) -> Patient:
    fields = dict(first_name="Lucía", last_name="García", email="lucia@example.es", phone="+34612345678",
                  date_of_birth=date(1990, 6, 1), sex="female", language="es", timezone="Europe/Madrid")
    return services.patient_create(**{**fields, **overrides}, by=by)


def test_it_registers_a_patient_and_records_the_consents_given(receptionist):
    patient = register(receptionist, reminder_opt_in=True, investigational_ack=True)
    assert patient.reminder_opt_in and patient.investigational_ack
    kinds = set(Consent.objects.filter(patient=patient, given=True).values_list("kind", flat=True))
    assert kinds == {"reminder_emails", "investigational_ack"}


def test_it_refuses_a_likely_duplicate_by_email_unless_someone_has_looked(receptionist):
    first = register(receptionist)
    with pytest.raises(Conflict) as raised:
        register(receptionist, email="LUCIA@example.es", phone="+34699999999")
    assert raised.value.code == "possible_duplicate"
    assert raised.value.extra["duplicates"] == [first.pk]
    assert Patient.objects.count() == 1
    register(receptionist, email="LUCIA@example.es", allow_duplicate=True)
    assert Patient.objects.count() == 2


def test_it_refuses_a_likely_duplicate_by_phone_and_date_of_birth(receptionist):
    register(receptionist)
    with pytest.raises(Conflict):
        register(receptionist, email="other@example.es")
    # Same phone, another date of birth: a relative sharing a phone, not a duplicate.
    register(receptionist, email="mother@example.es", date_of_birth=date(1961, 2, 3))


def test_names_are_normalized_and_emails_lowered(receptionist):
    patient = register(receptionist, first_name="  Lucía   María ", email=" Lucia@Example.ES ")
    assert patient.first_name == "Lucía María"
    assert patient.email == "lucia@example.es"


@pytest.mark.parametrize(("field", "value"), [
    ("first_name", "<script>"), ("last_name", "a\u202eb"), ("last_name", "x\ny"), ("first_name", "Z" * 101),
    ("timezone", "Europe/Atlantis"), ("date_of_birth", date(2999, 1, 1)), ("date_of_birth", date(1800, 1, 1)),
    ("language", "fr"), ("sex", "x"), ("email", "bad@"), ("notes", "bell\x07"),
])
def test_invalid_details_raise_a_validation_error_naming_the_field(receptionist, field, value):
    with pytest.raises(ValidationError) as raised:
        register(receptionist, **{field: value})
    assert field in raised.value.message_dict
    assert not Patient.objects.exists()


def test_arabic_and_turkish_names_are_welcome(receptionist):
    patient = register(receptionist, first_name="فاطمة", last_name="Öztürk-Şahin", email="f@example.ae")
    assert patient.full_name == "فاطمة Öztürk-Şahin"


def test_withdrawing_consent_is_a_new_row_and_the_flag_follows(receptionist, doctor):
    patient = register(receptionist, reminder_opt_in=True)
    services.consent_record(patient=patient, kind="reminder_emails", given=False, by=doctor)
    patient.refresh_from_db()
    assert patient.reminder_opt_in is False
    latest = Consent.objects.filter(patient=patient, kind="reminder_emails").first()
    assert (latest.given, latest.recorded_by) == (False, doctor)
    assert Consent.objects.filter(patient=patient).count() == 2


def test_withdrawn_consent_stops_reminders_and_recalls_but_not_transactional_mail():
    patient = PatientFactory(reminder_opt_in=False)
    assert not selectors.patient_accepts_email(patient, "reminder")
    assert not selectors.patient_accepts_email(patient, "recall")
    for kind in ("confirmation", "change", "cancellation", "aftercare"):
        assert selectors.patient_accepts_email(patient, kind)
    patient.reminder_opt_in = True
    assert selectors.patient_accepts_email(patient, "reminder")
    patient.email = ""
    assert not selectors.patient_accepts_email(patient, "confirmation")


def test_the_database_refuses_to_edit_or_delete_screenings_overrides_consents_and_accesses(receptionist):
    override = ScreeningOverrideFactory(screening=ScreeningFactory(active_cancer=True))
    consent = services.consent_record(patient=override.screening.patient, kind="reminder_emails", given=True,
                                      by=receptionist)
    request = RequestFactory().get(f"/patients/{consent.patient_id}/")
    request.user = receptionist
    services.patient_access_record(request=request, patients=[consent.patient], what="record")
    access = PatientAccess.objects.get()
    rows = [
        (Screening, override.screening_id, {"active_cancer": False}),
        (ScreeningOverride, override.pk, {"reason": "changed"}),
        (Consent, consent.pk, {"given": False}),
        (PatientAccess, access.pk, {"via": "api"}),
    ]
    for model, pk, change in rows:
        for attempt in (lambda: model.objects.filter(pk=pk).update(**change),
                        lambda: model.objects.filter(pk=pk).delete()):
            with pytest.raises((InternalError, IntegrityError)), transaction.atomic():
                attempt()
        assert model.objects.filter(pk=pk).exists()


def test_changes_are_in_the_audit_trail_with_their_author(receptionist, doctor):
    with pghistory.context(user=receptionist.pk):
        patient = register(receptionist)
        services.patient_update(patient=patient, changes={"language": "en"}, by=receptionist)
        screening = screening_services.screening_record(patient=patient, answers=no_answers(active_cancer=True),
                                              by=receptionist)
    with pghistory.context(user=doctor.pk):
        screening_services.screening_override(screening=screening, reason="Seen by oncology.", by=doctor)
    events = pghistory.models.Events.objects.references(patient).order_by("pgh_created_at", "pgh_id")
    labels = [(e.pgh_model, e.pgh_label, e.pgh_context.get("user")) for e in events]
    assert ("patients.PatientEvent", "insert", receptionist.pk) in labels
    assert ("patients.PatientEvent", "update", receptionist.pk) in labels
    assert ("patients.ScreeningEvent", "insert", receptionist.pk) in labels
    override_events = pghistory.models.Events.objects.tracks(screening.override)
    assert [(e.pgh_label, e.pgh_context["user"]) for e in override_events] == [("insert", doctor.pk)]


def test_duplicates_ignore_the_patient_being_edited():
    patient = PatientFactory(email="same@example.com")
    assert selectors.patient_likely_duplicates(email="same@example.com", phone="", date_of_birth=None) == [patient]
    assert selectors.patient_likely_duplicates(email="same@example.com", phone="", date_of_birth=None,
                                               exclude_id=patient.pk) == []


def test_a_search_reads_the_trigram_index_even_on_a_small_table():
    from django.db import connection

    PatientFactory.create_batch(3)
    sql, params = selectors.patients_search("kaya ayş").query.sql_with_params()
    with selectors.search_plan("kaya ayş"), connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "patient_search_trgm" in plan


def test_short_terms_and_phone_fragments_become_search_terms():
    assert selectors.search_terms("  Ayşe   YILMAZ ") == ["ayşe", "yilmaz"]
    assert selectors.search_terms("0532 123-45") == ["53212345"]
    assert selectors.search_terms("+90 (532)") == ["90532"]
    assert selectors.search_terms("") == []
    assert not selectors.uses_trigram_index("al")
    assert selectors.uses_trigram_index("al kaya")
