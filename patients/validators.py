"""Validation of what receptionists type about a patient: names, dates of birth, free text."""

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

NAME_MAX_LENGTH = 100
NOTES_MAX_LENGTH = 5000
OLDEST_PLAUSIBLE_AGE_YEARS = 120
# Apostrophes (straight and typographic), hyphens, full stops: O'Brien, Al-Rashid, Jr.
_NAME_PUNCTUATION = set("'’‘-‐.")


def normalize_name(value: str) -> str:
    """NFC, inner runs of spaces collapsed, ends stripped: 'Ayşe  ' and 'Ayşe' are one name."""
    return " ".join(part for part in unicodedata.normalize("NFC", value).split(" ") if part)


def validate_person_name(value: str) -> None:
    """Letters (any script), combining marks, single spaces and ' - . only.

    This refuses HTML, line breaks and invisible direction overrides (U+202E can make a name
    read backwards in a list), which have no place in a name and end up in emails.
    """
    if len(value) > NAME_MAX_LENGTH:
        raise ValidationError(
            _("A name can have at most %(limit)s characters (this one has %(length)s).")
            % {"limit": NAME_MAX_LENGTH, "length": len(value)}, code="max_length"
        )
    bad = sorted({c for c in value if not _allowed_in_name(c)})
    if bad:
        shown = ", ".join(_describe(c) for c in bad[:5])
        raise ValidationError(
            _("A name may hold letters, spaces, apostrophes, hyphens and full stops only (not %(characters)s).")
            % {"characters": shown},
            code="invalid_name",
        )
    if not any(unicodedata.category(c).startswith("L") for c in value):
        raise ValidationError(_("A name needs at least one letter."), code="invalid_name")


def _allowed_in_name(character: str) -> bool:
    category = unicodedata.category(character)
    return category[0] in "LM" or character == " " or character in _NAME_PUNCTUATION


def _describe(character: str) -> str:
    if character.isprintable() and not unicodedata.category(character).startswith("Z"):
        return f"“{character}”"
    return f"U+{ord(character):04X}"


def validate_date_of_birth(value: date) -> None:
    today = timezone.localdate()
    if value >= today:
        raise ValidationError(_("The date of birth must be in the past."), code="future_date_of_birth")
    try:
        oldest = today.replace(year=today.year - OLDEST_PLAUSIBLE_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - OLDEST_PLAUSIBLE_AGE_YEARS, day=28)
    if value < oldest:
        raise ValidationError(
            _("A date of birth more than %(years)s years ago is not plausible.")
            % {"years": OLDEST_PLAUSIBLE_AGE_YEARS},
            code="implausible_date_of_birth",
        )


_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def validate_free_text(value: str) -> None:
    """Notes and reasons: any script and line breaks, but no control or direction-override characters."""
    bad = {c for c in value if c in _BIDI_CONTROLS or (unicodedata.category(c) == "Cc" and c not in "\n\r\t")}
    if bad:
        shown = ", ".join(f"U+{ord(c):04X}" for c in sorted(bad)[:5])
        raise ValidationError(
            _("The text holds invisible control characters (%(characters)s).") % {"characters": shown},
            code="control_characters",
        )
