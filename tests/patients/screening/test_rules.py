"""Every screening rule of domain.md, as a table of answers and protocols to hard stops and warnings."""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patients.screening import rules
from patients.screening.rules import (
    ANSWER_KEYS,
    answers_problems,
    screening_blocks_for,
    screening_evaluate,
    screening_warnings_for,
)


@dataclass(frozen=True)
class P:
    """A protocol stand-in: what booking knows of a protocol when it asks about screening."""

    uses_prp: bool = False
    uses_finasteride: bool = False
    uses_minoxidil: bool = False


@dataclass
class S:
    """A screening stand-in."""

    answers: dict
    is_overridden: bool = False
    patient_sex: str = "male"


PLAIN = P()
PRP = P(uses_prp=True)
FINASTERIDE = P(uses_finasteride=True)
MINOXIDIL = P(uses_minoxidil=True)
EVERYTHING = P(uses_prp=True, uses_finasteride=True, uses_minoxidil=True)


def yes(*keys: str) -> dict[str, bool]:
    return {key: key in keys for key in ANSWER_KEYS}


# (answer that is "yes", protocol, expected hard stops, expected warnings)
TABLE = [
    # Unconditional hard stops block every protocol, and the screening itself.
    ("pregnant_or_breastfeeding", None, ["pregnant_or_breastfeeding"], []),
    ("pregnant_or_breastfeeding", PLAIN, ["pregnant_or_breastfeeding"], []),
    ("pregnant_or_breastfeeding", EVERYTHING, ["pregnant_or_breastfeeding"], []),
    ("active_scalp_infection", None, ["active_scalp_infection"], []),
    ("active_scalp_infection", PLAIN, ["active_scalp_infection"], []),
    ("active_cancer", None, ["active_cancer"], []),
    ("active_cancer", PRP, ["active_cancer"], []),
    ("fever_or_recent_illness", None, ["fever_or_recent_illness"], []),
    ("fever_or_recent_illness", FINASTERIDE, ["fever_or_recent_illness"], []),
    # PRP-only hard stops: listed at screening time as potential blocks.
    ("platelet_disorder", None, ["platelet_disorder"], []),
    ("platelet_disorder", PLAIN, [], []),
    ("platelet_disorder", FINASTERIDE, [], []),
    ("platelet_disorder", PRP, ["platelet_disorder"], []),
    ("strong_anticoagulant", None, ["strong_anticoagulant"], []),
    ("strong_anticoagulant", PLAIN, [], []),
    ("strong_anticoagulant", PRP, ["strong_anticoagulant"], []),
    # Finasteride-only hard stop.
    ("may_become_pregnant", None, ["may_become_pregnant"], []),
    ("may_become_pregnant", PLAIN, [], []),
    ("may_become_pregnant", PRP, [], []),
    ("may_become_pregnant", FINASTERIDE, ["may_become_pregnant"], []),
    # Warnings, whatever the protocol.
    ("autoimmune_disease", None, [], ["autoimmune_disease"]),
    ("autoimmune_disease", PLAIN, [], ["autoimmune_disease"]),
    ("nsaid_last_48h", None, [], ["nsaid_last_48h"]),
    ("nsaid_last_48h", PRP, [], ["nsaid_last_48h"]),
    ("aspirin_or_clopidogrel", None, [], ["aspirin_or_clopidogrel"]),
    ("aspirin_or_clopidogrel", PLAIN, [], ["aspirin_or_clopidogrel"]),
    ("recent_steroids", None, [], ["recent_steroids"]),
    ("recent_steroids", PLAIN, [], ["recent_steroids"]),
    ("liver_disease", None, [], ["liver_disease"]),
    ("liver_disease", PLAIN, [], ["liver_disease"]),
    ("heavy_smoking_or_drinking", None, [], ["heavy_smoking_or_drinking"]),
    ("heavy_smoking_or_drinking", PLAIN, [], ["heavy_smoking_or_drinking"]),
    ("scarring_alopecia_or_radiation", None, [], ["scarring_alopecia_or_radiation"]),
    ("scarring_alopecia_or_radiation", PLAIN, [], ["scarring_alopecia_or_radiation"]),
    # Heart disease matters only when minoxidil is prescribed.
    ("heart_disease", None, [], ["heart_disease"]),
    ("heart_disease", PLAIN, [], []),
    ("heart_disease", PRP, [], []),
    ("heart_disease", MINOXIDIL, [], ["heart_disease"]),
]


