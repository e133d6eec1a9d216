"""The schema is the truth (issue 17): schemathesis drives the live app from its own OpenAPI schema
(every operation, the stateful phase following the schema's links included) and every check holds:
no undocumented status or content type, no schema-valid request refused for a rule the schema
states, no schema-violating request accepted, every answer in its documented shape.

The run is bounded (a fixed seed, a few examples per operation) and its database is this test's
own (transactional: emptied afterwards), so the fuzzer's POSTs and DELETEs touch nothing else.
An endpoint added later is fuzzed without touching this file: the schema lists it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from patients.models import Patient
from patients.portal.tokens import portal_token
from tests.clinic.test_api_fuzz_endpoints import Clinic

HERE = Path(__file__).resolve().parent / "schemathesis"
ROOT = HERE.parents[2]
SEED = 20261202
MAX_EXAMPLES = 10
# The in-process server serves one request per thread; two workers keep both cores busy.
WORKERS = 2

pytestmark = [pytest.mark.slow, pytest.mark.clock("2027-01-04T06:00+00:00")]


def _schemathesis(url: str, token: str, report: Path, portal_token: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
        "run", f"{url}/api/v1/schema/?format=json",
        "--header", f"Authorization: Token {token}",
        "--checks", "all",
        "--phases", "examples,fuzzing,stateful",
        "--seed", str(SEED),
        "--max-examples", str(MAX_EXAMPLES),
        "--workers", str(WORKERS),
        "--no-shrink",
        "--continue-on-failure",
        "--request-timeout", "30",
        "--report", "json", "--report-json-path", str(report),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.clinic.schemathesis.hooks", "PYTHONPATH": str(ROOT),
           "NO_COLOR": "1", "PORTAL_TOKEN": portal_token}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_the_live_api_does_what_its_schema_says(live_server, admin_user, tmp_path):
    Clinic()  # one of everything, so that ids exist and links lead somewhere
    token = Token.objects.create(user=admin_user)
    # The portal's operations as the clinic's first patient (one with a course and sessions).
    patient = Patient.objects.filter(courses__isnull=False).order_by("pk").first()
    started = time.monotonic()
    run = _schemathesis(live_server.url, token.key, tmp_path / "report.json", portal_token(patient))
    output = run.stdout + run.stderr
    summary = [line for line in output.splitlines() if re.match(r"^=+ .* in [\d.]+s =+$", line)]
    print(f"schemathesis: {summary[-1] if summary else '(no summary)'} ({time.monotonic() - started:.0f} s)")
    # The failures in full (pytest shows a failing test's output), before the summary.
    print(output)
    assert run.returncode == 0, output[output.find("=== SUMMARY ==="):][-5000:]
    report = json.loads((tmp_path / "report.json").read_text())
    # Every operation tested, the stateful phase run (not skipped for want of links), nothing failed.
    assert report["operations"]["tested"] == report["operations"]["selected"] >= 100, report["operations"]
    assert report["phases"]["stateful"]["status"] == "success", report["phases"]
    assert report["test_cases"]["with_failures"] == 0 and not report["errors"], report["test_cases"]
