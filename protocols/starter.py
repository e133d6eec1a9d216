"""The starter library: the ten templates of the domain brief, as plain data.

`python manage.py load_starter_protocols` installs them. Months are counted as 30 days (a year
as 365); assessments are sessions of kind "assessment", so a course books its reviews too. Where
the brief gives a range of sessions, a default count is chosen and each template's notes say so.
Every text for patients is written in plain words, in five languages (protocols/starter_texts.py).
"""

from collections.abc import Callable
from typing import Any

from .starter_texts import (
    FINASTERIDE,
    HARVEST,
    INJECTION,
    MINOXIDIL,
    MINOXIDIL_MEN,
    MINOXIDIL_RESTART,
    PHOTOS_TODAY,
    POSTOP,
    POSTOP_FIRST,
    PRP,
    PULL_TEST_REVIEW,
    REVIEW,
    SALT_REVIEW,
    TOPICAL,
    TOPICAL_PLAIN,
    Text,
)

# Starter content of other apps, installed by the same command after the protocols (the patients
# app registers its consent documents from its AppConfig.ready: protocols never imports patients).
# Each installer returns (what, codes installed, codes kept as they were).
StarterInstaller = Callable[[], tuple[str, list[str], list[str]]]
_starter_extras: dict[str, StarterInstaller] = {}


def starter_extra_register(name: str, installer: StarterInstaller) -> None:
    _starter_extras[name] = installer


def starter_extras() -> list[StarterInstaller]:
    return list(_starter_extras.values())

DISCLAIMER = (
    "Investigational: exosome products are not FDA-approved, and published protocols come from small, mostly "
    "open-label studies. This is a clinic-editable template, not a proven treatment: adjust it to each patient "
    "and record outcomes."
)


def treatment(gap: tuple[int, int, int], minutes: int, instructions: Text, adjuncts: tuple[str, ...] = ()) -> dict:
    low, target, high = gap
    return {"gap_min_days": low, "gap_target_days": target, "gap_max_days": high, "duration_minutes": minutes,
            "kind": "treatment", "visit_adjuncts": list(adjuncts),
            "instructions": instructions.en, "instructions_i18n": instructions.i18n}


def review(gap: tuple[int, int, int], instructions: Text = REVIEW, minutes: int = 20) -> dict:
    low, target, high = gap
    return {"gap_min_days": low, "gap_target_days": target, "gap_max_days": high, "duration_minutes": minutes,
            "kind": "assessment", "visit_adjuncts": [],
            "instructions": instructions.en, "instructions_i18n": instructions.i18n}


def at_home(kind: str, instructions: Text) -> dict:
    return {"kind": kind, "instructions": instructions.en, "instructions_i18n": instructions.i18n}


START = (0, 0, 0)

