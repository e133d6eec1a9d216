"""The patients' staff pages (list, record, forms, import, screening, override, consent signing,
reminders, access log, the patient's own-page QR) in Turkish, Arabic, Spanish and German for a
staff member who chose that language, as the role that uses each page: no English word of this
area's messages left, the page's lang and dir right."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from clinic.models import StaffProfile
from patients.consent.models import ConsentDocument
from patients.models import AdverseEvent, Reminder
from patients.records.services import session_record
from tests.factories.patients import AuthorFactory, ScreeningFactory
from tests.helpers import client_for
from tests.i18n.pages import LANGUAGES, class_of, english_of, page_in_language
from tests.i18n.visible_text import leaked, visible_text
from tests.patients.consent.world import active, sign
from tests.patients.records.world import at, build_room

pytestmark = pytest.mark.django_db

# What this area put through the catalogue; the words of its English messages must not show.
SLICE = (
    "templates/patients/patient_", "templates/patients/_patient_table.html",
    "templates/patients/_patient_consents.html", "templates/patients/_patient_reminders.html",
    "templates/patients/_patient_serious_events.html", "templates/patients/_patient_treatment.html",
    "templates/patients/patientaccess_list.html", "templates/patients/_screening_badges.html",
    "templates/patients/screening", "templates/patients/consent_", "templates/patients/_consent_required.html",
    "templates/patients/reminder_", "templates/portal/staff_portal_link.html",
    "templates/portal/_course_patient_changes.html", "templates/portal/_patient_portal.html",
    "patients/registry/", "patients/screening/", "patients/consent/", "patients/reminders/",
    "patients/portal/staff_views.py", "patients/validators.py",
)
CLOCK = "2027-03-01T10:20+03:00"  # during session 1 of the records' world (booked on 1 Feb 2027)
# This area's sections of the patient's page (the courses, sessions and outcomes cards are other areas').
OWN_SECTIONS = {"contact-heading", "consent-heading", "consents-heading", "portal-heading", "screening-heading",
                "treatment-heading", "reminders-heading"}
CSV_WITH_A_ROW_ERROR = (
    b"first_name,last_name,email,phone,date_of_birth,sex,language,timezone\n"
    b"Zeynep,Kaya,zeynep@example.test,,1990-05-01,female,tr,Europe/Istanbul\n"
    b"Elif,Demir,,,2090-01-01,female,tr,Europe/Istanbul\n"
)


def whole_main(tag: str, attrs: dict[str, str]) -> bool:
    return tag == "main"


def patient_page(tag: str, attrs: dict[str, str]) -> bool:
    """The record's own parts: its header, the warnings above the cards and this area's cards."""
    return ("page-header" in class_of(attrs) or attrs.get("aria-labelledby") in OWN_SECTIONS
            or attrs.get("data-testid") == "serious-events" or "data-email-undeliverable" in attrs)


def not_ours(tag: str, attrs: dict[str, str]) -> bool:
    """Other areas' parts inside these pages: the adverse-event table (records), the email itself
    and the consent document's text (what the clinic wrote, in the patient's language), the
    language menus (each language named in itself), the time-zone list (IANA names) and the CSV
    columns (<code>: the import's contract), and the paths in the access log."""
    return (attrs.get("data-testid") in ("event-table", "consent-text", "email-frame")
            or tag in ("pre", "code") or "font-monospace" in class_of(attrs)
            or (tag == "select" and attrs.get("name") in ("timezone", "language")))


@pytest.fixture(scope="module")
def english() -> dict[str, frozenset[str]]:
    return english_of(SLICE, dates=False)


@pytest.fixture
def room(db):
    """A patient with a course booked (its emails queued), session 1 recorded with a product, a
    serious adverse event not reviewed, a screening with a hard stop, one consent signed and one to sign."""
    room = build_room()
    patient = room.world.patient
    author = AuthorFactory()
    session_record(session=room.first, products=[{"lot": room.lot, "quantity": "1", "sites": ["vertex"]}],
                   adjuncts_done=[], by=author, now=at("2027-03-01 10:20"))
    AdverseEvent.objects.create(patient=patient, session=room.first, onset=date(2027, 3, 1), kind="pain",
                                severity="severe", serious=True, filed_by=author, filed_at=at("2027-03-01 10:30"))
    ScreeningFactory(patient=patient, platelet_disorder=True, taken_at=at("2027-03-01 09:00"))
    sign(patient, active("CONSENT-T"))
    active("CONSENT-PHOTOS", applies_to="photos", texts={
        "en": {"title": "Photo consent", "body": "We take photos."},
        "tr": {"title": "Fotoğraf onamı", "body": "Fotoğraf çekeriz."},
    })
    reminder = Reminder.objects.filter(patient=patient).order_by("pk").first()
    Reminder.objects.filter(pk=reminder.pk).update(status="failed", attempts=5,
                                                   last_error="SMTPRecipientsRefused: 550 mailbox unavailable")
    return room


def staff_in(make_staff, role: str, language: str):
    user = make_staff(role)
    user.first_name, user.last_name = "Deniz", "Yıldız"
    user.save()
    StaffProfile.objects.create(user=user, language=language)
    return user


def data_values(user, room) -> list[str]:
    """What the clinic typed in or the patient gave (names, codes, titles): shown as typed in every language."""
    world = room.world
    patient = world.patient
    values = [
        user.username, user.email, user.get_full_name(), patient.first_name, patient.last_name, patient.email,
        world.location.name, world.protocol.code, world.protocol.name, *(d.name for d in world.doctors),
        "AutoExo", "EXO-001", "CONSENT-T", "CONSENT-PHOTOS", "Treatment consent", "Photo consent", "Fotoğraf onamı",
        "Tedavi onamı", "Ayşe Yılmaz", "Europe/Istanbul", "records-author",
        "SMTPRecipientsRefused: 550 mailbox unavailable",
        "English", "PRP", "µL",
    ]
    return values


def assert_in_language(response, language: str, english: set[str], data: list[str], include=whole_main,
                       **options) -> str:
    return page_in_language(response, language, english, data, include=include, exclude=not_ours, **options)


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_desk_pages_are_all_in_the_language(language, make_staff, room, english):
    desk = staff_in(make_staff, "receptionist", language)
    client = client_for(desk)
    patient = room.world.patient
    to_sign = ConsentDocument.objects.get(code="CONSENT-PHOTOS")
    reminder = Reminder.objects.filter(patient=patient).order_by("pk").first()
    data = data_values(desk, room)
    assert_in_language(client.get(reverse("patients:detail", args=[patient.pk])), language, english[language], data,
                       patient_page)
    for url in [
        reverse("patients:list"), reverse("patients:list") + "?q=Yılmaz", reverse("patients:list") + "?q=zzzz",
        reverse("patients:create"), reverse("patients:update", args=[patient.pk]),
        reverse("patients:screening-create", args=[patient.pk]),
        reverse("patients:consent-sign", args=[patient.pk, to_sign.pk]),
        reverse("reminders:log"), reverse("reminders:log") + f"?patient={patient.pk}&status=failed",
        reverse("reminders:detail", args=[reminder.pk]),
        reverse("patients:portal-link", args=[patient.pk]),
    ]:
        assert_in_language(client.get(url), language, english[language], data)


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_doctors_override_and_the_admins_import_and_access_log_are_in_the_language(
        language, make_staff, room, english):
    patient = room.world.patient
    screening = patient.screenings.order_by("-taken_at").first()
    doctor_user = staff_in(make_staff, "doctor", language)
    doctor = client_for(doctor_user)
    data = data_values(doctor_user, room)
    assert_in_language(doctor.get(reverse("patients:detail", args=[patient.pk])), language, english[language], data,
                       patient_page)
    assert_in_language(doctor.get(reverse("patients:screening-override", args=[screening.pk])), language,
                       english[language], data)
    admin_user = staff_in(make_staff, "admin", language)
    admin = client_for(admin_user)
    data = data_values(admin_user, room) + [doctor_user.username, "Zeynep", "Kaya", "zeynep@example.test", "Elif",
                                            "Demir", "2090-01-01"]
    assert_in_language(admin.get(reverse("patients:import")), language, english[language], data)
    upload = SimpleUploadedFile("patients.csv", CSV_WITH_A_ROW_ERROR, content_type="text/csv")
    preview = assert_in_language(admin.post(reverse("patients:import"), {"file": upload}), language,
                                 english[language], data)
    with translation.override(language):
        from django.utils.translation import gettext

        assert gettext("The date of birth must be in the past.") in preview  # the row's error, translated
    assert_in_language(admin.get(reverse("patients:access-log", args=[patient.pk])), language, english[language],
                       data)


@pytest.mark.clock(CLOCK)
def test_a_validation_error_and_a_message_are_in_the_language(make_staff, room, english):
    client = client_for(staff_in(make_staff, "receptionist", "de"))
    response = client.post(reverse("patients:create"), {
        "first_name": "Jonas", "last_name": "Weber", "date_of_birth": "2090-01-01", "sex": "male",
        "email": "", "phone": "", "language": "de", "timezone": "Europe/Berlin",
    })
    assert response.status_code == 200
    errors = visible_text(response.content.decode(), lambda tag, attrs: "invalid-feedback" in class_of(attrs))
    assert "Das Geburtsdatum muss in der Vergangenheit liegen." in errors
    assert errors and not leaked(errors, english["de"])
    response = client.post(reverse("patients:create"), {
        "first_name": "Jonas", "last_name": "Weber", "date_of_birth": "1980-01-01", "sex": "male",
        "email": "jonas@example.test", "phone": "", "language": "de", "timezone": "Europe/Berlin",
    }, follow=True)
    assert "Patient registriert." in response.content.decode()
    screening = room.world.patient.screenings.order_by("-taken_at").first()
    response = client_for(staff_in(make_staff, "doctor", "tr")).post(
        reverse("patients:screening-override", args=[screening.pk]), {"reason": "", "scope": "some"})
    errors = visible_text(response.content.decode(), lambda tag, attrs: "invalid-feedback" in class_of(attrs))
    assert "Gerekçeyi yazın: istisna için gerekçe gerekir." in errors
    assert not leaked(errors, english["tr"])


@pytest.mark.clock(CLOCK)
def test_english_pages_still_say_it_in_english(make_staff, room, english):
    """The check is not vacuous: the same pages in English show the words the other languages must not."""
    user = make_staff("receptionist")
    patient = room.world.patient
    page = client_for(user).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    left = set(leaked(visible_text(page, patient_page, not_ours), english["tr"], data=data_values(user, room)))
    assert {"Contact", "Screening", "Consents", "Reminders", "Withdraw", "Treatment"} <= left
    page = client_for(user).get(reverse("reminders:log")).content.decode()
    left = set(leaked(visible_text(page, whole_main, not_ours), english["tr"], data=data_values(user, room)))
    assert {"Filter", "Attempts", "newest"} <= left


def test_the_screening_labels_follow_the_language():
    from patients.labels import code_label

    with translation.override("es"):
        assert code_label("platelet_disorder") == "Trastorno plaquetario"
        assert code_label("platelet_disorder", long=True).startswith("Plaquetas bajas")
    assert code_label("platelet_disorder") == "Platelet disorder"
