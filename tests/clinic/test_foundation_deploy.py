"""Production settings pass Django's deployment checks."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_check_deploy_passes_with_debug_off_and_production_variables():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE belongs to the test process, not to production.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "p" * 20 + "roduction-secret-from-the-environment-0123456789",
        "ALLOWED_HOSTS": "clinic.example.com",
        "SITE_URL": "https://clinic.example.com",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {
        "DEBUG": "false", "SITE_URL": "https://clinic.example.com"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def import_settings(**variables: str) -> subprocess.CompletedProcess:
    """Import the settings module in a fresh interpreter with these variables (and no SITE_URL else)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DEBUG")} | {
        "SECRET_KEY": "p" * 20 + "roduction-secret-from-the-environment-0123456789", **variables}
    return subprocess.run([sys.executable, "-c", "import clinic.settings as s; print(s.SITE_URL)"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("site_url", [None, "", "http://clinic.example.com", "clinic.example.com", "https://"])
def test_production_refuses_to_start_without_an_https_site_url(site_url):
    result = import_settings(DEBUG="false", **({} if site_url is None else {"SITE_URL": site_url}))
    assert result.returncode != 0
    assert "ImproperlyConfigured: SITE_URL must be the clinic's https:// address when DEBUG is off" in result.stderr
    assert "e.g. SITE_URL=https://clinic.example.com" in result.stderr


def test_production_starts_with_an_https_site_url():
    result = import_settings(DEBUG="false", SITE_URL="https://clinic.example.com/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://clinic.example.com"


def test_development_keeps_its_local_site_url_default():
    result = import_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://127.0.0.1:8000"


def production_env(**extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false", "SECRET_KEY": "p" * 20 + "roduction-secret-from-the-environment-0123456789",
        "SITE_URL": "https://clinic.example.com", **extra,
    }


def test_collectstatic_with_debug_off_builds_the_manifest_of_every_static_file(tmp_path):
    # As the Dockerfile's build step: ManifestStaticFilesStorage fails on any file a stylesheet
    # or script names (url(), sourceMappingURL) that is not there.
    target = tmp_path / "static"
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT, env=production_env(STATIC_ROOT=str(target)), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((target / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap/bootstrap.rtl.min.css",
                 "vendor/bootstrap-icons/bootstrap-icons.min.css", "vendor/htmx/htmx.min.js",
                 "vendor/fullcalendar/index.global.min.js", "vendor/flatpickr/flatpickr.min.js",
                 "vendor/flatpickr/flatpickr.min.css", "vendor/flatpickr/l10n/ar.js", "js/datepickers.js",
                 "css/anagen.css", "js/anagen.js",
                 "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"):
        assert name in manifest, name
        assert (target / manifest[name]).is_file()
    assert not list((target / "vendor").rglob("*.map"))


def test_vendored_files_name_no_source_map_and_only_files_that_are_copied():
    vendor = ROOT / "static" / "vendor"
    files = [p for p in vendor.rglob("*") if p.suffix in (".css", ".js")]
    assert files, "run make install (scripts/vendor_assets.sh) first"
    for path in files:
        text = path.read_text(errors="replace")
        assert "sourceMappingURL" not in text, path
        if path.suffix == ".css":
            for ref in re.findall(r"url\(\s*[\"']?([^)\"']+)", text):
                if not ref.startswith(("data:", "#")):
                    assert (path.parent / ref.split("?")[0].split("#")[0]).is_file(), (path, ref)