STARTER_PROTOCOLS: list[dict[str, Any]] = [
    {
        "code": "EXO-AGA-3x6W",
        "name": "Own-blood exosomes for pattern hair loss: 3 sessions 6 weeks apart",
        "indication": "aga", "source_category": "autologous", "route": "injection", "anchor": "course_start",
        "source_detail": "Patient's own blood (or fat), harvested and processed in the same visit",
        "sessions": [
            treatment(START, 60, HARVEST, ("harvest_blood",)),
            treatment((42, 42, 56), 60, HARVEST, ("harvest_blood",)),
            treatment((42, 42, 56), 60, HARVEST, ("harvest_blood",)),
            review((3, 6, 21)),
            review((76, 90, 104)),
        ],
        "home_adjuncts": [at_home("minoxidil", MINOXIDIL_MEN),
                          at_home("finasteride", FINASTERIDE)],
        "notes": "Three sessions six to eight weeks apart (seed 002), harvest and processing in the same visit "
                 "(45 to 60 minutes). The default harvest is a blood draw; use harvest_fat for a mini-liposuction. "
                 "Assessments 3 and 6 months after the start (days 90 and 180 at target gaps). "
                 "Finasteride makes this protocol men-only.",
    },
    {
        "code": "EXO-AGA-MSC-M",
        "name": "Stem-cell exosomes on the scalp: 6 sessions over 24 weeks",
        "indication": "aga", "source_category": "allogeneic_human", "route": "topical", "anchor": "course_start",
        "source_detail": "Allogeneic mesenchymal stem cell (MSC) exosomes",
        "sessions": [
            treatment(START, 30, TOPICAL_PLAIN),
            treatment((21, 28, 35), 30, TOPICAL_PLAIN),
            treatment((21, 28, 35), 30, TOPICAL_PLAIN),
            treatment((21, 28, 35), 40, TOPICAL_PLAIN + PHOTOS_TODAY),
            treatment((21, 28, 35), 30, TOPICAL_PLAIN),
            treatment((21, 28, 35), 30, TOPICAL_PLAIN),
            review((21, 28, 35)),
        ],
        "home_adjuncts": [],
        "notes": "Published as injections where allowed, else topical [1]. The default route policy allows "
                 "allogeneic exosomes on the skin only, so this template is topical; a clinic whose jurisdiction "
                 "allows injection can revise it. Six sessions every 4 weeks (days 0 to 140); the week-12 photos "
                 "are taken at session 4 (day 84) and the week-24 assessment is the last session (day 168).",
    },
    {
        "code": "EXO-AGA-MSC-B",
        "name": "Umbilical-cord exosome injections: 4 sessions 2 weeks apart",
        "indication": "aga", "source_category": "allogeneic_human", "route": "injection", "anchor": "course_start",
        "source_detail": "Umbilical-cord mesenchymal stem cell exosomes",
        "sessions": [
            treatment(START, 15, INJECTION),
            treatment((12, 14, 17), 15, INJECTION),
            treatment((12, 14, 17), 15, INJECTION),
            treatment((12, 14, 17), 15, INJECTION),
            review((12, 14, 21)),
            review((21, 28, 35)),
            review((77, 84, 91)),
        ],
        "home_adjuncts": [],
        "notes": "Four injections two weeks apart, assessments at weeks 8, 12 and 24 (days 56, 84 and 168) as in "
                 "the trial [3]. The default route policy forbids injecting allogeneic exosomes: the protocol "
                 "page shows at which locations it is allowed.",
    },
    {
        "code": "EXO-AGA-MN",
        "name": "Wharton's-jelly exosomes after microneedling: 5 sessions (days 1, 15, 45, 75, 105)",
        "indication": "aga", "source_category": "allogeneic_human", "route": "topical", "anchor": "course_start",
        "source_detail": "Wharton's-jelly mesenchymal stem cell exosomes",
        "sessions": [
            treatment(START, 45, TOPICAL, ("microneedling",)),
            treatment((14, 14, 21), 45, TOPICAL, ("microneedling",)),
            treatment((21, 30, 35), 50, TOPICAL + PHOTOS_TODAY, ("microneedling",)),
            treatment((21, 30, 35), 45, TOPICAL, ("microneedling",)),
            treatment((21, 30, 35), 50, TOPICAL + PHOTOS_TODAY, ("microneedling",)),
            review((69, 76, 90)),
            review((171, 185, 199)),
        ],
        "home_adjuncts": [],
        "notes": "Days 1, 15, 45, 75 and 105 [6]: 14 days, then 30 (booking windows within 14 to 35 days). "
                 "The month-1 and month-3 reviews [7] are taken at the start of sessions 3 and 5 so the patient "
                 "comes once; the 6- and 12-month assessments are their own visits (days 180 and 365).",
    },
    {
        "code": "EXO-ROSE-POSTOP",
        "name": "Rose exosomes after FUE/DHI transplant: 4 monthly sessions",
        "indication": "post_transplant", "source_category": "plant", "route": "topical", "anchor": "surgery_date",
        "source_detail": "Rose (Rosa damascena) stem-cell exosomes",
        "sessions": [
            treatment((0, 0, 1), 30, POSTOP_FIRST),
            treatment((28, 28, 42), 30, POSTOP),
            treatment((28, 28, 42), 30, POSTOP),
            treatment((28, 28, 42), 30, POSTOP),
            review((3, 6, 21)),
            review((76, 90, 104)),
            review((76, 90, 104)),
            review((81, 95, 109)),
        ],
        "home_adjuncts": [at_home("minoxidil", MINOXIDIL_RESTART)],
        "notes": "Anchored to the surgery date: the first session is on the surgery day or the day after "
                 "(seed 000). The source gives 3 to 6 sessions about 4 weeks apart; 4 are chosen by default. "
                 "Reviews at 3, 6, 9 and 12 months follow the graft timeline: shedding in weeks 1 to 4, regrowth "
                 "from months 3 to 4, final result at 12 to 15 months [35].",
    },
    {
        "code": "EXO-ROSE-MAINT",
        "name": "Rose exosome maintenance: every 3 months for 2 years",
        "indication": "maintenance", "source_category": "plant", "route": "topical", "anchor": "course_start",
        "source_detail": "Rose (Rosa damascena) stem-cell exosomes",
        "sessions": [
            treatment(START, 30, TOPICAL_PLAIN),
            treatment((90, 90, 180), 30, TOPICAL_PLAIN),
            treatment((90, 90, 180), 40, TOPICAL_PLAIN + PHOTOS_TODAY),
            treatment((90, 90, 180), 30, TOPICAL_PLAIN),
            treatment((90, 90, 180), 40, TOPICAL_PLAIN + PHOTOS_TODAY),
            treatment((90, 90, 180), 30, TOPICAL_PLAIN),
            treatment((90, 90, 180), 40, TOPICAL_PLAIN + PHOTOS_TODAY),
            treatment((90, 90, 180), 30, TOPICAL_PLAIN),
            review((60, 90, 120)),
        ],
        "home_adjuncts": [at_home("minoxidil", MINOXIDIL)],
        "notes": "A repeating maintenance course: by default two years, 8 sessions every 3 months (window 90 to "
                 "180 days), with the 6-monthly review at sessions 3, 5 and 7 and a final assessment at 24 months. "
                 "Book a new course to continue.",
    },
    {
        "code": "EXO-PRP-AGA",
        "name": "Own-blood exosomes with PRP and LED: 3 sessions 2 to 4 weeks apart",
        "indication": "aga", "source_category": "autologous", "route": "injection", "anchor": "course_start",
        "source_detail": "Patient's own blood: exosomes and platelet-rich plasma prepared in the same visit",
        "sessions": [
            treatment(START, 60, PRP, ("harvest_blood", "prp", "led")),
            treatment((14, 21, 28), 60, PRP, ("harvest_blood", "prp", "led")),
            treatment((14, 21, 28), 60, PRP, ("harvest_blood", "prp", "led")),
            review((34, 48, 62)),
            review((76, 90, 104)),
        ],
        "home_adjuncts": [at_home("minoxidil", MINOXIDIL)],
        "notes": "Seed 004 gives 3 or 5 sessions every 2 or 4 weeks: the default is 3 sessions 3 weeks apart "
                 "(window 2 to 4 weeks); add two sessions for the 5-session course. Assessments 3 and 6 months "
                 "after the start. A randomized placebo-controlled trial found no benefit from PRP alone "
                 "(Gressenberger 2020): record outcomes.",
    },
    {
        "code": "PRP-AGA",
        "name": "PRP for pattern hair loss: 3 monthly sessions and a booster",
        "indication": "aga", "source_category": "autologous", "route": "injection", "anchor": "course_start",
        "source_detail": "Autologous platelet-rich plasma (PRP)",
        "sessions": [
            treatment(START, 45, PRP, ("harvest_blood", "prp")),
            treatment((28, 30, 31), 45, PRP, ("harvest_blood", "prp")),
            treatment((28, 30, 31), 45, PRP, ("harvest_blood", "prp")),
            review((28, 30, 35)),
            treatment((55, 60, 67), 45, PRP, ("harvest_blood", "prp")),
            review((28, 30, 42)),
        ],
        "home_adjuncts": [at_home("minoxidil", MINOXIDIL)],
        "notes": "Three monthly sessions, then a booster 3 months after the third [14]: 4 treatments. The "
                 "3-month review (day 90) comes before the booster, which is booked 60 days after it, so 90 days "
                 "after the third treatment at target gaps; the 6-month review follows (day 180). PRP needs a "
                 "blood draw and centrifuge time at each treatment. A randomized placebo-controlled trial found "
                 "no benefit from PRP alone (Gressenberger 2020): record outcomes.",
    },
    {
        "code": "PRP-TE",
        "name": "PRP for chronic telogen effluvium: 4 monthly sessions",
        "indication": "telogen_effluvium", "source_category": "autologous", "route": "injection",
        "anchor": "course_start", "source_detail": "Autologous platelet-rich plasma (PRP)",
        "sessions": [
            treatment(START, 45, PRP, ("harvest_blood", "prp")),
            treatment((28, 30, 31), 45, PRP, ("harvest_blood", "prp")),
            treatment((28, 30, 31), 45, PRP, ("harvest_blood", "prp")),
            treatment((28, 30, 31), 45, PRP, ("harvest_blood", "prp")),
            review((28, 30, 35), PULL_TEST_REVIEW),
            review((55, 60, 67), PULL_TEST_REVIEW),
        ],
        "home_adjuncts": [],
        "notes": "Four monthly sessions [17]; reviews 1 and 3 months after the last one, with a hair-pull test.",
    },
    {
        "code": "EXO-AA",
        "name": "Exosomes for alopecia areata (investigational, doctor-defined)",
        "indication": "alopecia_areata", "source_category": "autologous", "route": "injection",
        "anchor": "course_start", "source_detail": "Doctor-defined for each patient",
        "sessions": [
            treatment(START, 30, INJECTION),
            treatment((21, 28, 35), 30, INJECTION),
            treatment((21, 28, 35), 30, INJECTION),
            review((27, 34, 41), SALT_REVIEW),
        ],
        "home_adjuncts": [],
        "notes": "Investigational [45]: there is no established exosome protocol for alopecia areata. Source, "
                 "route, sessions and gaps are the doctor's to define: revise this placeholder (3 sessions 4 weeks "
                 "apart, SALT score at 3 months) before use.",
    },
]
