"""Ids typed into URLs, query strings and form fields, read one way."""

import re

MAX_ID = 2**63 - 1  # PostgreSQL's bigint
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def id_from(value: object) -> int | None:
    """The id `value` spells (ASCII digits within bigint's range), or None: '¹', '٣', '12a', ''
    and a 30-digit number are not ids, so they never reach the database (or int())."""
    text = str(value) if value is not None else ""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
