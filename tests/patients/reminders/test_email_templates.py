"""Email templates rendered by Django in every language: what they escape and what they keep as typed."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

FOLDER = Path(settings.BASE_DIR) / "templates" / "emails"
EMAILS = sorted(p.name for p in FOLDER.iterdir() if not p.name.startswith("_"))
LANGUAGES = [code for code, _ in settings.LANGUAGES]


def rich_context(kind: str, language: str) -> dict:
    """Every branch the templates have, and values that need escaping."""
    sessions = [
        {"number": 2, "total": 5, "kind": "assessment", "clinic_time": "Monday 1 March 2027, 10:00",
         "patient_time": "Monday 1 March 2027, 08:00", "minutes": 30, "practitioner": "Dr <X> & Y",
         "instructions": "Wash & dry <hair>", "confirm_url": "https://x.test/c?a=1&b=2", "change_url": "https://x.test/h",
         "status": "cancelled", "links": True},
        {"number": 3, "total": 5, "kind": "treatment", "clinic_time": "Tuesday", "patient_time": "", "minutes": 45,
         "practitioner": "Dr Z", "instructions": "", "confirm_url": "u", "change_url": "v", "status": "booked"},
    ]
    return {
        "kind": kind, "patient_name": "Ayşe <b>&amp;", "clinic_name": "Klinik & Co",
        "clinic_address": "Line 1\nLine <2>",
        "clinic_zone": "Europe/Istanbul", "patient_zone": "Europe/Berlin", "protocol_name": "Exo <x> 5%",
        "sessions": sessions, "session": sessions[0], "home_adjuncts": ["Minoxidil 5% daily", "Fin <1 mg>"],
        "unsubscribe_url": "https://x.test/u?a&b", "offset": "24h", "rtl": language == "ar", "language": language,
        "aftercare_keys": ["no_wash_48h", "no_exercise_3d", "no_nsaids", "no_dye_4w", "no_harsh_sun", "what_is_normal"],
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", EMAILS)
def test_every_email_template_renders_in_every_language_and_the_html_escapes_what_it_must(name, language):
    context = rich_context(name.split("_")[0], language)
    with translation.override(language):
        rendered = render_to_string(f"emails/{name}", context)
    assert "translate" not in rendered and "{%" not in rendered and "{{" not in rendered
    if name.endswith(".html"):
        assert "<b>&amp;" not in rendered and "Dr <X>" not in rendered and "&lt;" in rendered
    elif "body" in name:
        assert "Ayşe <b>&amp;" in rendered  # plain text: the name as typed, nothing escaped


@pytest.mark.parametrize("prefix", ["/", "/clinic/"])
def test_a_signed_link_is_the_url_django_reverses_for_its_token(prefix):
    from django.urls import get_script_prefix, reverse, set_script_prefix

    from patients.reminders.emails import read_link, signed_link

    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for purpose in ("confirm", "change", "unsubscribe"):
            url = signed_link(purpose, 7, 9)
            token = url.rstrip("/").rsplit("/", 1)[1]
            assert url == settings.SITE_URL + reverse("patient-link", args=[purpose, token])
            assert url.startswith(settings.SITE_URL + prefix + "p/")
            assert read_link(purpose, token) == {"p": 9, "s": 7}
    finally:
        set_script_prefix(before)


SUBJECTS = [name for name in EMAILS if name.endswith("_subject.txt")]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", SUBJECTS)
def test_a_subject_is_plain_text_with_quotes_and_ampersands_as_they_are(name, language):
    context = rich_context(name.split("_")[0], language)
    context["clinic_name"] = 'Klinik "Işık" & O\'Brien'
    context["session"] = {**context["session"], "clinic_time": "Monday \"1\" March & 10:00"}
    with translation.override(language):
        subject = render_to_string(f"emails/{name}", context)
    for entity in ("&quot;", "&amp;", "&#x27;", "&#39;", "&lt;"):
        assert entity not in subject
    if name != "aftercare_subject.txt":  # the one subject that names nothing
        assert ('Klinik "Işık" & O\'Brien' in subject) or ('Monday "1" March & 10:00' in subject)


def test_the_subject_of_a_real_email_keeps_the_clinics_name_as_typed(db):
    from patients.booking import services as booking
    from patients.booking.status import session_cancel
    from patients.reminders.emails import render
    from tests.patients.booking.world import at, build_world

    world = build_world(screened_at=at("2027-01-31 09:00"))
    world.location.name = 'Anagen "Nişantaşı" & Co'
    world.location.save()
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=at("2027-03-01 10:00"), now=at("2027-02-01 09:00"))
    session_cancel(session=course.sessions.get(number=3), reason="", now=at("2027-02-01 09:00"))
    subjects = [render(reminder)[0] for reminder in course.reminders.exclude(kind="reminder")]
    assert len(subjects) == 2 and all('Anagen "Nişantaşı" & Co' in subject for subject in subjects)
