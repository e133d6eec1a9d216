"""Shared set-up for benchmark scripts: their own database on the server DATABASE_URL names."""

import os
import secrets
import statistics
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
# A script run as `python benchmarks/x.py` has benchmarks/ first on sys.path, where http.py would
# shadow the standard library's http (Django imports it): the scripts import this module first.
_BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _BENCH_DIR]
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))


def as_in_production() -> None:
    """Run Django as production does: DEBUG off (no query log behind every cursor, no template
    debug data), with the secret key and https:// SITE_URL that DEBUG off requires. Call it before
    django_on_bench_database."""
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("SITE_URL", "https://bench.anagen.invalid")


def django_on_bench_database(name: str, *, migrate: bool = True) -> None:
    """Point DATABASE_URL at database `name` (created if missing), set Django up, migrate."""
    from clinic.engines import ensure_database

    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anagen")
    bench_url = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    ensure_database(bench_url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(values_ms: list[float]) -> str:
    median, p95 = statistics.median(values_ms), percentile(values_ms, 0.95)
    return f"median {median:.2f} ms, p95 {p95:.2f} ms (n={len(values_ms)})"
