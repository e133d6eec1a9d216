"""`--now=YYYY-MM-DD` travels the clock for the whole run, and a test's own `clock` marker wins over it:
a tiny test file run by pytest in a subprocess, against the suite's own conftest."""

import subprocess
import sys
import textwrap

from tests.helpers import ROOT, process_env

PROBE = textwrap.dedent('''
    from datetime import date, datetime, timezone as tz

    import pytest
    from django.utils import timezone


    def test_the_clock_is_at_the_given_date():
        assert timezone.now().date() == date(2029, 3, 15)
        assert datetime.now(tz.utc).hour == 9


    @pytest.mark.clock("2027-02-01T09:00+03:00")
    def test_a_tests_own_clock_wins():
        assert timezone.now().date() == date(2027, 2, 1)
''')


def run_probe(tmp_path, *args: str) -> subprocess.CompletedProcess:
    probe = ROOT / "tests" / f"test_probe_{tmp_path.name}.py"  # under tests/, so the suite's conftest applies
    probe.write_text(PROBE)
    try:
        return subprocess.run([sys.executable, "-m", "pytest", str(probe), "-q", "-p", "no:randomly", *args],
                              cwd=ROOT, env=process_env(), capture_output=True, text=True, timeout=120)
    finally:
        probe.unlink()


def test_now_travels_the_clock_and_a_tests_own_clock_wins(tmp_path):
    result = run_probe(tmp_path, "--now=2029-03-15")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout, result.stdout


def test_the_probe_can_fail_on_another_date(tmp_path):
    result = run_probe(tmp_path, "--now=2029-03-16")
    assert result.returncode == 1 and "1 failed, 1 passed" in result.stdout, result.stdout + result.stderr


def test_a_malformed_now_is_a_usage_error(tmp_path):
    result = run_probe(tmp_path, "--now=15/03/2029")
    assert result.returncode == 4 and "--now takes a date as YYYY-MM-DD" in result.stderr, result.stderr
