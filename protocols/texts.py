"""Patient texts of a protocol in several languages: English in `instructions`, the others in
`instructions_i18n` ({"tr": ..., "ar": ..., "es": ..., "de": ...}).

One rule picks the text a patient reads (`instructions_for`): the patient's language when the
protocol has it, else English. Emails, printed sheets and the patient portal all call it, so a
patient never reads one language in an email and another on the portal. Pure: no ORM here.
"""

from collections.abc import Mapping
from typing import Any
from typing import Protocol as Shape

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from protocols.planning_types import Notice

ENGLISH = "en"
# The languages a protocol's patient texts may carry beside English (settings.LANGUAGES minus en).
OTHER_LANGUAGES: tuple[str, ...] = ("tr", "ar", "es", "de")
RTL_LANGUAGES = frozenset({"ar"})
LANGUAGE_NAMES = {"tr": "Türkçe", "ar": "العربية", "es": "Español", "de": "Deutsch"}
INSTRUCTIONS_MAX_LENGTH = 4000


class HasInstructions(Shape):
    instructions: str
    instructions_i18n: Mapping[str, str]


def base_language(language: str | None) -> str:
    """"tr-TR", "TR" or "tr" -> "tr"; None or "" -> "en"."""
    return (language or ENGLISH).strip().lower().replace("_", "-").split("-", 1)[0] or ENGLISH


def text_for(english: str, translations: Mapping[str, str] | None, language: str | None) -> str:
    """The text in `language` when there is one (not blank), else the English text."""
    translated = (translations or {}).get(base_language(language), "")
    return translated if isinstance(translated, str) and translated.strip() else english


def instructions_for(item: HasInstructions | Mapping[str, Any], language: str | None) -> str:
    """A protocol session's or home adjunct's instructions for a patient who reads `language`:
    its translation when it has one, else its English `instructions`. `item` is the model row
    (ProtocolSession, HomeAdjunct) or a dict with the same two keys (as the API gives them)."""
    if isinstance(item, Mapping):
        return text_for(item.get("instructions") or "", item.get("instructions_i18n"), language)
    return text_for(item.instructions or "", getattr(item, "instructions_i18n", None), language)


def unknown_language(code: str) -> str:
    return _("Unknown language “%(code)s”: use %(codes)s (English goes in instructions).") % {
        "code": code, "codes": ", ".join(OTHER_LANGUAGES)}


def instructions_i18n_errors(value: Any, *, max_length: int = INSTRUCTIONS_MAX_LENGTH) -> list[str]:
    """What is wrong with an `instructions_i18n` value as sent ([] when it is fine)."""
    if value is None:
        return []
    if not isinstance(value, Mapping):
        return [_('Give the other languages as an object, e.g. {"tr": "…", "de": "…"}.')]
    errors = []
    unknown = [str(key) for key in value if key not in OTHER_LANGUAGES]
    if unknown:
        errors.append(unknown_language(unknown[0]))
    for language in OTHER_LANGUAGES:
        text = value.get(language)
        if text is None:
            continue
        if not isinstance(text, str):
            errors.append(_("%(language)s: the instructions must be text.") % {"language": language})
        elif len(text) > max_length:
            errors.append(_("%(language)s: at most %(max)s characters (it has %(length)s).") % {
                "language": language, "max": max_length, "length": len(text)})
    return errors


def clean_instructions_i18n(value: Mapping[str, Any] | None) -> dict[str, str]:
    """A valid value normalized: texts stripped, blank languages left out, in a fixed order."""
    cleaned = {}
    for language in OTHER_LANGUAGES:
        text = (value or {}).get(language)
        if isinstance(text, str) and text.strip():
            cleaned[language] = text.strip()
    return cleaned


def notice_text(warning: str) -> str:
    """A planner's warning (a protocols.planning Notice) in the active language; any other warning
    (already a sentence of the reader's language) as it is."""
    if not isinstance(warning, Notice):
        return warning
    values = dict(warning.values)
    if "days" in values:
        count = values["days"]
        values["days"] = ngettext("%(count)d day", "%(count)d days", count) % {"count": count}
    return _(warning.message) % values
