"""No English a person reads leaves Python outside gettext (issue 16, point 1): error messages
(the API's `detail` too), django messages, form and model labels and choice labels."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tests.i18n.python_literals import error_classes, literals, literals_in_code

ROOT = Path(settings.BASE_DIR)


@pytest.mark.parametrize("package", ["clinic", "patients", "protocols"])
def test_no_user_visible_english_outside_gettext(package):
    report = literals_in_code(ROOT, (package,))
    lines = [f"{path}:{line}: {text}" for path, hits in report.items() for line, text in hits]
    assert not lines, f"{len(lines)} untranslated:\n" + "\n".join(lines[:40])


def found(source: str) -> list[str]:
    tree = ast.parse(source)
    return [text for _line, text in literals(tree, error_classes([tree]))]


@pytest.mark.parametrize(
    "source, text",
    [
        ('raise ValidationError("Choose a time.")', "Choose a time."),
        ('raise ValidationError({"reason": ["Tell us why."]})', "Tell us why."),
        ('class SlotTaken(Conflict): pass\nraise SlotTaken(f"Room {room} is taken")', "Room {room} is taken"),
        ('messages.success(request, "Saved.")', "Saved."),
        ('name = forms.CharField(label="Full name", help_text="As on the passport")', "Full name"),
        ('class Status(models.TextChoices):\n    BOOKED = "booked", "Booked"', "Booked"),
        ('forms.ChoiceField(choices=[("a", "Morning")])', "Morning"),
        ('forms.TextInput(attrs={"placeholder": "Search patients"})', "Search patients"),
        ('raise Unprocessable("Outside the window: %s" % code, code="window_violation")', "Outside the window: %s"),
    ],
)
def test_finder_catches_a_planted_literal(source, text):
    assert any(text in hit for hit in found(source))


@pytest.mark.parametrize(
    "source",
    [
        'raise ValidationError(_("Choose a time."), code="required")',
        'messages.success(request, gettext("Saved."))',
        'name = forms.CharField(label=gettext_lazy("Full name"))',
        'class Status(models.TextChoices):\n    BOOKED = "booked", _("Booked")',
        'raise Conflict(message, code="slot_taken")',
        'raise Unprocessable("window_violation")',
        'label = f"{SOURCE_LABELS[c]}: {ROUTE_LABELS[r]}"\nforms.ChoiceField(label=f"{a}: {b}")',
    ],
)
def test_finder_lets_translated_text_and_codes_through(source):
    assert found(source) == []


def test_api_docs_stay_english_but_api_errors_do_not():
    tree = ast.parse('x = serializers.CharField(help_text="ISO date")\nraise ValidationError("Bad date.")')
    assert [text for _line, text in literals(tree, error_classes([tree]), api=True)] == ["Bad date."]
