"""Reads used in more than one place: search, duplicates, the screening that booking relies on."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from .models import Patient, Screening
from .screening import screening_blocks_for

_PHONE_LIKE = re.compile(r"^[\d\s+().\-/]+$")
MAX_SEARCH_TERMS = 6
# pg_trgm indexes three-character pieces: shorter terms cannot use the index.
TRIGRAM = 3
MAX_TERM_LENGTH = 100
# Reminders and recalls need the patient's consent; bookings, changes, cancellations and
# aftercare are part of the care itself and always go to a patient with an email.
NON_TRANSACTIONAL_EMAILS = frozenset({"reminder", "recall"})


def search_terms(query: str) -> list[str]:
    """Lower-cased terms that must each appear in a patient's name, email or phone.

    A query that looks like a phone number becomes its digits, leading zeros dropped, so
    "0532 123 45" finds +90 532 123 45 67.
    """
    query = (query or "").strip()
    if not query:
        return []
    if _PHONE_LIKE.match(query) and sum(c.isdigit() for c in query) >= 3:
        digits = re.sub(r"\D", "", query).lstrip("0")
        return [digits[:MAX_TERM_LENGTH]] if digits else []
    return [term.lower()[:MAX_TERM_LENGTH] for term in query.split()[:MAX_SEARCH_TERMS]]


def patients_search(query: str) -> QuerySet[Patient]:
    """Patients matching every term, by name; each term is a trigram-indexed substring match."""
    patients = Patient.objects.all()
    terms = search_terms(query)
    for term in terms:
        patients = patients.filter(search__contains=term)
    if uses_trigram_index(query):
        # Sorting the few matches beats walking the name index: matches of "yıl" all sort late,
        # so an ordered index scan would read most of the table to find the first 25.
        return patients.order_by(Lower("last_name"), Lower("first_name"), "id")
    return patients.order_by("last_name", "first_name", "id")


def uses_trigram_index(query: str) -> bool:
    return any(len(term) >= TRIGRAM for term in search_terms(query))


@contextmanager
def search_plan(query: str) -> Iterator[None]:
    """Evaluate a search inside this block so PostgreSQL reads the trigram index.

    The planner prices LIKE on a row as nearly free, so for a term matching a few percent of
    the patients it prefers reading the whole (small) table, which costs tens of milliseconds
    of pattern matching at 100,000 patients; through the index it is a few.
    """
    if not uses_trigram_index(query):
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def patient_likely_duplicates(
    *, email: str, phone: Any, date_of_birth: date | None, exclude_id: int | None = None
) -> list[Patient]:
    """Patients that are probably the same person: same email, or same phone and date of birth."""
    condition = Q(pk__in=[])
    if email:
        condition |= Q(email=email.strip().lower())
    if phone and date_of_birth:
        condition |= Q(phone=str(phone), date_of_birth=date_of_birth)
    patients = Patient.objects.filter(condition)
    if exclude_id:
        patients = patients.exclude(pk=exclude_id)
    return list(patients.order_by("id")[:10])


def screenings_of(patient: Patient) -> QuerySet[Screening]:
    """A patient's screenings, newest first, with their overrides and authors."""
    return (
        Screening.objects.filter(patient=patient)
        .select_related("override", "override__doctor", "taken_by", "patient")
        .order_by("-taken_at", "-id")
    )


def screening_latest_valid(patient: Patient, now: datetime) -> Screening | None:
    """The newest screening taken within SCREENING_VALID_DAYS before `now` (none in the future)."""
    since = now - timedelta(days=settings.SCREENING_VALID_DAYS)
    return screenings_of(patient).filter(taken_at__gte=since, taken_at__lte=now).first()


def screening_valid_for_booking(patient: Patient, protocol: Any, now: datetime) -> tuple[Screening | None, list[str]]:
    """What booking asks: the screening that counts (None: 'screening_required') and the hard
    stops that block this protocol (empty once a doctor has overridden them)."""
    screening = screening_latest_valid(patient, now)
    if screening is None:
        return None, []
    return screening, screening_blocks_for(screening, protocol)


def patient_accepts_email(patient: Patient, kind: str) -> bool:
    """May this kind of email go to this patient? Withdrawn consent stops every email that is
    not transactional (reminders, recalls); none goes to a patient without an address."""
    if not patient.email:
        return False
    if kind in NON_TRANSACTIONAL_EMAILS:
        return patient.reminder_opt_in
    return True
