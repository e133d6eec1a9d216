"""`make test`'s runner: the suite as two pytest processes side by side, one per core, then the pure
and service tests again with the clock in 2029.

    scripts/test_suite.py [pytest arguments...]     # run inside `clinic.engines exec`

The browser and multi-process tests (markers `browser` and `slow`) mostly wait on Chromium, Celery
workers and gunicorn; the rest is the test process's own work. Each group gets a database server
of its own name (pytest-django makes `test_<name>` from it) and a Redis database of its own number,
so neither sees the other's rows, queues or locks; both use the same engines. The pytest arguments
go to each group (`--now=2029-03-15`, `-k ...`, a path: each group runs its part of it); with
any, the clock pass is left out (it is part of the whole suite, not of one test). Each group's
output is printed whole when it ends; the exit status is non-zero when any group failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from clinic.engines import ensure_database  # noqa: E402

GROUPS = {
    "browser and multi-process tests": "browser or slow",
    "pure, service, API and page tests": "not browser and not slow",
}

# The second pass with the clock travelled to 2029 (tests/conftest.py's --now), so a test that
# expires shows itself today: the pure and service tests, a few minutes at most.
NOW_PASS = [
    "tests/protocols", "tests/test_clock_option.py", "tests/patients/registry/test_services.py",
    "tests/patients/screening", "tests/patients/booking/test_api.py", "tests/patients/booking/test_session_status.py",
    "tests/patients/booking/test_busy.py", "tests/patients/booking/test_windows.py",
    "tests/patients/reminders/test_reminders.py", "tests/patients/reminders/test_ics.py",
    "tests/patients/records/test_session_record.py", "tests/patients/outcomes/test_measurements_api.py",
    "tests/patients/outcomes/test_reports_api.py",
]


NO_TESTS_COLLECTED = 5


def engines_for(index: int) -> dict[str, str]:
    """The environment of group `index`: the first keeps DATABASE_URL and REDIS_URL, the next
    ones a database name with a suffix and the next Redis database number."""
    database_url, redis_url = os.environ["DATABASE_URL"], os.environ["REDIS_URL"]
    if index == 0:
        return {}
    base, _, name = database_url.rpartition("/")
    server, _, number = redis_url.rpartition("/")
    database_url = f"{base}/{name}_{index}"
    ensure_database(database_url)
    return {"DATABASE_URL": database_url, "REDIS_URL": f"{server}/{(int(number or 0) + index) % 16}"}


def start(name: str, args: list[str], env: dict[str, str]) -> tuple[str, subprocess.Popen, Path]:
    log = Path(tempfile.mkstemp(prefix="anagen-tests-", suffix=".log")[1])
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "pytest", *args], cwd=ROOT, env={**os.environ, **env},
                                   stdout=out, stderr=subprocess.STDOUT)
    print(f"started: {name} (pytest {' '.join(args)})", flush=True)
    return name, process, log


def finish(name: str, process: subprocess.Popen, log: Path, started: float) -> int:
    code = process.wait()
    print(f"\n===== {name}: exit {code} after {time.monotonic() - started:.0f} s =====", flush=True)
    sys.stdout.write(log.read_text())
    sys.stdout.flush()
    log.unlink()
    return code


def main(argv: list[str]) -> int:
    started = time.monotonic()
    groups = [start(name, ["-m", marks, *argv], engines_for(i)) for i, (name, marks) in enumerate(GROUPS.items())]
    browser, service = groups
    codes = [finish(*service, started)]
    if not argv:
        # The whole suite: the clock pass takes the service group's place beside the browser group.
        now_pass = start("the pure and service tests with the clock in 2029",
                         ["-q", "-m", "not browser and not slow", "--now=2029-03-15", *NOW_PASS], engines_for(1))
        codes.append(finish(*now_pass, started))
    codes.append(finish(*browser, started))
    # pytest's 5: this group has no test in the selection (one file, say); an error only if none has.
    ran = [code for code in codes if code != NO_TESTS_COLLECTED]
    return max(ran) if ran else NO_TESTS_COLLECTED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
