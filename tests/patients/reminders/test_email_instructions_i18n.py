"""The protocol's instructions in emails: the patient's language when the protocol has it, else English."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils.html import escape

from patients.booking import services as booking
from patients.models import Reminder
from patients.reminders.emails import render
from tests.factories.protocols import ProtocolFactory, session_rows
from tests.patients.booking.world import at, build_world

BOOKED_AT = at("2027-02-01 09:00")

pytestmark = [pytest.mark.django_db, pytest.mark.clock(BOOKED_AT)]

BEFORE = {
    "en": "Wash your hair the evening before the visit.",
    "tr": "Ziyaretten önceki akşam saçınızı yıkayın.",
    "ar": "اغسلوا شعركم في المساء الذي يسبق الزيارة.",
}
AT_HOME = {
    "en": "Put 1 mL of minoxidil on the dry scalp twice a day.",
    "tr": "Günde iki kez kuru saç derisine 1 mL minoksidil sürün.",
    "ar": "ضعوا 1 مل من المينوكسيديل على فروة الرأس الجافة مرتين في اليوم.",
}


@pytest.fixture
def world():
    rows = session_rows(3, instructions=BEFORE["en"], instructions_i18n={"tr": BEFORE["tr"], "ar": BEFORE["ar"]})
    home = [{"kind": "minoxidil", "instructions": AT_HOME["en"],
             "instructions_i18n": {"tr": AT_HOME["tr"], "ar": AT_HOME["ar"]}}]
    world = build_world(screened_at=BOOKED_AT - timedelta(days=1))
    return replace(world, protocol=ProtocolFactory(status="active", sessions=rows, home_adjuncts=home))


def course_for(world, language: str, start: str = "2027-03-01 10:00"):
    patient = world.new_patient(language=language, timezone="Europe/Istanbul", email=f"{language}@example.test")
    course, _ = booking.course_book(patient=patient, protocol=world.protocol, location=world.location,
                                    start=at(start), now=BOOKED_AT)
    return course


def aftercare(course) -> Reminder:
    first = course.sessions.get(number=1)
    return Reminder.objects.create(course=course, session=first, patient=first.patient, kind="aftercare",
                                   send_at=BOOKED_AT)


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_the_reminder_gives_the_instructions_in_the_patients_language(world, language):
    course = course_for(world, language)
    reminder = course.reminders.filter(kind="reminder", session__number=2).first()
    _, text, html, _ = render(reminder)
    assert BEFORE[language] in text and escape(BEFORE[language]) in html
    assert BEFORE["en"] not in text and BEFORE["en"] not in html


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_the_confirmation_gives_every_visit_its_translated_instructions(world, language):
    _, text, html, _ = render(course_for(world, language).reminders.get(kind="confirmation"))
    assert text.count(BEFORE[language]) == 3 and html.count(escape(BEFORE[language])) == 3


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_the_aftercare_email_gives_the_home_adjunct_in_the_patients_language(world, language):
    _, text, html, _ = render(aftercare(course_for(world, language)))
    assert AT_HOME[language] in text and escape(AT_HOME[language]) in html
    assert AT_HOME["en"] not in text


def test_the_arabic_instructions_sit_in_a_right_to_left_email(world):
    _, _, html, _ = render(course_for(world, "ar").reminders.get(kind="confirmation"))
    assert '<html lang="ar" dir="rtl">' in html
    assert f"<bdi>{escape(BEFORE['ar'])}</bdi>" in html


@pytest.mark.parametrize("language", ["es", "de", "en"])
def test_a_language_the_protocol_lacks_gets_the_english_instructions(world, language):
    course = course_for(world, language)
    _, text, html, _ = render(course.reminders.get(kind="confirmation"))
    assert BEFORE["en"] in text and BEFORE["tr"] not in text and BEFORE["ar"] not in text
    _, text, _, _ = render(aftercare(course))
    assert AT_HOME["en"] in text


def test_patients_of_one_course_version_each_read_their_own_language(world):
    # The texts are cached per protocol version and language: one patient's never leaks into another's.
    turkish = render(course_for(world, "tr").reminders.get(kind="confirmation"))[1]
    english = render(course_for(world, "en", start="2027-03-02 10:00").reminders.get(kind="confirmation"))[1]
    arabic = render(course_for(world, "ar", start="2027-03-03 10:00").reminders.get(kind="confirmation"))[1]
    assert BEFORE["tr"] in turkish and BEFORE["en"] in english and BEFORE["ar"] in arabic
    assert BEFORE["tr"] not in english and BEFORE["tr"] not in arabic
