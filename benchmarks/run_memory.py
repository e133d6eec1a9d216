"""Peak memory of `make run`'s processes (web, worker, beat, embedded PostgreSQL and Redis).

Starts `python -m clinic.engines run` on a free port, waits until /health/ answers, logs in as
each demo user and opens the home page, samples the summed RSS of the whole process tree every
0.2 s for --seconds, then stops it with Ctrl-C (SIGINT) and checks that everything exited.

    .venv/bin/python benchmarks/run_memory.py [--seconds 20]

It uses the embedded engines unless DATABASE_URL / REDIS_URL are set, like `make run`.
"""

import sys
from pathlib import Path

# Not benchmarks/ first on sys.path (the script's own folder): its http.py would shadow the standard library's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import http.cookiejar  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

import psutil  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_postgres() -> list[psutil.Process]:
    """pg_ctl daemonizes the embedded PostgreSQL: find its processes by their data directory."""
    pgdata = str(ROOT / "var" / "pgdata")
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if process.info["name"] == "postgres" and pgdata in cmdline:
            found.append(process)
            found.extend(process.children(recursive=True))
    return found


def tree_rss(root: psutil.Process) -> tuple[int, dict[str, int]]:
    total, by_name = 0, {}
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, {}
    processes += [p for p in embedded_postgres() if p not in processes]
    for process in processes:
        try:
            rss = process.memory_info().rss
            name = "postgres (embedded)" if process.name() == "postgres" else " ".join(process.cmdline()[:4])[-60:]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += rss
        by_name[name] = by_name.get(name, 0) + rss
    return total, by_name


def log_in_and_browse(base: str, username: str) -> int:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    data = urllib.parse.urlencode({"username": username, "password": "anagen-demo-2026",
                                   "csrfmiddlewaretoken": token}).encode()
    login_url = f"{base}/accounts/login/"
    request = urllib.request.Request(login_url, data=data, headers={"Referer": login_url})
    with opener.open(request, timeout=10) as response:
        page = response.read().decode()
        # A good log-in lands on the home page ("Good morning, …"), not back on the form.
        if response.status != 200 or "Log in to Anagen" in page or "Good " not in page:
            raise SystemExit(f"demo login {username!r} failed")
        return response.status


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    started = time.monotonic()
    run = subprocess.Popen([sys.executable, "-m", "clinic.engines", "run"], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    root = psutil.Process(run.pid)
    base = f"http://127.0.0.1:{port}"
    peak, peak_detail = 0, {}
    ready_at = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and run.poll() is None:
        total, detail = tree_rss(root)
        if total > peak:
            peak, peak_detail = total, detail
        if ready_at is None:
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=2) as response:
                    if response.status == 200:
                        ready_at = time.monotonic()
                        for user in ("reception", "doctor", "admin"):
                            log_in_and_browse(base, user)
            except OSError:
                pass
        elif time.monotonic() - ready_at > args.seconds:
            break
        time.sleep(0.2)
    if ready_at is None:
        os.killpg(run.pid, signal.SIGKILL)
        print(run.stdout.read() if run.stdout else "")
        print("make run never became healthy")
        return 1
    os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
    try:
        run.wait(timeout=60)
        clean = True
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        clean = False
    print(f"make run: healthy after {ready_at - started:.1f} s (migrate, starter protocols, demo clinic included)")
    print(f"peak RSS of all its processes: {peak / 2**20:.0f} MiB")
    for name, rss in sorted(peak_detail.items(), key=lambda item: -item[1])[:10]:
        print(f"  {rss / 2**20:7.1f} MiB  {name}")
    time.sleep(1)
    print(f"Ctrl-C stopped everything cleanly: {clean and run.returncode is not None}; "
          f"embedded PostgreSQL still running: {bool(embedded_postgres())}")
    print("demo logins reception, doctor, admin: each reached the home page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
