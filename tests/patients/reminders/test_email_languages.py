"""Patient emails in the patient's language and time zones, and the signed-link pages they point to."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from patients.booking import services as booking
from patients.models import Consent, Reminder, Session
from patients.reminders.emails import LINK_MAX_AGE, render, signed_link
from tests.patients.booking.world import at, build_world

BOOKED_AT = at("2027-02-01 09:00")

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKED_AT)]

# A phrase of each kind of email, and "session 2 of 3", as each language says them.
PHRASES = {
    "en": {"reminder": "This is a reminder of your next session:", "session": "Session 2 of 3",
           "aftercare": "Do not wash your hair", "confirmation": "These are your sessions:"},
    "tr": {"reminder": "Bir sonraki oturumunuzu hatırlatmak isteriz:", "session": "Oturum 2 / 3",
           "aftercare": "48 saat boyunca saçınızı yıkamayın", "confirmation": "Oturumlarınız:"},
    "ar": {"reminder": "نودّ تذكيركم بجلستكم القادمة:", "session": "الجلسة 2 من 3",
           "aftercare": "لا تغسلوا شعركم", "confirmation": "وهذه جلساتكم:"},
    "es": {"reminder": "Le recordamos su próxima sesión:", "session": "Sesión 2 de 3",
           "aftercare": "No se lave el pelo", "confirmation": "Estas son sus sesiones:"},
    "de": {"reminder": "Wir erinnern Sie an Ihre nächste Sitzung:", "session": "Sitzung 2 von 3",
           "aftercare": "Waschen Sie 48 Stunden lang nicht Ihre Haare", "confirmation": "Das sind Ihre Sitzungen:"},
}
INVESTIGATIONAL = {
    "en": "no exosome product is FDA-approved", "tr": "hiçbir eksozom ürünü FDA onaylı değildir",
    "ar": "لم تعتمد إدارة الغذاء والدواء الأمريكية (FDA) أي منتج",
    "es": "ningún producto de exosomas está aprobado por la FDA",
    "de": "Kein Exosomen-Produkt ist von der FDA zugelassen",
}


@pytest.fixture
def world():
    return build_world(screened_at=BOOKED_AT - timedelta(days=1))


def book(world, patient, start="2027-03-01 10:00"):
    course, _ = booking.course_book(patient=patient, protocol=world.protocol, location=world.location,
                                    start=at(start), now=BOOKED_AT)
    return course


def patient_in(world, language: str, zone: str = "Europe/Istanbul", **fields):
    return world.new_patient(language=language, timezone=zone, email=f"{language}-{zone[-6:]}@example.test".lower(),
                             **fields)


def reminder_for(course, number: int) -> Reminder:
    return course.reminders.filter(kind="reminder", session__number=number).order_by("send_at").first()


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- Languages ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "tr", "ar", "es", "de"])
def test_a_reminder_is_written_in_the_patients_language(world, language):
    course = book(world, patient_in(world, language))
    subject, text, html, _ = render(reminder_for(course, 2))
    phrases = PHRASES[language]
    for body in (text, html):
        assert phrases["reminder"] in body
        assert phrases["session"] in body
        assert INVESTIGATIONAL[language] in body
    assert f'lang="{language}"' in html


@pytest.mark.parametrize("language", ["en", "tr", "ar", "es", "de"])
def test_the_confirmation_and_aftercare_are_translated_too(world, language):
    course = book(world, patient_in(world, language))
    confirmation = course.reminders.get(kind="confirmation")
    _, text, html, sessions = render(confirmation)
    assert len(sessions) == 3
    assert PHRASES[language]["confirmation"] in text and PHRASES[language]["confirmation"] in html
    first = course.sessions.get(number=1)
    aftercare = Reminder.objects.create(course=course, session=first, patient=first.patient, kind="aftercare",
                                        send_at=BOOKED_AT)
    _, text, html, _ = render(aftercare)
    assert PHRASES[language]["aftercare"] in text and PHRASES[language]["aftercare"] in html


@pytest.mark.parametrize("language", ["tr", "ar", "es", "de"])
def test_no_english_sentence_is_left_in_a_translated_email(world, language):
    course = book(world, patient_in(world, language))
    subject, text, html, _ = render(reminder_for(course, 1))
    for english in ("Dear ", "This is a reminder", "See you soon", "clinic time", "minutes with", "I will come",
                    "Stop reminder emails", "Reminder:"):
        assert english not in text and english not in html and english not in subject


def test_the_arabic_email_reads_right_to_left(world):
    course = book(world, patient_in(world, "ar", "Asia/Dubai"))
    subject, text, html, _ = render(reminder_for(course, 1))
    assert '<html lang="ar" dir="rtl">' in html
    assert "text-align:right" in html
    assert subject.startswith("تذكير: الجلسة 1 من 3")


@pytest.mark.parametrize("language", ["en", "tr", "es", "de"])
def test_left_to_right_emails_say_so(world, language):
    course = book(world, patient_in(world, language))
    _, _, html, _ = render(reminder_for(course, 1))
    assert f'<html lang="{language}" dir="ltr">' in html


def test_subjects_are_translated_with_the_session_and_its_clinic_time(world):
    subjects = {}
    for language in ("en", "tr", "ar", "es", "de"):
        course = book(world, patient_in(world, language), start=f"2027-03-0{len(subjects) + 1} 10:00")
        subjects[language] = render(reminder_for(course, 1))[0]
    assert subjects["en"] == "Reminder: session 1 of 3 on Monday 1 March 2027, 10:00"
    assert subjects["tr"].startswith("Hatırlatma: oturum 1 / 3, Salı 2 Mart 2027, 10:00")
    assert subjects["es"].startswith("Recordatorio: sesión 1 de 3 el")
    assert subjects["de"].startswith("Erinnerung: Sitzung 1 von 3 am")
    assert "10:00" in subjects["ar"]


# --- Time zones -----------------------------------------------------------------------------


def test_a_london_patient_of_an_istanbul_clinic_sees_both_times(world):
    course = book(world, patient_in(world, "en", "Europe/London"))
    _, text, html, _ = render(reminder_for(course, 1))
    # 1 March 2027: Istanbul is UTC+3 all year, London on GMT: three hours apart.
    for body in (text, html):
        assert "Monday 1 March 2027, 10:00" in body and "clinic time, Europe/Istanbul" in body
        assert "Monday 1 March 2027, 07:00" in body and "your time, Europe/London" in body


def test_after_the_clocks_change_in_london_the_gap_is_two_hours(world):
    course = book(world, patient_in(world, "de", "Europe/London"), start="2027-04-05 10:00")
    _, text, _, _ = render(reminder_for(course, 1))
    assert "Montag, 5. April 2027, 10:00 (Ortszeit der Klinik, Europe/Istanbul)" in text
    assert "Montag, 5. April 2027, 08:00 (Ihre Ortszeit, Europe/London)" in text


def test_a_patient_in_the_clinics_zone_sees_one_time(world):
    course = book(world, patient_in(world, "tr", "Europe/Istanbul"))
    _, text, html, _ = render(reminder_for(course, 1))
    assert "klinik saati, Europe/Istanbul" in text
    assert "sizin saatinizle" not in text and "sizin saatinizle" not in html


def test_a_patient_in_another_zone_with_the_same_offset_sees_one_time(world):
    # Moscow is UTC+3 like Istanbul: the same wall-clock time needs no second line.
    course = book(world, patient_in(world, "ar", "Europe/Moscow"))
    _, text, _, _ = render(reminder_for(course, 1))
    assert "بتوقيت العيادة" in text and "بتوقيتكم" not in text


def test_a_dubai_patient_sees_the_time_an_hour_later_in_arabic(world):
    course = book(world, patient_in(world, "ar", "Asia/Dubai"))
    _, text, _, _ = render(reminder_for(course, 1))
    assert "10:00 (بتوقيت العيادة، Europe/Istanbul)" in text
    assert "11:00 (بتوقيتكم، Asia/Dubai)" in text


# --- Signed links ---------------------------------------------------------------------------


@pytest.fixture
def course(world):
    return book(world, patient_in(world, "es", "Europe/Madrid"))


def session_of(course, number: int = 1) -> Session:
    return course.sessions.get(number=number)


def link(purpose: str, course, number: int = 1) -> str:
    session = session_of(course, number)
    return path_of(signed_link(purpose, session.pk, session.patient_id))


def test_opening_a_confirm_link_changes_nothing_until_the_button(client, course):
    url = link("confirm", course)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirme, por favor, que asistirá a su sesión." not in html  # the exact phrase is the button's lead
    assert "Por favor, confirme que asistirá a su sesión." in html and "Asistiré" in html
    assert session_of(course).status == "booked"


def test_confirm_sets_the_session_confirmed_and_a_second_click_changes_nothing(client, course):
    url = link("confirm", course)
    first = client.post(url)
    assert first.status_code == 200
    assert "Gracias: hemos anotado que vendrá." in first.content.decode()
    session = session_of(course)
    assert session.status == "confirmed"
    before = (session.updated_at, session.sequence)
    second = client.post(url)
    assert second.status_code == 200
    session.refresh_from_db()
    assert session.status == "confirmed" and (session.updated_at, session.sequence) == before
    assert "Ya ha confirmado esta sesión. Gracias." in client.get(url).content.decode()


def test_change_records_the_request_once(client, course):
    url = link("change", course, 2)
    response = client.post(url)
    assert "la clínica se pondrá en contacto con usted" in response.content.decode()
    session = session_of(course, 2)
    assert session.change_requested_at is not None and session.status == "booked"
    asked_at = session.change_requested_at
    client.post(url)
    session.refresh_from_db()
    assert session.change_requested_at == asked_at
    assert "Hemos recibido su solicitud" in client.get(url).content.decode()


def test_a_session_that_has_started_cannot_be_changed_online(client, course):
    start = session_of(course).start
    with time_machine.travel(start - timedelta(days=1), tick=False):
        url = link("confirm", course)  # from the reminder sent the day before
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        response = client.post(url)
    assert response.status_code == 200
    assert "Esta sesión ya no se puede modificar en línea." in response.content.decode()
    assert session_of(course).status == "booked"


def test_unsubscribe_clears_the_consent_and_records_it(client, course):
    patient = session_of(course).patient
    assert patient.reminder_opt_in
    reminder = reminder_for(course, 1)
    url = path_of(signed_link("unsubscribe", reminder.pk, patient.pk))
    assert client.get(url).status_code == 200
    patient.refresh_from_db()
    assert patient.reminder_opt_in  # opening the page is not the click
    response = client.post(url)
    assert response.status_code == 200
    assert "Ya no recibirá correos de recordatorio." in response.content.decode()
    patient.refresh_from_db()
    assert patient.reminder_opt_in is False
    consent = Consent.objects.filter(patient=patient, kind="reminder_emails").latest("recorded_at", "id")
    assert consent.given is False and consent.recorded_by is None
    client.post(url)
    assert Consent.objects.filter(patient=patient, kind="reminder_emails", given=False).count() == 1


def test_the_arabic_link_page_reads_right_to_left(client, world):
    course = book(world, patient_in(world, "ar", "Asia/Dubai"))
    html = client.get(link("confirm", course)).content.decode()
    assert '<html lang="ar" dir="rtl">' in html and "bootstrap.rtl.min.css" in html
    assert "سأحضر" in html


def test_an_expired_link_is_410_not_500(client, course):
    url = link("confirm", course)
    with time_machine.travel(timezone.now() + timedelta(seconds=LINK_MAX_AGE["confirm"] + 60)):
        response = client.get(url)
        posted = client.post(url)
    assert response.status_code == 410 and posted.status_code == 410
    assert "This link has expired." in response.content.decode()
    assert session_of(course).status == "booked"


@pytest.mark.parametrize("mangle", [
    lambda url: url.replace("/p/confirm/", "/p/unsubscribe/"),  # signed for another purpose
    lambda url: url[:-4] + "AAAA/",  # tampered signature
    lambda url: "/p/confirm/not-a-token/",
    lambda url: url.replace("/p/confirm/", "/p/delete/"),  # unknown purpose
])
def test_an_invalid_link_is_404_not_500(client, course, mangle):
    response = client.post(mangle(link("confirm", course)))
    assert response.status_code == 404
    assert "This link is not valid." in response.content.decode()
    assert session_of(course).status == "booked"


def test_a_link_for_another_patients_session_is_404(client, world, course):
    other = patient_in(world, "de", "Europe/Berlin")
    session = session_of(course)
    url = path_of(signed_link("confirm", session.pk, other.pk))
    assert client.post(url).status_code == 404
    assert session_of(course).status == "booked"
