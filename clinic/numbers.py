"""Numbers as the page's language writes them, the one way staff pages show a figure or a dose:
152.5 as "152.5" in English and "152,5" in German, Turkish and Spanish; 25.0 as "25"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats


def written_number(value: Decimal | float | int | str | None, places: int | None = 2) -> str:
    """`value` rounded to `places` decimals (none when None), trailing zeros dropped, with the
    decimal separator of the active language ("" for no value)."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    # normalize() drops trailing zeros; ":f" keeps 100 from becoming 1E+2.
    return formats.number_format(Decimal(f"{number.normalize():f}"))
