"""docker-compose.yml cannot run here (no Docker engine), so each app service's command runs
natively against the local engines: web answers /health/, the worker answers a ping, beat starts
and its heartbeat reaches the worker through Redis."""

import json
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT, free_port, process_env, stop, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
VENV_BIN = Path(sys.executable).parent


def service_command(name: str) -> list[str]:
    command = COMPOSE["services"][name]["command"]
    args = shlex.split(command) if isinstance(command, str) else list(command)
    # Run the same program from our virtual environment.
    if args[0] in ("gunicorn", "celery"):
        args[0] = str(VENV_BIN / args[0])
    return args


def start(args: list[str], **env: str) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=ROOT, env=process_env(**env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_compose_declares_every_service_with_health_checks():
    services = COMPOSE["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "mailpit"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis", "mailpit"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == ".env"


def test_the_web_service_command_serves_health():
    port = free_port()
    args = [a.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for a in service_command("web")]
    assert args[0].endswith("gunicorn")
    web = start(args)
    try:
        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                    return response.status == 200 and json.load(response)
            except OSError:
                return None

        body = wait_until(healthy, timeout=60, message="gunicorn to answer /health/")
        assert body == {"status": "ok", "database": "ok", "broker": "ok"}
    finally:
        stop(web)


def test_the_worker_answers_a_ping_and_beat_sends_it_the_heartbeat(tmp_path):
    worker = start([*service_command("worker"), "--hostname", "compose-test@%h", "--without-mingle",
                    "--without-gossip"])
    beat_args = [a if a != "/tmp/celerybeat-schedule" else str(tmp_path / "schedule") for a in service_command("beat")]
    beat = start(beat_args, REMINDER_DISPATCH_SECONDS="1")
    output = ""
    try:
        def pong():
            result = subprocess.run(
                [str(VENV_BIN / "celery"), "-A", "clinic", "inspect", "ping", "--timeout", "2", "--json"],
                cwd=ROOT, env=process_env(), capture_output=True, text=True, timeout=30,
            )
            return result.returncode == 0 and "compose-test@" in result.stdout and result.stdout
        answer = wait_until(pong, timeout=60, interval=1, message="the worker to answer a ping")
        assert '"ok": "pong"' in answer
        wait_until(lambda: (tmp_path / "schedule").exists(), timeout=30, message="beat to write its schedule")
    finally:
        beat_output = stop(beat)
        # Give the worker a moment to run what beat sent before stopping it.
        output = stop(worker)
    assert "beat: Starting" in beat_output
    assert "Sending due task heartbeat" in beat_output
    assert "clinic.tasks.heartbeat" in output and "succeeded" in output


def test_the_web_service_access_log_has_paths_but_no_search_terms_or_link_tokens():
    port = free_port()
    args = [a.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for a in service_command("web")]
    web = start(args)
    base = f"http://127.0.0.1:{port}"
    try:
        def answers(path: str, **headers: str):
            request = urllib.request.Request(base + path, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except OSError:
                return None

        wait_until(lambda: answers("/health/"), timeout=60, message="gunicorn to answer /health/")
        assert answers("/patients/?q=secret-name") in (200, 302)
        assert answers("/p/confirm/secret-link-token-0123/",
                       Referer=f"{base}/p/change/secret-referer-token/?q=secret-referer-term") == 404
    finally:
        log = stop(web)
    assert '"GET /patients/ HTTP/1.1" 302' in log
    assert '"GET /p/confirm/[token]/ HTTP/1.1" 404' in log
    assert f'"{base}/p/change/[token]/"' in log
    for secret in ("secret-name", "secret-link-token", "secret-referer", "q="):
        assert secret not in log, secret
