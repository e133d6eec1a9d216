"""The staff pages' translations are complete, and the templates swept so far have no English left
outside the translation tags (issue 16, point 1).

English is the source language: its strings are the msgids, so it has no catalogue of its own;
Turkish, Arabic, Spanish and German each have one under locale/, and every entry of each is
translated, none fuzzy, with the same placeholders as the English."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from tests.i18n.extract import marked_messages, missing
from tests.i18n.literals import PROPER_NOUNS, literals_in, literals_in_file
from tests.i18n.po import Entry, placeholders, read_po

ROOT = Path(settings.BASE_DIR)
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

# Every template: staff pages, the patient's pages and emails, and the consent PDF.
COVERED = ["templates"]


def catalogue(language: str) -> list[Entry]:
    return read_po(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")


def covered_templates() -> list[Path]:
    paths: list[Path] = []
    for name in COVERED:
        path = ROOT / name
        paths.extend(sorted(p for p in path.rglob("*") if p.suffix in (".html", ".txt")) if path.is_dir() else [path])
    return paths


def test_every_staff_language_but_english_has_a_catalogue():
    assert set(TRANSLATED) == {"tr", "ar", "es", "de"}
    for language in TRANSLATED:
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").is_file(), language


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_has_no_untranslated_fuzzy_or_obsolete_entry(language):
    entries = [entry for entry in catalogue(language) if not entry.obsolete]
    assert len(entries) > 300, "the catalogue should hold the staff pages' strings"
    untranslated = [entry.label for entry in entries if not entry.translated]
    fuzzy = [entry.label for entry in entries if "fuzzy" in entry.flags]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_has_a_form_for_each_plural_of_the_language(language):
    expected = {"tr": 2, "ar": 6, "es": 3, "de": 2}[language]
    for entry in catalogue(language):
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == list(range(expected)), entry.label


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_the_english(language):
    wrong = []
    for entry in catalogue(language):
        if entry.msgid_plural is None:
            if placeholders(entry.msgstr.get(0, "")) != placeholders(entry.msgid):
                wrong.append(entry.label)
            continue
        # A plural form for one number (Arabic's "two", the singular) may spell the number out;
        # together the forms use exactly the English plural's placeholders, and no other.
        allowed = set(placeholders(entry.msgid_plural)) | set(placeholders(entry.msgid))
        used = {p for text in entry.msgstr.values() for p in placeholders(text)}
        if used != set(placeholders(entry.msgid_plural)) or not used <= allowed:
            wrong.append(entry.label)
    assert not wrong, f"{language}: placeholders differ from the English in {wrong[:5]}"


@pytest.fixture(scope="module")
def marked():
    return marked_messages()


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_the_source_marks_is_translated(marked, language):
    # makemessages (in a scratch copy) finds what the templates and Python mark; a catalogue that
    # lacks one would show it in English on a page of that language.
    assert len(marked) > 300
    gaps = missing(marked, language)
    assert not gaps, f"{language}: {len(gaps)} marked but untranslated, e.g. " + "; ".join(
        f"{msgid[:50]!r} ({where[0] if where else '?'})" for (_context, msgid), where in list(gaps.items())[:5])


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_a_catalogue_translates_is_still_marked_in_the_source(marked, language):
    # A message whose source changed (a placeholder renamed, a sentence rewritten) leaves its old
    # entry behind; nothing asks for it any more, and a translator would keep it up for nothing.
    stale = [entry.label for entry in catalogue(language) if entry.msgid and (entry.msgctxt, entry.msgid) not in marked]
    assert not stale, f"{language}: {len(stale)} entries no source marks, e.g. {stale[:5]}"


def test_placeholder_reader_sees_every_kind():
    assert placeholders("%(name)s has %(count)d of {object} at 50%% (%s)") == [
        "%(count)d", "%(name)s", "%s", "{object}"]


@pytest.mark.parametrize("path", covered_templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_covered_template_has_no_literal_outside_translation_tags(path):
    assert literals_in_file(path) == []


@pytest.mark.parametrize(
    "source, found",
    [
        ("<p>Opening hours</p>", "Opening hours"),
        ('<button aria-label="Close menu"></button>', "Close menu"),
        ('<input placeholder="Search patients">', "Search patients"),
        ('<img alt="Clinic logo" src="x.png">', "Clinic logo"),
        ('<form data-confirm="Remove it?"></form>', "Remove it?"),
        ("<td>{% if x %}Closed{% endif %}</td>", "Closed"),
        ('<a title="{% translate "Edit" %} row">x</a>', "row"),
    ],
)
def test_finder_catches_a_planted_literal(source, found):
    hits = literals_in("{% load i18n %}" + source)
    assert hits and found in hits[0][2]


@pytest.mark.parametrize(
    "source",
    [
        '{% load i18n %}<p>{% translate "Opening hours" %}</p>',
        "{% load i18n %}<p>{% blocktranslate trimmed with n=x %}Closed on\n{{ n }}{% endblocktranslate %}</p>",
        "<p>{{ location.name }} · {{ day|date:'H:i' }} – 09:00</p>",
        "{# Weekly hours #}<p>{% comment %}Leftover words{% endcomment %}</p>",
        "<script>const words = 'not for people';</script><style>p { color: red }</style>",
        "<p>Anagen API · PRP · FHIR · CSV · iCalendar</p>",
        '<tr{% if not active %} class="text-body-secondary"{% endif %}><td>{{ x }}</td></tr>',
    ],
)
def test_finder_lets_translated_and_machine_text_through(source):
    assert literals_in(source) == []


def test_a_plain_text_template_is_read_line_by_line():
    hits = literals_in('{% load i18n %}{% translate "Hello" %}\nDear patient\n{{ name }}', plain_text=True)
    assert [line for line, _where, _text in hits] == [2]


def test_proper_nouns_stay_few():
    # The allow-list is for names that never translate, not a way round the rule.
    assert len(PROPER_NOUNS) <= 15


def test_catalogue_reader_sees_untranslated_fuzzy_and_plural_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: tr\\n"\n\n'
        '#: a.html:1\nmsgid "Rooms"\nmsgstr ""\n\n'
        '#: a.html:2\n#, fuzzy, python-format\nmsgid "Edit %(name)s"\nmsgstr "Düzenle"\n\n'
        'msgctxt "day"\nmsgid "closed"\nmsgstr ""\n"kapalı"\n\n'
        'msgid "%(counter)s room"\nmsgid_plural "%(counter)s rooms"\nmsgstr[0] "%(counter)s oda"\nmsgstr[1] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr "Eski"\n',
        encoding="utf-8",
    )
    rooms, edit, closed, plural, old = read_po(po)
    assert (rooms.msgid, rooms.translated, rooms.locations) == ("Rooms", False, ["a.html:1"])
    assert "fuzzy" in edit.flags and placeholders(edit.msgstr[0]) != placeholders(edit.msgid)
    assert (closed.msgctxt, closed.msgstr[0], closed.translated) == ("day", "kapalı", True)
    assert plural.msgid_plural == "%(counter)s rooms" and not plural.translated
    assert old.obsolete


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_message_in_both_catalogues_reads_the_same_in_each(language):
    # Django merges the catalogues and the first wins: a portal word translated otherwise for the
    # staff would silently change on the patient's page (a "Cancel" of a visit read "dismiss").
    portal = ROOT / "patients" / "portal" / "locale" / language / "LC_MESSAGES" / "django.po"
    staff = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalogue(language)}
    differ = [entry.label for entry in read_po(portal)
              if (entry.msgctxt, entry.msgid) in staff and staff[(entry.msgctxt, entry.msgid)] != entry.msgstr]
    assert not differ, f"{language}: translated differently for the staff and the patient: {differ}"
