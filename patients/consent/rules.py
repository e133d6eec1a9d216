"""The rules of a consent document's content, and the exact text a patient is shown.

Plain functions of plain values (no database): the services, the serializers and the forms ask
these, so a rule lives in one place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from .models import BODY_MAX_LENGTH, LANGUAGES, TITLE_MAX_LENGTH

LANGUAGE_NAMES = {"en": "English", "tr": "Turkish", "ar": "Arabic", "es": "Spanish", "de": "German"}
# The same names in the page's language, for the staff pages (the PDF's signature box keeps the English).
LANGUAGE_NAMES_SHOWN = {"en": gettext_lazy("English"), "tr": gettext_lazy("Turkish"), "ar": gettext_lazy("Arabic"),
                        "es": gettext_lazy("Spanish"), "de": gettext_lazy("German")}
RIGHT_TO_LEFT = {"ar"}


def clean_texts(texts: Any) -> Any:
    """Titles and bodies with their ends stripped and Windows line ends made plain (anything
    that is not the expected shape is returned as it is, for texts_errors to name)."""
    if not isinstance(texts, Mapping):
        return texts
    cleaned: dict[str, Any] = {}
    for language, text in texts.items():
        if isinstance(text, Mapping):
            text = {key: (value.replace("\r\n", "\n").strip() if isinstance(value, str) else value)
                    for key, value in text.items()}
        cleaned[language] = text
    return cleaned


def texts_errors(texts: Any) -> list[str]:
    """What is wrong with a document's `texts` ({"en": {"title", "body"}, "tr": {...}}), as sentences."""
    if not isinstance(texts, Mapping):
        return [gettext('Give the texts as an object by language: {"en": {"title": ..., "body": ...}}.')]
    errors: list[str] = []
    unknown = [str(language) for language in texts if language not in LANGUAGES]
    if unknown:
        errors.append(gettext("Unknown language %(language)s: use %(languages)s.") % {
            "language": ", ".join(unknown), "languages": ", ".join(LANGUAGES)})
    if "en" not in texts:
        errors.append(gettext("The English text (en) is required."))
    for language in LANGUAGES:
        if language not in texts:
            continue
        text = texts[language]
        if not isinstance(text, Mapping) or set(text) - {"title", "body"}:
            errors.append(gettext("%(language)s: give exactly a title and a body.") % {"language": language})
            continue
        for field, limit in (("title", TITLE_MAX_LENGTH), ("body", BODY_MAX_LENGTH)):
            value = text.get(field)
            if not isinstance(value, str) or not value.strip():
                message = (gettext("%(language)s: the title is required.") if field == "title"
                           else gettext("%(language)s: the body is required."))
                errors.append(message % {"language": language})
            elif len(value) > limit:
                message = (gettext("%(language)s: the title can have at most %(limit)s characters (%(given)s given).")
                           if field == "title" else
                           gettext("%(language)s: the body can have at most %(limit)s characters (%(given)s given)."))
                errors.append(message % {"language": language, "limit": limit, "given": len(value)})
            elif "\x00" in value:
                message = (gettext("%(language)s: the title holds a NUL character.") if field == "title"
                           else gettext("%(language)s: the body holds a NUL character."))
                errors.append(message % {"language": language})
    return errors


def language_shown(texts: Mapping[str, Any], wanted: str | None) -> str:
    """The language a patient who reads `wanted` is shown: theirs when the document has it, else English."""
    return wanted if wanted in texts else "en"


def text_shown(texts: Mapping[str, Any], language: str) -> str:
    """The exact text shown for signing: the title, a blank line, the Markdown body. Its sha256 is
    what a signature keeps, so a changed comma would show."""
    text = texts[language]
    return f"{text['title']}\n\n{text['body']}"


def text_sha256(texts: Mapping[str, Any], language: str) -> str:
    return hashlib.sha256(text_shown(texts, language).encode("utf-8")).hexdigest()


# The signing form's words, in the language of the text the patient reads (the staff pages around
# it stay in the staff member's language).
SIGNING_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "name": "Your full name",
        "name_help": "Type your first and last name.",
        "agree": "I have read this text, my questions have been answered, and I agree.",
        "sign": "Sign",
        "name_missing": "Please type your full name.",
        "agree_missing": "Please tick the box to agree. If you do not agree, tell us: you do not have to sign.",
        "thanks": "Thank you. Your signature is recorded.",
    },
    "tr": {
        "name": "Adınız ve soyadınız",
        "name_help": "Adınızı ve soyadınızı yazın.",
        "agree": "Bu metni okudum, sorularım yanıtlandı ve kabul ediyorum.",
        "sign": "İmzala",
        "name_missing": "Lütfen adınızı ve soyadınızı yazın.",
        "agree_missing": "Kabul etmek için lütfen kutuyu işaretleyin. Kabul etmiyorsanız bize söyleyin: imzalamak "
                         "zorunda değilsiniz.",
        "thanks": "Teşekkür ederiz. İmzanız kaydedildi.",
    },
    "ar": {
        "name": "اسمك الكامل",
        "name_help": "اكتب اسمك الأول واسم العائلة.",
        "agree": "قرأت هذا النص، وتمت الإجابة عن أسئلتي، وأنا موافق.",
        "sign": "وقّع",
        "name_missing": "يُرجى كتابة اسمك الكامل.",
        "agree_missing": "يُرجى وضع علامة في المربع للموافقة. إذا لم تكن موافقًا فأخبرنا: لست مضطرًا إلى التوقيع.",
        "thanks": "شكرًا لك. تم تسجيل توقيعك.",
    },
    "es": {
        "name": "Su nombre completo",
        "name_help": "Escriba su nombre y apellidos.",
        "agree": "He leído este texto, se han respondido mis preguntas y estoy de acuerdo.",
        "sign": "Firmar",
        "name_missing": "Escriba su nombre completo.",
        "agree_missing": "Marque la casilla para dar su conformidad. Si no está de acuerdo, díganoslo: no tiene "
                         "que firmar.",
        "thanks": "Gracias. Su firma ha quedado registrada.",
    },
    "de": {
        "name": "Ihr vollständiger Name",
        "name_help": "Schreiben Sie Ihren Vor- und Nachnamen.",
        "agree": "Ich habe diesen Text gelesen, meine Fragen wurden beantwortet, und ich bin einverstanden.",
        "sign": "Unterschreiben",
        "name_missing": "Bitte schreiben Sie Ihren vollständigen Namen.",
        "agree_missing": "Bitte kreuzen Sie das Kästchen an, um zuzustimmen. Wenn Sie nicht einverstanden sind, "
                         "sagen Sie es uns: Sie müssen nicht unterschreiben.",
        "thanks": "Vielen Dank. Ihre Unterschrift ist gespeichert.",
    },
}
