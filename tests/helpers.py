"""Helpers for tests that start real processes (gunicorn, Celery, SMTP servers)."""

import os
import socket
import subprocess
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def client_for(user):
    """A page client logged in as `user`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url(user: str | None = None, password: str | None = None) -> str:
    """A DATABASE_URL naming the database the current test runs against (as `user`, if given)."""
    db = settings.DATABASES["default"]
    if user is None:
        user, password = db.get("USER") or "postgres", db.get("PASSWORD")
    password = f":{quote(password, safe='')}" if password else ""
    host = quote(db.get("HOST") or "localhost", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    """The environment for a child process of the app, pointing at the test's engines."""
    return {**os.environ, "DATABASE_URL": test_database_url(), "REDIS_URL": settings.CELERY_BROKER_URL,
            "PYTHONUNBUFFERED": "1", **extra}


def wait_until(predicate, timeout: float, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")


def stop(process: subprocess.Popen, timeout: float = 15) -> str:
    """Terminate a child and return what it printed."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.stdout.read() if process.stdout else ""


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives.

    `fail_with = "451 4.3.0 Try again later"` makes it refuse messages until cleared, as a server
    that is up but failing; `stop()` takes it off the network entirely."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.raw: list[bytes] = []
        self.fail_with: str | None = None
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                if sink.fail_with:
                    return sink.fail_with
                import email
                from email import policy

                sink.raw.append(envelope.content)
                sink.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self._handler = Handler()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self.running = False

    def start(self) -> "SmtpSink":
        self._controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        if self.running:
            self._controller.stop()
            self.running = False

    def restart(self) -> None:
        """Come back on the same port, keeping what was received before."""
        from aiosmtpd.controller import Controller

        self.stop()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        self.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def mailers(self) -> dict:
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5}}}

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]
