"""Production settings pass Django's deployment checks."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

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
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"} | {"DEBUG": "false"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def production_env(**extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false", "SECRET_KEY": "p" * 20 + "roduction-secret-from-the-environment-0123456789",
        **extra,
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
                 "vendor/fullcalendar/index.global.min.js", "css/anagen.css", "js/anagen.js",
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
