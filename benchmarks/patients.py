"""How fast is the patient list's search, and the patient page, at 10 and at 100,000 patients?

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/patients.py [--patients 100000]

Uses its own database (`anagen_bench`, next to the one DATABASE_URL names), loads the patients
with COPY, then times the list search (the htmx partial that search-as-you-type fetches) and the
detail page through Django's test client: server time including middleware, queries and
templates. Prints median and p95 in ms, the query count of each, and PostgreSQL's plan of the
search. Target: search p95 under 50 ms, the same query count at 10 as at 100,000 patients.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# Not benchmarks/ first on sys.path (the script's own folder): its http.py would shadow the standard library's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BASE_DIR / "benchmarks"]
sys.path.insert(0, str(BASE_DIR))
BENCH_DB = "anagen_bench"


def use_bench_database() -> None:
    """Point DATABASE_URL at the bench database (same server), creating it if needed."""
    from clinic.engines import ensure_database

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anagen")
    parts = urlsplit(url)
    bench_url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    ensure_database(bench_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


FIRST = ["Ayşe", "Mehmet", "Fatma", "Mustafa", "Emine", "Ahmet", "Omar", "Fatima", "Aisha", "Mohammed",
         "Lucía", "Javier", "María", "Carlos", "Jonas", "Lena", "Anna", "Lukas", "Hannah", "James", "Sarah",
         "Zeynep", "Elif", "Burak", "Yusuf", "Noor", "Layla", "Hamza", "Sofía", "Mateo"]
LAST = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan", "Doğan", "Kılıç",
        "Al-Mansouri", "Haddad", "Al-Hashimi", "Khalil", "Nasser", "García", "Fernández", "López", "Martínez",
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Smith", "Jones", "Brown", "Taylor", "Wilson"]
SYLLABLES = ["ka", "ra", "mi", "lo", "ze", "tu", "na", "ve", "si", "do", "ba", "le", "yo", "fi", "gu"]
DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com", "icloud.com", "example.ae", "web.de"]
LANGUAGES = ["en", "tr", "ar", "es", "de"]
ZONES = ["Europe/Istanbul", "Asia/Dubai", "Europe/Madrid", "Europe/Berlin", "Europe/London", "Asia/Riyadh"]
COLUMNS = ["first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone",
           "reminder_opt_in", "investigational_ack", "notes", "created_at", "updated_at"]


def fake_rows(count: int, rng: random.Random) -> io.StringIO:
    """Tab-separated rows for COPY: varied names (a family name plus a made-up second part, so
    that a search narrows down as in a real clinic), unique emails and phones."""
    buffer = io.StringIO()
    for n in range(count):
        first = rng.choice(FIRST)
        made_up = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        last = f"{rng.choice(LAST)}-{made_up}" if rng.random() < 0.7 else made_up
        email = f"{first.lower()[:3]}{made_up.lower()}{n}@{rng.choice(DOMAINS)}"
        phone = f"+90{rng.choice(['532', '533', '542', '505', '555'])}{n:07d}"
        born = f"{rng.randint(1950, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        row = [first, last, email, phone, born, rng.choice(["female", "male", "other"]), rng.choice(LANGUAGES),
               rng.choice(ZONES), "t", "t", "", "2026-01-01 00:00:00+00", "2026-01-01 00:00:00+00"]
        buffer.write("\t".join(row) + "\n")
    buffer.seek(0)
    return buffer


def load_patients(count: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        # The audit trail's tables refuse TRUNCATE (clinic.audit); a benchmark resetting its own
        # database switches that off for the statement, as only a superuser can.
        cursor.execute(
            "SET session_replication_role = replica; "
            "TRUNCATE patients_patientaccess, patients_screeningoverride, patients_screening, patients_consent, "
            "patients_patient, patients_patientevent RESTART IDENTITY CASCADE; RESET session_replication_role"
        )
        rows = fake_rows(count, random.Random(4))
        cursor.copy_from(rows, "patients_patient", columns=COLUMNS)
        cursor.execute("ANALYZE patients_patient")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(client, urls: list[str], headers: dict[str, str]) -> tuple[list[float], set[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, query_counts = [], set()
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        query_counts.add(len(queries.captured_queries))
    return timings, query_counts


def search_urls(rng: random.Random, runs: int) -> list[str]:
    """What receptionists type: part of a family name, a first and last name, an email, phone digits."""
    from urllib.parse import urlencode

    queries = []
    for _ in range(runs):
        kind = rng.random()
        if kind < 0.35:
            queries.append(rng.choice(LAST).lower()[:rng.randint(3, 6)])
        elif kind < 0.6:
            queries.append(f"{rng.choice(FIRST)} {rng.choice(LAST)[:4]}")
        elif kind < 0.8:
            queries.append("".join(rng.choice(SYLLABLES) for _ in range(2)) + rng.choice(SYLLABLES)[:1])
        else:
            queries.append(f"0532 {rng.randint(0, 999):03d}")
    return [f"/patients/?{urlencode({'q': q})}" for q in queries]


def explain(query: str) -> str:
    from django.db import connection

    from patients.registry.selectors import patients_search, search_plan

    sql, params = patients_search(query).values("id")[:25].query.sql_with_params()
    with search_plan(query), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql, params)
        return "\n".join("    " + row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    use_bench_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's response.context and ALLOWED_HOSTS testserver
    call_command("migrate", verbosity=0, interactive=False)
    from clinic.management.commands.create_staff import staff_upsert
    from clinic.roles import Role
    from patients.models import Patient

    user = staff_upsert(username="bench-receptionist", role=Role.RECEPTIONIST, password="bench-password-123",
                        email="bench@clinic.test", first_name="Bench", validate=False)
    client = Client()
    client.force_login(user)
    rng = random.Random(7)

    print(f"Patient list search and detail page, {args.runs} requests each (ms, server side, in-process client)")
    print(f"{'patients':>9}  {'page':<28} {'median':>8} {'p95':>8}  queries")
    for count in (10, args.patients):
        started = time.perf_counter()
        load_patients(count)
        loaded = time.perf_counter() - started
        ids = list(Patient.objects.values_list("id", flat=True))
        client.get("/patients/?q=warm")  # warm caches, templates and the connection
        rows = [
            ("search (htmx partial)", search_urls(rng, args.runs), {"HX-Request": "true"}),
            ("list, first page", ["/patients/"] * (args.runs // 4), {}),
            ("detail", [f"/patients/{rng.choice(ids)}/" for _ in range(args.runs)], {}),
        ]
        for label, urls, headers in rows:
            timings, counts = measure(client, urls, headers)
            print(f"{count:>9}  {label:<28} {statistics.median(timings):8.1f} {percentile(timings, 0.95):8.1f}"
                  f"  {sorted(counts)}")
        print(f"{'':>9}  (loaded {count} patients in {loaded:.1f} s)")

    print("\nPlan of a search for 'kaya ayş' (trigram GIN index expected):")
    print(explain("kaya ayş"))
    print("\nPlan of a phone search '0532 123':")
    print(explain("0532 123"))


if __name__ == "__main__":
    main()
