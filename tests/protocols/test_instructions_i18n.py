"""Protocol instructions in other languages: the pick rule, the API, the editor, versions."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from protocols import services
from protocols.models import HomeAdjunct, Protocol, ProtocolSession
from protocols.texts import clean_instructions_i18n, instructions_for, instructions_i18n_errors
from tests.factories import ProtocolFactory, session_rows
from tests.html_forms import form_fields

URL = "/api/v1/protocols/"
TURKISH = "Ziyaretten önceki akşam saçınızı yıkayın."
ARABIC = "اغسلوا شعركم في المساء السابق للزيارة."


# --- The one rule that picks a text ----------------------------------------------------------


def step(english="Wash your hair the evening before.", **translations):
    return SimpleNamespace(instructions=english, instructions_i18n=translations)


@pytest.mark.parametrize(("language", "expected"), [
    ("tr", TURKISH), ("ar", ARABIC), ("TR", TURKISH), ("tr-TR", TURKISH), ("ar_AE", ARABIC),
    ("en", "Wash your hair the evening before."), ("de", "Wash your hair the evening before."),
    (None, "Wash your hair the evening before."), ("", "Wash your hair the evening before."),
    ("fr", "Wash your hair the evening before."),
])
def test_instructions_for_gives_the_language_asked_else_english(language, expected):
    assert instructions_for(step(tr=TURKISH, ar=ARABIC), language) == expected


def test_a_blank_translation_falls_back_to_english():
    assert instructions_for(step(tr="   ", es=""), "tr") == "Wash your hair the evening before."
    assert instructions_for(step(tr="   ", es=""), "es") == "Wash your hair the evening before."


def test_a_dict_as_the_api_gives_it_works_too():
    item = {"instructions": "Wash.", "instructions_i18n": {"de": "Waschen."}}
    assert instructions_for(item, "de") == "Waschen." and instructions_for(item, "tr") == "Wash."


def test_an_item_without_translations_reads_english():
    assert instructions_for(SimpleNamespace(instructions="Plain."), "ar") == "Plain."
    assert instructions_for(SimpleNamespace(instructions="Plain.", instructions_i18n=None), "ar") == "Plain."


@pytest.mark.parametrize(("value", "problem"), [
    ({"fr": "Lavez-vous les cheveux."}, "Unknown language “fr”"),
    ({"en": "English goes elsewhere."}, "Unknown language “en”"),
    ({"tr": 3}, "tr: the instructions must be text."),
    ({"de": ["a", "b"]}, "de: the instructions must be text."),
    ({"ar": "x" * 4001}, "ar: at most 4000 characters"),
    (["tr", "text"], "Give the other languages as an object"),
    ("tr: text", "Give the other languages as an object"),
])
def test_the_rules_name_what_is_wrong(value, problem):
    errors = instructions_i18n_errors(value)
    assert len(errors) == 1 and errors[0].startswith(problem), errors


def test_valid_values_pass_and_are_normalized():
    assert instructions_i18n_errors({"tr": "a", "ar": "b", "es": "c", "de": "d" * 4000}) == []
    assert instructions_i18n_errors({}) == [] and instructions_i18n_errors(None) == []
    assert clean_instructions_i18n({"de": " Text ", "tr": "", "ar": "  "}) == {"de": "Text"}


# --- The API ---------------------------------------------------------------------------------


def body(sessions=None, home=None):
    return {
        "code": "EXO-I18N", "name": "Languages", "indication": "aga", "source_category": "autologous",
        "route": "injection", "sessions": sessions or session_rows(2),
        "home_adjuncts": home if home is not None else [{"kind": "minoxidil", "instructions": "Twice a day."}],
    }


@pytest.mark.django_db
def test_the_api_writes_and_reads_the_other_languages(api_doctor):
    rows = session_rows(2)
    rows[0]["instructions_i18n"] = {"tr": TURKISH, "ar": ARABIC, "de": "  ", "es": " Lávese el pelo. "}
    home = [{"kind": "minoxidil", "instructions": "Twice a day.", "instructions_i18n": {"de": "Zweimal täglich."}}]
    response = api_doctor.post(URL, body(rows, home), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    # Blank texts are left out (the patient then reads English), the others trimmed.
    assert data["sessions"][0]["instructions_i18n"] == {"tr": TURKISH, "ar": ARABIC, "es": "Lávese el pelo."}
    assert data["sessions"][1]["instructions_i18n"] == {}
    assert data["home_adjuncts"][0]["instructions_i18n"] == {"de": "Zweimal täglich."}
    assert ProtocolSession.objects.get(protocol__code="EXO-I18N", number=1).instructions_i18n["ar"] == ARABIC
    assert api_doctor.get(f"{URL}{data['id']}/").json()["sessions"][0]["instructions_i18n"]["tr"] == TURKISH


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "message"), [
    ({"fr": "Bonjour"}, "Unknown language “fr”"),
    ({"tr": 12}, "Not a valid string."),
    ({"tr": {"nested": "no"}}, "Not a valid string."),
    ({"ar": "x" * 4001}, "Ensure this field has no more than 4000 characters."),
    ("Merhaba", "Give the other languages as an object"),
    (None, "This field may not be null."),
])
def test_a_bad_session_translation_is_400_invalid_by_the_field(api_doctor, value, message):
    rows = session_rows(2)
    rows[1]["instructions_i18n"] = value
    response = api_doctor.post(URL, body(rows), format="json")
    assert response.status_code == 400, response.json()
    data = response.json()
    assert data["code"] == "invalid"
    errors = data["errors"]["sessions"]["1"]["instructions_i18n"]
    flat = [text for texts in errors.values() for text in texts] if isinstance(errors, dict) else errors
    assert any(text.startswith(message) for text in flat), errors
    assert not Protocol.objects.exists()


@pytest.mark.django_db
def test_a_bad_home_adjunct_translation_is_400_invalid_by_the_field(api_doctor):
    home = [{"kind": "minoxidil", "instructions": "Twice a day.", "instructions_i18n": {"it": "Due volte"}}]
    response = api_doctor.post(URL, body(home=home), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["home_adjuncts"]["0"]["instructions_i18n"][0].startswith("Unknown language")


@pytest.mark.django_db
def test_the_services_refuse_what_the_api_would_have(doctor):
    rows = session_rows(1, instructions_i18n={"xx": "?"})
    with pytest.raises(services.ProtocolInvalid) as invalid:
        services.protocol_create(code="SVC", name="Svc", indication="aga", source_category="autologous",
                                 route="injection", sessions=rows, by=doctor)
    assert invalid.value.errors["sessions"][0]["instructions_i18n"][0].startswith("Unknown language “xx”")


@pytest.mark.django_db
def test_only_a_draft_changes_its_translations_and_revise_copies_them(api_doctor, doctor):
    rows = session_rows(2, instructions_i18n={"tr": TURKISH})
    active = ProtocolFactory(status="active", sessions=rows,
                             home_adjuncts=[{"kind": "minoxidil", "instructions_i18n": {"ar": ARABIC}}])
    rows[0]["instructions_i18n"] = {"tr": "Başka bir metin."}
    response = api_doctor.patch(f"{URL}{active.pk}/", {"sessions": rows}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "protocol_not_editable"
    draft = services.protocol_revise(protocol=active, by=doctor)
    assert [s.instructions_i18n for s in draft.sessions.order_by("number")] == [{"tr": TURKISH}] * 2
    assert HomeAdjunct.objects.get(protocol=draft).instructions_i18n == {"ar": ARABIC}
    response = api_doctor.patch(f"{URL}{draft.pk}/", {"sessions": rows}, format="json")
    assert response.status_code == 200, response.json()
    assert ProtocolSession.objects.get(protocol=draft, number=1).instructions_i18n == {"tr": "Başka bir metin."}
    assert ProtocolSession.objects.get(protocol=active, number=1).instructions_i18n == {"tr": TURKISH}


@pytest.mark.django_db
def test_the_schema_types_the_other_languages(api_receptionist):
    schema = api_receptionist.get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    for name in ("ProtocolSession", "HomeAdjunct"):
        field = components[name]["properties"]["instructions_i18n"]
        assert field["type"] == "object" and field["additionalProperties"] is False
        types = {language: value["type"] for language, value in field["properties"].items()}
        assert types == dict.fromkeys(["tr", "ar", "es", "de"], "string")


# --- The editor ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_editor_shows_each_language_with_arabic_right_to_left(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory(sessions=session_rows(1, instructions_i18n={"ar": ARABIC}), home_adjuncts=["minoxidil"])
    html = client.get(reverse("protocols:edit", args=[draft.pk])).content.decode()
    # The session, the home adjunct, the home formset's empty extra row and the new-session template.
    assert html.count("data-other-languages") == 4
    assert 'name="sessions-0-instructions_ar"' in html and 'dir="rtl"' in html and 'lang="ar"' in html
    assert ARABIC in html and "1 of 4 written" in html
    for language in ("tr", "es", "de"):
        assert f'name="sessions-0-instructions_{language}"' in html and f'name="home-0-instructions_{language}"' in html


@pytest.mark.django_db
def test_the_editor_saves_the_other_languages_and_keeps_them_when_saved_unchanged(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory(sessions=session_rows(2), home_adjuncts=["minoxidil"])
    url = reverse("protocols:edit", args=[draft.pk])
    fields = form_fields(client.get(url).content.decode(), "protocol-form")
    fields.update({"sessions-1-instructions_tr": f"  {TURKISH} ", "sessions-1-instructions_ar": ARABIC,
                   "home-0-instructions_de": "Zweimal täglich."})
    assert client.post(url, fields).status_code == 302
    assert ProtocolSession.objects.get(protocol=draft, number=2).instructions_i18n == {"tr": TURKISH, "ar": ARABIC}
    assert ProtocolSession.objects.get(protocol=draft, number=1).instructions_i18n == {}
    assert HomeAdjunct.objects.get(protocol=draft).instructions_i18n == {"de": "Zweimal täglich."}
    # Saved again exactly as the page shows it: nothing changes.
    fields = form_fields(client.get(url).content.decode(), "protocol-form")
    assert client.post(url, fields).status_code == 302
    assert ProtocolSession.objects.get(protocol=draft, number=2).instructions_i18n == {"tr": TURKISH, "ar": ARABIC}
    # Emptying a language's box removes that translation.
    fields["sessions-1-instructions_tr"] = ""
    assert client.post(url, fields).status_code == 302
    assert ProtocolSession.objects.get(protocol=draft, number=2).instructions_i18n == {"ar": ARABIC}


@pytest.mark.django_db
def test_a_translation_too_long_is_refused_next_to_its_field_and_nothing_saved(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory(sessions=session_rows(2), home_adjuncts=["minoxidil"])
    url = reverse("protocols:edit", args=[draft.pk])
    fields = form_fields(client.get(url).content.decode(), "protocol-form")
    fields.update({"sessions-0-instructions_es": "x" * 4001, "sessions-1-instructions_tr": TURKISH})
    response = client.post(url, fields)
    assert response.status_code == 400
    form = response.context["session_formset"].forms[0]
    assert form.errors == {"instructions_es": ["Ensure this value has at most 4000 characters (it has 4001)."]}
    html = response.content.decode()
    assert "Nothing was saved" in html and 'id="error_1_id_sessions-0-instructions_es"' in html
    assert html.count("<details class=\"other-languages mb-2\" open") == 1  # the row with the error opens
    assert all(s.instructions_i18n == {} for s in ProtocolSession.objects.filter(protocol=draft))


@pytest.mark.django_db
def test_the_protocol_page_and_the_version_diff_show_the_translations(client, doctor):
    client.force_login(doctor)
    active = ProtocolFactory(status="active", sessions=session_rows(1, instructions_i18n={"tr": TURKISH}))
    page = client.get(active.get_absolute_url()).content.decode()
    assert "In other languages:" in page and TURKISH in page and 'lang="tr"' in page
    draft = services.protocol_revise(protocol=active, by=doctor)
    services.protocol_update(protocol=draft, sessions=session_rows(1, instructions_i18n={"tr": TURKISH, "ar": ARABIC}),
                             by=doctor)
    page = client.get(reverse("protocols:versions", args=[active.code])).content.decode()
    assert "instructions in other languages" in page.lower() and ARABIC in page


# --- The checklist before activating -------------------------------------------------------


def test_the_checklist_warns_when_a_language_covers_only_some_instructions():
    from protocols.checklist import protocol_checklist

    rows = session_rows(3)
    rows[0]["instructions_i18n"] = {"tr": TURKISH, "ar": ARABIC}
    rows[1]["instructions_i18n"] = {"tr": TURKISH}
    rows[2]["instructions"] = ""  # nothing in English: nothing to translate either
    home = [{"kind": "minoxidil", "instructions": "Twice a day.", "instructions_i18n": {"tr": "Günde iki kez."}}]
    messages = [f.message for f in protocol_checklist(source_category="plant", route="topical", sessions=rows,
                                                      home_adjuncts=home) if not f.is_blocker]
    languages = [m for m in messages if "is written for some instructions" in m]
    assert languages == ["العربية (ar) is written for some instructions but not for session 2, Minoxidil: those "
                         "patients read these in English."]
    for row in rows[:2]:
        row["instructions_i18n"] = {"tr": TURKISH, "ar": ARABIC}
    home[0]["instructions_i18n"] = {"tr": "Günde iki kez.", "ar": "مرتين في اليوم."}
    messages = [f.message for f in protocol_checklist(source_category="plant", route="topical", sessions=rows,
                                                      home_adjuncts=home)]
    assert not any("is written for some instructions" in m for m in messages)


@pytest.mark.django_db
def test_the_starters_need_no_language_warning():
    from django.core.management import call_command

    from protocols.checklist import checklist_of
    from protocols.selectors import protocols_with_children

    call_command("load_starter_protocols", stdout=open("/dev/null", "w"))
    for protocol in protocols_with_children():
        assert not any("is written for some" in f.message for f in checklist_of(protocol)), protocol.code
