"""Checks on what staff type for the treatment room's records."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_lot_number(value: str) -> None:
    """A lot number is one line of printable text: it is printed on labels and recall letters,
    and a CR/LF or other control character in it would forge lines in them."""
    if not value or not value.strip():
        raise ValidationError(_("Give the lot number printed on the package."), code="blank")
    # C*: control and format characters; Zl, Zp: the Unicode line and paragraph separators.
    if any(unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp") for ch in value):
        raise ValidationError(
            _("A lot number is one line of printable characters: no line breaks, tabs or control characters."),
            code="control_characters",
        )
