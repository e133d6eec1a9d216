"""load_starter_protocols: the ten templates of the domain brief, active, installed once."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from protocols.models import Protocol
from protocols.services import protocol_activate, protocol_create, protocol_lock, protocol_revise, protocol_update
from protocols.starter import DISCLAIMER, STARTER_PROTOCOLS

pytestmark = pytest.mark.django_db

CODES = ["EXO-AGA-3x6W", "EXO-AGA-MSC-M", "EXO-AGA-MSC-B", "EXO-AGA-MN", "EXO-ROSE-POSTOP", "EXO-ROSE-MAINT",
         "EXO-PRP-AGA", "PRP-AGA", "PRP-TE", "EXO-AA"]


def load() -> str:
    out = StringIO()
    call_command("load_starter_protocols", stdout=out)
    return out.getvalue()


def _state() -> list[tuple]:
    return [
        (p.code, p.version, p.status, p.name, p.notes,
         [(s.number, s.gap_min_days, s.gap_target_days, s.gap_max_days, s.duration_minutes, s.kind,
           tuple(s.visit_adjuncts), s.instructions, s.instructions_i18n) for s in p.sessions.all()])
        for p in Protocol.objects.prefetch_related("sessions").order_by("code", "version")
    ]


def test_it_installs_the_ten_templates_as_active_protocols():
    assert "Installed 10" in load()
    assert sorted(Protocol.objects.filter(status="active").values_list("code", flat=True)) == sorted(CODES)


def test_running_it_twice_changes_nothing():
    load()
    before = _state()
    events = apps.get_model("protocols", "ProtocolEvent").objects.count()
    assert "Kept 10 already present" in load()
    assert _state() == before
    assert apps.get_model("protocols", "ProtocolEvent").objects.count() == events


def test_it_never_overwrites_a_doctors_revision(doctor):
    load()
    original = Protocol.objects.get(code="PRP-TE")
    draft = protocol_revise(protocol=original, by=doctor)
    protocol_update(protocol=draft, fields={"name": "PRP-TE, our way"}, by=doctor)
    protocol_activate(protocol=draft, by=doctor)
    before = _state()
    load()
    assert _state() == before
    assert Protocol.objects.get(code="PRP-TE", status="active").name == "PRP-TE, our way"


def test_every_template_says_it_is_investigational_and_talks_to_patients_plainly():
    load()
    for protocol in Protocol.objects.prefetch_related("sessions", "home_adjuncts"):
        assert "not FDA-approved" in protocol.notes and "small" in protocol.notes, protocol.code
        assert all(session.instructions.strip() for session in protocol.sessions.all()), protocol.code
        assert all(adjunct.instructions.strip() for adjunct in protocol.home_adjuncts.all()), protocol.code
        texts = [s.instructions for s in protocol.sessions.all()]
        texts += [a.instructions for a in protocol.home_adjuncts.all()]
        for text in texts:
            # Plain words: no codes or jargon meant for staff.
            for jargon in ("harvest_", "autologous", "allogeneic", "MSC", "SALT", "trichoscopy", "[", "PRN"):
                assert jargon not in text, (protocol.code, jargon)


def test_the_templates_follow_the_brief():
    load()
    by_code = {p.code: p for p in Protocol.objects.prefetch_related("sessions", "home_adjuncts")}
    three = by_code["EXO-AGA-3x6W"]
    assert three.treatment_count == 3 and three.assessment_count == 2 and three.men_only and three.uses_harvest
    assert [s.gap_target_days for s in three.sessions.all()][:3] == [0, 42, 42]
    assert by_code["EXO-AGA-MSC-M"].route == "topical" and "topical" in by_code["EXO-AGA-MSC-M"].notes
    assert by_code["PRP-AGA"].treatment_count == 4 and by_code["PRP-AGA"].uses_prp
    assert by_code["EXO-PRP-AGA"].uses_prp and by_code["PRP-TE"].uses_prp
    assert by_code["EXO-ROSE-POSTOP"].anchor == "surgery_date"
    assert by_code["EXO-ROSE-MAINT"].total_days == 720
    mn = [s.gap_target_days for s in by_code["EXO-AGA-MN"].sessions.all() if s.kind == "treatment"]
    assert [sum(mn[: i + 1]) + 1 for i in range(len(mn))] == [1, 15, 45, 75, 105]
    assert not any(p.men_only for code, p in by_code.items() if code != "EXO-AGA-3x6W")


def test_the_data_is_the_ten_codes_once():
    assert [t["code"] for t in STARTER_PROTOCOLS] == CODES


# --- Five languages --------------------------------------------------------------------------

OTHER_LANGUAGES = ["tr", "ar", "es", "de"]


def _texts(protocol):
    return [*protocol.sessions.all(), *protocol.home_adjuncts.all()]


def test_every_starter_text_comes_in_the_five_languages():
    load()
    protocols = list(Protocol.objects.prefetch_related("sessions", "home_adjuncts"))
    assert len(protocols) == 10
    for protocol in protocols:
        for item in _texts(protocol):
            assert item.instructions.strip(), (protocol.code, item)
            assert sorted(item.instructions_i18n) == sorted(OTHER_LANGUAGES), (protocol.code, item)


def test_no_starter_translation_is_empty_or_the_english_left_as_it_was():
    for template in STARTER_PROTOCOLS:
        for item in [*template["sessions"], *template["home_adjuncts"]]:
            english = item["instructions"]
            translations = item["instructions_i18n"]
            for language in OTHER_LANGUAGES:
                text = translations[language]
                assert text.strip() and text == text.strip(), (template["code"], language)
                assert text != english, (template["code"], language)
                # A whole English sentence left inside a translation is a piece not translated.
                for sentence in english.split(". "):
                    if len(sentence) > 25:
                        assert sentence not in text, (template["code"], language, sentence)
            # Two languages with the same text: one was pasted in the other's place.
            assert len(set(translations.values())) == len(OTHER_LANGUAGES), template["code"]


def test_the_translations_speak_plainly_and_keep_the_doses():
    for template in STARTER_PROTOCOLS:
        for item in [*template["sessions"], *template["home_adjuncts"]]:
            numbers = sorted(re.findall(r"\d+", item["instructions"]))
            for language, text in item["instructions_i18n"].items():
                for jargon in ("harvest_", "autologous", "allogeneic", "MSC", "SALT", "[", "PRN"):
                    assert jargon not in text, (template["code"], language, jargon)
                # Doses, strengths and weeks are the same numbers in every language.
                assert sorted(re.findall(r"\d+", text)) == numbers, (template["code"], language)


def test_arabic_texts_are_written_in_arabic_script():
    for template in STARTER_PROTOCOLS:
        for item in [*template["sessions"], *template["home_adjuncts"]]:
            arabic = item["instructions_i18n"]["ar"]
            letters = [c for c in arabic if c.isalpha()]
            assert sum("\u0600" <= c <= "\u06ff" for c in letters) > 0.9 * len(letters), template["code"]


def _load_english_only() -> None:
    """The starters as an older release loaded them: English only."""
    for template in STARTER_PROTOCOLS:
        english = {
            **template, "notes": f"{template['notes']}\n\n{DISCLAIMER}",
            "sessions": [{k: v for k, v in s.items() if k != "instructions_i18n"} for s in template["sessions"]],
            "home_adjuncts": [{"kind": a["kind"], "instructions": a["instructions"]}
                              for a in template["home_adjuncts"]],
        }
        protocol_activate(protocol=protocol_create(**english, by=None), by=None)


def test_an_english_only_starter_left_as_loaded_gets_its_translations_as_a_new_version():
    _load_english_only()
    booked = Protocol.objects.get(code="PRP-AGA")
    protocol_lock(booked)  # a course uses it: it can never change
    output = load()
    assert "Added the other languages to 10 as a new version" in output
    for code in CODES:
        active = Protocol.objects.get(code=code, status="active")
        assert active.version == 2
        assert all(sorted(item.instructions_i18n) == sorted(OTHER_LANGUAGES) for item in _texts(active)), code
    booked.refresh_from_db()
    assert (booked.status, booked.in_use) == ("archived", True)
    assert all(s.instructions_i18n == {} for s in booked.sessions.all())  # the booked version is untouched
    before = _state()
    assert "Kept 10 already present" in load()
    assert _state() == before


def test_an_english_only_starter_a_doctor_changed_or_is_revising_is_left_alone(doctor):
    _load_english_only()
    renamed = protocol_revise(protocol=Protocol.objects.get(code="PRP-TE"), by=doctor)
    protocol_update(protocol=renamed, fields={"name": "PRP-TE, our way"}, by=doctor)
    protocol_activate(protocol=renamed, by=doctor)
    protocol_revise(protocol=Protocol.objects.get(code="EXO-AA"), by=doctor)  # a draft is open
    output = load()
    assert "Added the other languages to 8 as a new version" in output
    assert "Kept 2 already present: PRP-TE, EXO-AA" in output
    assert Protocol.objects.get(code="PRP-TE", status="active").name == "PRP-TE, our way"
    assert not Protocol.objects.filter(code="EXO-AA", version=3).exists()


# docs/glossary.md: a medical word has one name per language across every starter text.
GLOSSARY = {
    "scalp": {"tr": "saç deri", "ar": "فروة", "es": "cuero cabelludo", "de": "kopfhaut"},
    "minoxidil": {"tr": "minoksidil", "ar": "المينوكسيديل", "es": "minoxidil", "de": "minoxidil"},
    "finasteride": {"tr": "finasterid", "ar": "الفيناسترايد", "es": "finasterida", "de": "finasterid"},
    "platelet-rich plasma": {"tr": "trombositten zengin plazma", "ar": "البلازما الغنية بالصفائح الدموية",
                             "es": "plasma rico en plaquetas", "de": "plättchenreiches plasma"},
    "microneedling": {"tr": "mikro iğneleme", "ar": "بالإبر الدقيقة", "es": "micropunción", "de": "microneedling"},
    "blood thinners": {"tr": "kan sulandırıcı", "ar": "مميعات الدم", "es": "anticoagulantes", "de": "blutverdünner"},
    "surgeon": {"tr": "cerrah", "ar": "الجراح", "es": "cirujano", "de": "chirurg"},
    "standard photos": {"tr": "standart fotoğraf", "ar": "صورًا قياسية", "es": "fotos estándar", "de": "standardfotos"},
    "wash your hair": {"tr": "saçınızı", "ar": "اغسلوا شعركم", "es": "lávese el pelo", "de": "waschen sie ihre haare"},
}


@pytest.mark.parametrize("term", sorted(GLOSSARY))
def test_the_translations_use_the_glossarys_word(term):
    seen = 0
    for template in STARTER_PROTOCOLS:
        for item in [*template["sessions"], *template["home_adjuncts"]]:
            if term not in item["instructions"].lower():
                continue
            seen += 1
            for language, word in GLOSSARY[term].items():
                assert word in item["instructions_i18n"][language].lower(), (template["code"], term, language)
    assert seen, f"no starter text says {term!r}: the glossary entry checks nothing"
