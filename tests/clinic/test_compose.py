"""docker-compose.yml cannot run here (no Docker engine), so each app service's command runs
natively against the local engines: migrate runs as the owner and makes the app's own role; web,
worker and beat run as such a role: web answers /health/, the worker answers a ping, beat starts and
its heartbeat reaches the worker through Redis."""

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.db import connection

from tests import helpers
from tests.helpers import ROOT, free_port, process_env, wait_until

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


def owner_env_file() -> dict[str, str]:
    lines = (ROOT / "db-owner.env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


class Service:
    """A service's command running as a child, its output read line by line as it comes, so a test
    waits for what the service says (a log line), with a deadline, rather than for some time."""

    def __init__(self, args: list[str], **env: str):
        self.process = subprocess.Popen(args, cwd=ROOT, env=process_env(**env), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(list(self.lines))

    def wait_for(self, pattern: str, *, timeout: float, message: str) -> re.Match:
        """The first match of `pattern` in the output; fails with the output's tail on a timeout or
        if the service exits first."""
        def said():
            found = re.search(pattern, self.output)
            if not found and self.process.poll() is not None:
                raise AssertionError(f"{message}: the service exited ({self.process.returncode}) first:\n"
                                     f"{self.output[-3000:]}")
            return found
        try:
            return wait_until(said, timeout=timeout, interval=0.2, message=message)
        except AssertionError as error:
            if self.process.poll() is None:
                raise AssertionError(f"{error}; it said:\n{self.output[-3000:]}") from None
            raise

    def stop(self, timeout: float = 15) -> str:
        """Terminate it and return everything it printed."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=timeout)
        return self.output


def test_compose_declares_every_service_with_health_checks():
    services = COMPOSE["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "mailpit"} <= set(services)
    for name in ("web", "worker", "beat", "postgres", "redis", "mailpit"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == ".env"
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://anagen_app:")
    # Only postgres and migrate know the owner: web, worker and beat never see db-owner.env.
    assert services["migrate"]["env_file"] == [".env", "db-owner.env"]
    assert services["postgres"]["env_file"] == "db-owner.env"
    assert set(owner_env_file()) == {"POSTGRES_PASSWORD", "DATABASE_OWNER_URL"}
    assert "db-owner.env" in (ROOT / ".dockerignore").read_text().split()


def test_the_migrate_service_migrates_as_the_owner_and_makes_the_apps_role():
    role, password = f"anagen_app_test_{secrets.token_hex(4)}", secrets.token_urlsafe(16)
    env = process_env(DATABASE_URL=helpers.test_database_url(role, password),
                      DATABASE_OWNER_URL=helpers.test_database_url(),
                      PATH=f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    try:
        result = subprocess.run(service_command("migrate"), cwd=ROOT, env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        # The starter protocols were loaded by the new role itself.
        assert "Installed 10 starter protocols" in result.stdout
        with connection.cursor() as cursor:
            cursor.execute("SELECT has_table_privilege(%s, 'clinic_locationevent', 'INSERT'),"
                           " has_table_privilege(%s, 'clinic_locationevent', 'UPDATE')", [role, role])
            assert cursor.fetchone() == (True, False)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                cursor.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')


def test_the_web_service_command_serves_health(app_role):
    port = free_port()
    args = [a.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for a in service_command("web")]
    assert args[0].endswith("gunicorn")
    web = Service(args, DATABASE_URL=app_role.url)
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
        web.stop()


def test_the_worker_answers_a_ping_and_beat_sends_it_the_heartbeat(tmp_path, app_role):
    worker = Service([*service_command("worker"), "--hostname", "compose-test@%h", "--without-mingle",
                      "--without-gossip"], DATABASE_URL=app_role.url)
    beat_args = [a if a != "/tmp/celerybeat-schedule" else str(tmp_path / "schedule") for a in service_command("beat")]
    beat = Service(beat_args, REMINDER_DISPATCH_SECONDS="1", DATABASE_URL=app_role.url)
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
        beat.wait_for(r"beat: Starting", timeout=30, message="beat to start")
        beat.wait_for(r"Sending due task heartbeat", timeout=30, message="beat to send the heartbeat")
        # The heartbeat came through Redis and the worker ran it: its own log line says so.
        worker.wait_for(r"Task clinic\.tasks\.heartbeat\[[-\w]+\] succeeded", timeout=60,
                        message="the worker to run the heartbeat beat sent")
    finally:
        beat.stop()
        worker.stop()


def test_the_web_service_access_log_has_paths_but_no_search_terms_or_link_tokens():
    port = free_port()
    args = [a.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for a in service_command("web")]
    web = Service(args)
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
        # A worker logs a request after answering it: wait for the last one's line.
        web.wait_for(r'"GET /p/confirm/\S+ HTTP/1\.1" 404', timeout=30, message="the access log line of the 404")
    finally:
        log = web.stop()
    assert '"GET /patients/ HTTP/1.1" 302' in log
    assert '"GET /p/confirm/[token]/ HTTP/1.1" 404' in log
    assert f'"{base}/p/change/[token]/"' in log
    for secret in ("secret-name", "secret-link-token", "secret-referer", "q="):
        assert secret not in log, secret