@pytest.mark.parametrize(("answer", "protocol", "hard_stops", "warnings"), TABLE)
def test_each_answer_gives_the_hard_stops_and_warnings_of_the_domain(answer, protocol, hard_stops, warnings):
    result = screening_evaluate(yes(answer), protocol)
    assert result.hard_stops == hard_stops
    assert result.warnings == warnings


def test_the_table_covers_every_question():
    assert {row[0] for row in TABLE} == set(ANSWER_KEYS)


def test_all_no_is_clear_for_every_protocol():
    for protocol in (None, PLAIN, PRP, FINASTERIDE, EVERYTHING):
        result = screening_evaluate(yes(), protocol)
        assert result.clear and result.hard_stops == [] and result.warnings == []


def test_it_lists_several_codes_in_question_order():
    result = screening_evaluate(yes("heart_disease", "active_cancer", "nsaid_last_48h", "platelet_disorder"), PRP)
    assert result.hard_stops == ["active_cancer", "platelet_disorder"]
    assert result.warnings == ["nsaid_last_48h"]


def test_a_protocol_that_does_not_say_whether_it_uses_minoxidil_is_assumed_to():
    @dataclass
    class Bare:
        uses_prp: bool = False
        uses_finasteride: bool = False

    assert screening_evaluate(yes("heart_disease"), Bare()).warnings == ["heart_disease"]


@pytest.mark.parametrize(("sex", "protocol", "expected"), [
    ("female", FINASTERIDE, ["finasteride_female"]),
    ("male", FINASTERIDE, []),
    ("other", FINASTERIDE, []),
    ("female", PLAIN, []),
])
def test_finasteride_is_flagged_for_women(sex, protocol, expected):
    assert screening_evaluate(yes(), protocol, sex=sex).warnings == expected
    assert screening_warnings_for(S(yes(), patient_sex=sex), protocol) == expected


def test_blocks_for_a_protocol_keep_only_the_stops_that_apply():
    screening = S(yes("platelet_disorder", "may_become_pregnant", "active_cancer"))
    assert screening_blocks_for(screening, PLAIN) == ["active_cancer"]
    assert screening_blocks_for(screening, PRP) == ["active_cancer", "platelet_disorder"]
    assert screening_blocks_for(screening, FINASTERIDE) == ["may_become_pregnant", "active_cancer"]


def test_an_override_clears_the_blocks_but_not_the_warnings():
    screening = S(yes("pregnant_or_breastfeeding", "liver_disease"), is_overridden=True, patient_sex="female")
    assert screening_blocks_for(screening, EVERYTHING) == []
    assert screening_warnings_for(screening, EVERYTHING) == ["liver_disease", "finasteride_female"]


@pytest.mark.parametrize("answers", [
    None, [], "yes", {}, {k: True for k in ANSWER_KEYS[:-1]},
    {**yes(), "active_cancer": "false"}, {**yes(), "active_cancer": 0}, {**yes(), "heart_disease": None},
])
def test_incomplete_or_non_boolean_answers_are_refused(answers):
    assert answers_problems(answers)
    with pytest.raises(ValueError):
        screening_evaluate(answers)


def test_a_missing_answer_is_named():
    answers = yes()
    del answers["active_cancer"]
    assert answers_problems(answers) == {"active_cancer": "This question must be answered (true or false)."}


@given(st.fixed_dictionaries({key: st.booleans() for key in ANSWER_KEYS}),
       st.builds(P, st.booleans(), st.booleans(), st.booleans()))
def test_a_protocol_never_adds_a_hard_stop_the_screening_did_not_list(answers, protocol):
    at_screening = screening_evaluate(answers)
    for_protocol = screening_evaluate(answers, protocol)
    assert set(for_protocol.hard_stops) <= set(at_screening.hard_stops)
    assert set(for_protocol.warnings) <= set(at_screening.warnings)
    assert set(rules.UNCONDITIONAL_HARD_STOPS) & {k for k, v in answers.items() if v} <= set(for_protocol.hard_stops)
