"""Staff pages show codes in words: one labels source for pages and template tags."""

import pytest
from django.template import Context, Template

from patients.labels import INVESTIGATIONAL_NOT_ACKNOWLEDGED, code_label
from patients.screening import rules
from protocols.models import HomeAdjunctKind, VisitAdjunct

CODES = [*rules.ANSWER_KEYS, rules.FINASTERIDE_FEMALE, INVESTIGATIONAL_NOT_ACKNOWLEDGED,
         *VisitAdjunct.values, *HomeAdjunctKind.values]


@pytest.mark.parametrize("code", CODES)
def test_every_code_a_page_shows_has_a_label_in_words(code):
    label = code_label(code)
    assert label and label != code and "_" not in label


def test_the_template_filters_use_the_same_labels_and_let_sentences_through():
    html = Template("{% load patient_tags %}{{ a|label }} / {{ b|labels }} / {{ c|label }}").render(Context({
        "a": "harvest_blood", "b": ["nsaid_last_48h", "strong_anticoagulant"], "c": "Session 2 moved.",
    }))
    assert html == "Blood draw (harvest) / NSAIDs in 48 h, Strong anticoagulant / Session 2 moved."
