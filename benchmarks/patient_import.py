"""How long does a CSV import of 10,000 patients take, through the real API endpoint?

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/patient_import.py [--rows 10000]

Uses its own database (`anagen_bench_import`), resets its patients, registers --existing patients
(so the duplicate lookup reads a table that is not empty), then posts a generated CSV of --rows
patients (a tenth of them with a national phone, some with consents, every one valid, a few
likely duplicates) to `POST /api/v1/patients/import/` as an admin through Django's test client:
first `?dry_run=true`, then for real. Prints the seconds of each (target: the import under 30 s).

Every step is checked: a dry run that does not answer 200 with every row valid, an import that
does not answer 201 or does not register exactly --rows patients (with their consents) stops the
run with exit status 1 and the reason, before its figure is printed.
"""

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import django_on_bench_database  # noqa: E402

LANGUAGES = ["en", "tr", "ar", "es", "de"]
ZONES = ["Europe/Istanbul", "Asia/Dubai", "Europe/Berlin", "Europe/Madrid", "America/New_York"]
FIRST = ["Ayşe", "Omar", "Lucía", "Jonas", "Fatima", "Mehmet", "Zeynep", "Karim"]
LAST = ["Yılmaz", "Haddad", "García", "Müller", "Demir", "Kaya", "Öztürk", "Schmidt"]


def fail(message: str) -> None:
    """A benchmark that saw a failed operation prints no figure: it says why and stops."""
    print(f"FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


def reset(existing: int) -> None:
    from datetime import date

    from django.db import connection

    from clinic.models import Location
    from patients.models import Patient

    with connection.cursor() as cursor:
        # The audit trail's tables (reached by CASCADE) refuse TRUNCATE (clinic.audit); a benchmark
        # resetting its own database switches that off for the statement, as only a superuser can.
        cursor.execute("SET session_replication_role = replica; TRUNCATE clinic_location, patients_patient"
                       " RESTART IDENTITY CASCADE")
        cursor.execute("SET session_replication_role = replica")
        Patient.objects.bulk_create(
            Patient(first_name="Registered", last_name="Patient", email=f"registered{n}@example.test",
                    phone=f"+90533{n:07d}", date_of_birth=date(1970 + n % 40, 1 + n % 12, 1 + n % 28),
                    sex="female", language="tr", timezone="Europe/Istanbul")
            for n in range(existing))
        cursor.execute("RESET session_replication_role")
    Location.objects.create(name="Bench Istanbul", timezone="Europe/Istanbul", country="TR")


def generated_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone",
                     "reminder_opt_in", "investigational_ack", "notes"])
    for n in range(rows):
        # Every 500th row shares the email of a registered patient: the report names it.
        email = f"registered{n}@example.test" if n % 500 == 0 else f"Import.{n}@Example.test"
        phone = f"0532 {n // 10000:03d} {n % 10000:04d}" if n % 10 == 0 else f"+90532{n:07d}"
        writer.writerow([
            f" {FIRST[n % len(FIRST)]} ", LAST[n // 8 % len(LAST)], email, phone,
            f"{1950 + n % 55}-{1 + n % 12:02d}-{1 + n % 28:02d}", ["female", "male", "other"][n % 3],
            LANGUAGES[n % 5], ZONES[n % 5], "true" if n % 2 else "false", "yes" if n % 3 == 0 else "",
            f"Imported row {n}; prefers mornings" if n % 4 == 0 else "",
        ])
    return "\ufeff".join(["", out.getvalue()]).encode()


def post(client, data: bytes, *, dry_run: bool):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = "/api/v1/patients/import/" + ("?dry_run=true" if dry_run else "")
    started = time.perf_counter()
    response = client.post(url, {"file": SimpleUploadedFile("patients.csv", data)}, format="multipart")
    return response, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--existing", type=int, default=20_000)
    parser.add_argument("--database", default="anagen_bench_import")
    args = parser.parse_args()
    django_on_bench_database(args.database)

    from rest_framework.test import APIClient

    from clinic.management.commands.create_staff import staff_upsert
    from clinic.roles import Role
    from patients.models import Consent, Patient

    reset(args.existing)
    admin = staff_upsert(username="bench-admin", role=Role.ADMIN, password="bench-password-not-secret")
    client = APIClient()
    client.force_authenticate(admin)
    data = generated_csv(args.rows)
    print(f"{args.rows:,} rows, {len(data) / 1024 / 1024:.1f} MB, {args.existing:,} patients registered before")

    response, seconds = post(client, data, dry_run=True)
    body = response.json()
    if response.status_code != 200 or body.get("valid") != args.rows:
        fail(f"dry run answered {response.status_code}: {str(body)[:500]}")
    expected_duplicates = len(range(0, args.rows, 500))
    if len(body["duplicates"]) != expected_duplicates:
        fail(f"dry run found {len(body['duplicates'])} likely duplicates, not {expected_duplicates}")
    print(f"dry run: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s), {len(body['duplicates'])} likely duplicates")

    response, seconds = post(client, data, dry_run=False)
    body = response.json()
    if response.status_code != 201 or len(body.get("created", [])) != args.rows:
        fail(f"import answered {response.status_code}: {str(body)[:500]}")
    if Patient.objects.count() != args.existing + args.rows:
        fail(f"{Patient.objects.count() - args.existing} patients registered, not {args.rows}")
    consents = Consent.objects.filter(recorded_by=admin).count()
    expected = len(range(1, args.rows, 2)) + len(range(0, args.rows, 3))
    if consents != expected:
        fail(f"{consents} consents recorded, not {expected}")
    print(f"import: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s) (target: under 30 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
