"""What the demo's treatment room gives and measures: products and lots, what each visit records,
plausible measurements that differ between protocols, and the one place demo photos are added.

Plain values, except the writes of products and lots, which go through patients.records.services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from patients.outcomes.services import Reading


@dataclass(frozen=True)
class DemoProduct:
    key: str
    name: str
    kind: str
    source_category: str | None
    manufacturer: str
    unit: str
    dose: Decimal


PRODUCTS = [
    DemoProduct("autologous", "Autologous exosome isolation kit", "exosome", "autologous", "Exogen Labs", "kit",
                Decimal("1")),
    DemoProduct("prp", "PRP preparation kit (10 mL)", "prp_kit", None, "RegenKit", "kit", Decimal("1")),
    DemoProduct("rose", "Rose stem-cell exosome serum", "exosome", "plant", "Damask Bio", "mL", Decimal("5")),
    DemoProduct("msc", "MSC exosome topical serum", "exosome", "allogeneic_human", "CordCell", "mL", Decimal("5")),
    DemoProduct("wharton", "Wharton's-jelly exosome vial", "exosome", "allogeneic_human", "CordCell", "vial",
                Decimal("1")),
]

# Lots of each product by (days received before today, days it keeps): an older lot that ran
# out or expired, and the current one. The rose serum's older lot is recalled (RECALL_DAYS_AGO).
LOTS = {
    "autologous": [(300, 240), (110, 420)],
    "prp": [(290, 250), (70, 500)],
    "rose": [(280, 300), (60, 480)],
    "msc": [(260, 230), (80, 420)],
    "wharton": [(250, 220), (90, 400)],
}
RECALLED = "rose"
RECALL_DAYS_AGO = 25
RECALL_REASON = "Manufacturer's notice: sterility test failed for this batch (no patient harm reported)."

# What each protocol's treatment visits give, from which products.
GIVEN = {
    "EXO-AGA-3x6W": ["autologous"],
    "EXO-PRP-AGA": ["autologous", "prp"],
    "PRP-AGA": ["prp"],
    "PRP-TE": ["prp"],
    "EXO-AA": ["autologous"],
    "EXO-AGA-MSC-M": ["msc"],
    "EXO-AGA-MN": ["wharton"],
    "EXO-ROSE-POSTOP": ["rose"],
    "EXO-ROSE-MAINT": ["rose"],
}
SITES = {
    "EXO-ROSE-POSTOP": ["frontal", "midscalp"],
    "EXO-AA": ["temporal_left", "occipital"],
    "PRP-TE": ["frontal", "midscalp", "vertex"],
}
DEFAULT_SITES = ["midscalp", "vertex"]


def lot_number(key: str, received: date, index: int) -> str:
    prefix = {"autologous": "AEK", "prp": "PRK", "rose": "RSE", "msc": "MSC", "wharton": "WJV"}[key]
    return f"{prefix}-{received:%y%m}-{'AB'[index]}{received.day:02d}"


@dataclass(frozen=True)
class Profile:
    """How a protocol's patients respond: the change from baseline at six months (a fraction),
    spread between patients, and the metric a doctor follows at the marked site."""

    density_change: float
    diameter_change: float
    site: str = "vertex"
    baseline_density: float = 125.0
    special: str = ""  # "salt" (alopecia areata) or "pull" (telogen effluvium)


# Small, open-label numbers (domain.md): they differ between protocols, and plain PRP barely moves.
PROFILES = {
    "EXO-AGA-3x6W": Profile(0.17, 0.10),
    "EXO-PRP-AGA": Profile(0.13, 0.08),
    "PRP-AGA": Profile(0.04, 0.02),
    "EXO-AGA-MSC-M": Profile(0.11, 0.06),
    "EXO-AGA-MN": Profile(0.12, 0.07),
    "EXO-ROSE-POSTOP": Profile(0.55, 0.05, site="frontal", baseline_density=62.0),
    "EXO-ROSE-MAINT": Profile(0.02, 0.01),
    "PRP-TE": Profile(0.09, 0.04, site="midscalp", baseline_density=150.0, special="pull"),
    "EXO-AA": Profile(0.0, 0.0, site="temporal_left", baseline_density=90.0, special="salt"),
}


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def readings_for(*, code: str, seed: str, days: int, baseline: bool) -> list[Reading]:
    """A visit's measurements, `days` after the course's anchor: the same patient (seed) always
    gets the same baseline; the change grows towards its six-month value."""
    profile = PROFILES[code]
    rng = random.Random(seed)
    density0 = profile.baseline_density * rng.uniform(0.88, 1.12)
    diameter0 = rng.uniform(50.0, 58.0)
    response = rng.uniform(0.6, 1.4)  # some patients respond better than others
    progress = 0.0 if baseline else min(days / 180.0, 1.2)
    noise = random.Random(f"{seed}/{days}")
    density = density0 * (1 + profile.density_change * response * progress) + noise.uniform(-2.5, 2.5)
    diameter = diameter0 * (1 + profile.diameter_change * response * progress) + noise.uniform(-0.6, 0.6)
    terminal_share = min(0.92, rng.uniform(0.55, 0.7) + 0.12 * profile.density_change * response * progress * 4)
    site = profile.site
    rows = [
        Reading("density", site, _money(density), "trichoscopy"),
        Reading("shaft_diameter", site, _money(diameter), "trichoscopy"),
        Reading("terminal_vellus_ratio", site, _money(terminal_share / (1 - terminal_share)), "trichoscopy"),
    ]
    if profile.special == "salt":
        salt0 = rng.uniform(30, 55)
        rows.append(Reading("salt_score", None, _money(max(0.0, salt0 * (1 - 0.45 * response * progress))),
                            "clinical"))
    if profile.special == "pull":
        pull0 = rng.randint(8, 14)
        rows.append(Reading("hair_pull_count", None, Decimal(max(1, round(pull0 * (1 - 0.6 * progress)))),
                            "clinical"))
    if not baseline:
        satisfaction = min(10, max(2, round(4 + 5 * response * progress * (1 if profile.density_change > 0.05 else
                                                                            0.4) + noise.uniform(-1, 1))))
        rows.append(Reading("satisfaction", None, Decimal(satisfaction), "patient_reported"))
    return rows


def visit_notes(kind: str, number: int, measured: bool) -> str:
    if kind == "assessment":
        return "Review: standard photographs and trichoscopy at the marked site."
    if number == 1:
        return "Baseline photographs and trichoscopy before treatment."
    return "Photographs and trichoscopy before treatment." if measured else ""


def seed_demo_photos(*, session, by, now: datetime) -> int:
    """The standard photographs of a measured visit (vertex and frontal), drawn by the code
    (patients.outcomes.demo_photos: a synthetic scalp, no stock image) and stored through the photo
    service, as a doctor's upload is: cleaned, private, refused without the photo consent. The hair
    is a little denser at each visit of the course. Returns how many were stored."""
    from patients.outcomes.demo_photos import visit_demo_photos
    from patients.outcomes.photo_models import View

    photos = visit_demo_photos(session=session, by=by, now=now, views=(View.VERTEX, View.FRONTAL),
                               density=min(1.0, 0.3 + 0.12 * (session.number - 1)))
    return len(photos)


def received_dates(key: str, today: date) -> list[tuple[date, date]]:
    return [(today - timedelta(days=ago), today - timedelta(days=ago) + timedelta(days=keeps))
            for ago, keeps in LOTS[key]]
