"""The protocol pages (list, a starter protocol's page, a draft's checklist, the editor, the versions
and their differences) for a doctor who reads Turkish, Arabic, Spanish or German: no English word
of the protocol pages' messages left, the page's lang and dir right; a validation error and a
message after saving in the language too. The starter protocols' names and patient texts are data
(the clinic's own words, in English with their translations) and are shown as they are."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from clinic.models import StaffProfile
from protocols.models import Protocol
from protocols.services import _children_of, protocol_revise, protocol_update
from tests.factories.clinic import LocationFactory
from tests.helpers import client_for
from tests.i18n.pages import LANGUAGES, class_of, english_of, page_in_language
from tests.i18n.visible_text import leaked, visible_text

pytestmark = pytest.mark.django_db

# What this area put through the catalogue; the words of its English messages must not show.
SLICE = ("templates/protocols/", "protocols/", "clinic/api/filters.py")
CLOCK = "2027-04-01T09:00+03:00"
CODE = "EXO-AGA-3x6W"


def protocol_page(tag: str, attrs: dict[str, str]) -> bool:
    """All of <main> is the protocol pages' own, and so is the page's title."""
    return tag in ("main", "title")


def other_apps(tag: str, attrs: dict[str, str]) -> bool:
    """Other apps' navigation, the user menu and the base frame's own widgets."""
    return (tag == "ul" and "me-auto" in class_of(attrs)) or "dropdown-menu" in class_of(attrs)


@pytest.fixture(scope="module")
def english() -> dict[str, frozenset[str]]:
    return english_of(SLICE, dates=False)


@pytest.fixture
def starters():
    """The ten starter protocols, a second version of one (a draft with changes to compare), and a
    location whose route policy refuses plant exosomes by topical application."""
    call_command("load_starter_protocols", stdout=StringIO())
    active = Protocol.objects.get(code=CODE, status="active")
    draft = protocol_revise(protocol=active, by=None)
    sessions, adjuncts = _children_of(draft)
    sessions = sessions[:-1]
    sessions[1] = {**sessions[1], "gap_target_days": sessions[1]["gap_target_days"] + 7,
                   "gap_max_days": sessions[1]["gap_max_days"] + 7, "instructions": ""}
    protocol_update(protocol=draft, sessions=sessions, home_adjuncts=adjuncts[:1], by=None)
    LocationFactory(name="Nişantaşı", route_policy={"autologous": ["injection"], "allogeneic_human": ["topical"],
                                                     "plant": [], "animal": []})
    return active, draft


def data_values(user) -> list[str]:
    """What the clinic typed (protocol names, source details, notes, patient texts in every
    language, the location's name) and the user's own names: shown as typed."""
    values = [user.username, user.get_full_name(), user.first_name, user.last_name, "Nişantaşı", CODE]
    for protocol in Protocol.objects.prefetch_related("sessions", "home_adjuncts"):
        values += [protocol.code, protocol.name, protocol.source_detail, protocol.notes]
        for item in [*protocol.sessions.all(), *protocol.home_adjuncts.all()]:
            values += [item.instructions, *item.instructions_i18n.values()]
    # As the page's text reads them: one space between words, whatever the lines they were typed on.
    return [" ".join(value.split()) for value in values if value]


def doctor_in(make_staff, language: str):
    user = make_staff("doctor")
    user.first_name, user.last_name = "Deniz", "Yıldız"
    user.save()
    if language != "en":
        StaffProfile.objects.create(user=user, language=language)
    return user


def assert_in_language(response, language: str, english: set[str], data: list[str], **options) -> str:
    return page_in_language(response, language, english, data, include=protocol_page, exclude=other_apps, **options)


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_protocol_pages_are_all_in_the_language(language, make_staff, starters, english):
    active, draft = starters
    doctor = doctor_in(make_staff, language)
    client = client_for(doctor)
    data = data_values(doctor)
    pages = [
        "/protocols/", "/protocols/?status=all", "/protocols/?q=nothing-matches", f"/protocols/{active.pk}/",
        f"/protocols/{draft.pk}/", f"/protocols/{draft.pk}/edit/", "/protocols/new/",
        f"/protocols/versions/{CODE}/", f"/protocols/versions/{CODE}/?a={draft.pk}&b={active.pk}",
    ]
    pages += [f"/protocols/{p.pk}/" for p in Protocol.objects.filter(status="active").exclude(pk=active.pk)]
    for path in pages:
        assert_in_language(client.get(path), language, english[language], data)


@pytest.mark.clock(CLOCK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_editor_says_what_is_wrong_in_the_language(language, make_staff, starters, english):
    doctor = doctor_in(make_staff, language)
    client = client_for(doctor)
    form = {
        "code": "EXO-NEU", "name": "", "indication": "aga", "source_category": "plant", "route": "topical",
        "anchor": "course_start", "source_detail": "", "notes": "",
        "sessions-TOTAL_FORMS": "2", "sessions-INITIAL_FORMS": "0",
        "sessions-0-ORDER": "1", "sessions-0-kind": "treatment", "sessions-0-gap_min_days": "0",
        "sessions-0-gap_target_days": "0", "sessions-0-gap_max_days": "0", "sessions-0-duration_minutes": "30",
        "sessions-0-visit_adjuncts": "harvest_blood",
        "sessions-1-ORDER": "2", "sessions-1-kind": "treatment", "sessions-1-gap_min_days": "30",
        "sessions-1-gap_target_days": "21", "sessions-1-gap_max_days": "28", "sessions-1-duration_minutes": "30",
        "home-TOTAL_FORMS": "1", "home-INITIAL_FORMS": "0",
    }
    response = client.post("/protocols/new/", form)
    text = assert_in_language(response, language, english[language], data_values(doctor) + ["EXO-NEU"],
                              status=400)
    errors = visible_text(response.content.decode(),
                          lambda tag, attrs: "invalid-feedback" in class_of(attrs) or "alert-danger" in class_of(attrs))
    assert len(errors) > 40 and not leaked(errors, english[language])
    assert not Protocol.objects.filter(code="EXO-NEU").exists()
    # Fixed, it saves, and the message that says so is in the language too.
    form.update(name="Neu", source_category="autologous", **{"sessions-1-gap_min_days": "14"})
    response = client.post("/protocols/new/", form, follow=True)
    draft = Protocol.objects.get(code="EXO-NEU")
    assert response.redirect_chain[-1][0] == f"/protocols/{draft.pk}/"
    text = assert_in_language(response, language, english[language], data_values(doctor) + ["Neu"])
    saved = {"tr": "taslağı oluşturuldu", "ar": "أُنشئت المسودة", "es": "Borrador EXO-NEU v1 creado",
             "de": "Entwurf EXO-NEU v1 erstellt"}[language]
    assert saved in text


@pytest.mark.clock(CLOCK)
def test_the_checklist_and_the_diff_read_in_arabic(make_staff, starters):
    active, draft = starters
    client = client_for(doctor_in(make_staff, "ar"))
    page = client.get(f"/protocols/{draft.pk}/").content.decode()
    assert "قبل التفعيل" in page  # Before activating
    assert "لا توجد تعليمات للمريض في الجلسة 2." in page  # session 2 has no instructions now
    diff = client.get(f"/protocols/versions/{CODE}/?a={active.pk}&b={draft.pk}").content.decode()
    assert "أُزيلت الجلسة 5." in diff and "الفاصل المستهدف (أيام)" in diff


@pytest.mark.clock(CLOCK)
def test_the_same_pages_in_english_show_those_words(make_staff, starters, english):
    """The check is not vacuous: in English the pages show the words the other languages must not."""
    active, draft = starters
    doctor = doctor_in(make_staff, "en")
    client = client_for(doctor)
    data = data_values(doctor)
    left = set()
    for path in ["/protocols/", f"/protocols/{active.pk}/", f"/protocols/{draft.pk}/", f"/protocols/{draft.pk}/edit/",
                 f"/protocols/versions/{CODE}/"]:
        text = visible_text(client.get(path).content.decode(), protocol_page, other_apps)
        left |= set(leaked(text, english["tr"], data=data))
    assert {"Course", "timeline", "Clinical", "rules", "activating", "Allowed", "Versions", "Gap", "target"} <= left
