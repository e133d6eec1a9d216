"""Reads used in more than one place: search, duplicates, the screening that booking relies on."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from patients.models import Patient

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


def duplicate_keys(*, email: str, phone: Any, date_of_birth: date | None) -> list[tuple]:
    """What makes two patients probably the same person, as keys: the same email, or the same
    phone and date of birth (the rule of patient_likely_duplicates, for comparing many rows)."""
    keys: list[tuple] = []
    if email:
        keys.append(("email", email.strip().lower()))
    if phone and date_of_birth:
        keys.append(("phone", str(phone), date_of_birth))
    return keys


def patients_likely_duplicates_of(people: list[tuple[str, Any, date | None]]) -> list[list[Patient]]:
    """patient_likely_duplicates for many (email, phone, date_of_birth) at once, in two queries
    whatever their number: for each, the registered patients that are probably the same person."""
    wanted = [duplicate_keys(email=e, phone=p, date_of_birth=d) for e, p, d in people]
    emails = {key[1] for keys in wanted for key in keys if key[0] == "email"}
    phones = {key[1] for keys in wanted for key in keys if key[0] == "phone"}
    by_key: dict[tuple, list[Patient]] = {}
    fields = ("id", "first_name", "last_name", "email", "phone", "date_of_birth")
    found = [*Patient.objects.filter(email__in=emails).only(*fields)] if emails else []
    found += Patient.objects.filter(phone__in=phones).only(*fields) if phones else []
    for patient in sorted(found, key=lambda p: p.pk):
        for key in duplicate_keys(email=patient.email, phone=patient.phone, date_of_birth=patient.date_of_birth):
            if patient not in by_key.setdefault(key, []):
                by_key[key].append(patient)
    result = []
    for keys in wanted:
        matches = {patient.pk: patient for key in keys for patient in by_key.get(key, [])}
        result.append([matches[pk] for pk in sorted(matches)])
    return result


def patient_accepts_email(patient: Patient, kind: str) -> bool:
    """May this kind of email go to this patient? Withdrawn consent stops every email that is
    not transactional (reminders, recalls); none goes to a patient without an address."""
    if not patient.email:
        return False
    if kind in NON_TRANSACTIONAL_EMAILS:
        return patient.reminder_opt_in
    return True


def patient_named(pk: int) -> Patient | None:
    """Just enough of a patient to name them (a filter's "for <name>")."""
    return Patient.objects.filter(pk=pk).only("id", "first_name", "last_name").first()
