"""HTTP under load: the API and the calendar feed on gunicorn, against the floor of their stack.

    .venv/bin/python -m clinic.engines exec -- .venv/bin/python benchmarks/http.py [--sessions 200000]
    (or `make bench-http`)

Seeds its own database (`anagen_bench_http`) with benchmarks/booking.py's clinic: 20 practitioners
fully booked day after day, 200,000 sessions (reused when it is already there). Starts gunicorn
with docker-compose.yml's web command (2 workers, DEBUG off, the same access logger) and drives it
with wrk, authenticated as a receptionist: an API key for the API, a session cookie for the
calendar feed, behind a TLS proxy (`X-Forwarded-Proto: https`). For each route it prints the
product's requests/s, the floor's (a bare Django view on the same gunicorn reading the same rows
with one query and returning them as JSON; the search's inside the product's own search_plan, so
that both read the trigram index), and their ratio (target: at least 35%):

- the sessions of one day at a location: /api/v1/sessions/?location=&start_after=&start_before=&page_size=100
- the calendar's week feed of one practitioner (the week view with "Show" set to them): /booking/calendar/feed/
- the patient search: /api/v1/patients/?q=

The floor views live here and are served from a settings module this script writes to a
temporary folder (its ROOT_URLCONF adds them in front of the product's URLs); the product's own
URLs never hold them. A non-2xx answer or a socket error stops the run with exit 1, no figure.
"""

import sys
from pathlib import Path

# This file shares its name with the standard library's `http`: run as a script, its folder must
# not shadow that package for everything imported below.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402
from urllib.parse import urlencode  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from benchmarks.common import BASE_DIR, django_on_bench_database  # noqa: E402
from tests.helpers import free_port  # noqa: E402

BENCH_DB = "anagen_bench_http"
TARGET = 0.35
ROUNDS = 5
PROXY = {"X-Forwarded-Proto": "https"}

# --- The floor: one query, the rows as JSON (served by gunicorn from the temporary URLconf) ------

SESSION_FIELDS = ["id", "course", "patient", "location", "number", "kind", "start", "end", "practitioner", "room",
                  "status", "window_earliest", "window_latest", "sequence", "override_reason", "cancel_reason"]
PATIENT_FIELDS = ["id", "first_name", "last_name", "email", "phone", "date_of_birth", "sex", "language", "timezone",
                  "reminder_opt_in", "investigational_ack", "notes", "created_at", "updated_at"]
FEED_FIELDS = ["id", "number", "start", "end", "status", "course", "practitioner", "room", "change_requested_at",
               "patient__first_name", "patient__last_name", "course__protocol__code", "practitioner__name",
               "room__name", "patient"]


def _rows(queryset):
    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import JsonResponse

    class Encoder(DjangoJSONEncoder):
        def default(self, o):
            return str(o) if type(o).__name__ == "PhoneNumber" else super().default(o)

    return JsonResponse({"results": list(queryset)}, encoder=Encoder)


def floor_sessions(request):
    from patients.models import Session

    get = request.GET
    return _rows(Session.objects.filter(
        location=get["location"], start__gte=datetime.fromisoformat(get["start_after"]),
        start__lt=datetime.fromisoformat(get["start_before"]),
    ).order_by("start", "id").values(*SESSION_FIELDS)[:int(get["page_size"])])


def floor_feed(request):
    from patients.models import Session

    get = request.GET
    zone = ZoneInfo(get["zone"])  # the feed's bounds are wall-clock times at the clinic
    start, end = (datetime.fromisoformat(get[bound]).replace(tzinfo=zone) for bound in ("start", "end"))
    return _rows(Session.objects.filter(
        location=get["location"], practitioner=get["resource"], start__lt=end, end__gt=start,
        start__gt=start - timedelta(hours=8),
    ).order_by("start", "id").values(*FEED_FIELDS))


def floor_patients(request):
    from patients.registry.selectors import patients_search, search_plan

    query = request.GET["q"]
    with search_plan(query):  # the product's own plan for the same rows (the trigram index)
        return _rows(patients_search(query).values(*PATIENT_FIELDS)[:int(request.GET.get("page_size", 50))])


def served_with(request):
    """The settings gunicorn really runs with, for the figures' heading."""
    from django.conf import settings
    from django.http import JsonResponse

    database = settings.DATABASES["default"]
    return JsonResponse({"DEBUG": settings.DEBUG, "CONN_MAX_AGE": database["CONN_MAX_AGE"],
                         "CONN_HEALTH_CHECKS": database["CONN_HEALTH_CHECKS"]})


def floor_urlpatterns() -> list:
    from django.urls import path

    return [path("floor/sessions/", floor_sessions), path("floor/feed/", floor_feed),
            path("floor/patients/", floor_patients), path("floor/settings/", served_with)]


SETTINGS_MODULE = """\
from clinic.settings import *  # noqa: F403
ROOT_URLCONF = "bench_http_urls"
"""
URLS_MODULE = """\
from benchmarks.http import floor_urlpatterns
from clinic.urls import *  # noqa: F403
from clinic.urls import urlpatterns as product

urlpatterns = floor_urlpatterns() + product
"""
# wrk counts 3xx as success and only totals socket errors: this script counts every non-2xx and
# prints one JSON line with everything the benchmark checks.
WRK_SCRIPT = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; first = "" end
function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first == "" then first = status .. " " .. string.sub(body or "", 1, 200) end
  end
end
function done(summary, latency, requests)
  local total, sample = 0, ""
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
    if sample == "" then sample = t:get("first") end
  end
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "micros": %d, "non2xx": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "timeout": %d, "sample": "%s"}\\n',
    summary.requests, summary.duration, total, e.connect, e.read, e.write, e.timeout,
    (sample:gsub('[%c"\\\\]', ' '))))
end
"""


def fail(message: str) -> None:
    print(f"FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)


# --- Seeding -------------------------------------------------------------------------------------


def world(sessions: int) -> dict:
    """booking.py's clinic with `sessions` booked sessions, reused when this database holds it."""
    from benchmarks.booking import FIRST_DAY, load
    from clinic.models import Location, Practitioner
    from patients.models import Session

    seeded = Session.objects.count() == sessions and Location.objects.count() == 1
    if not (seeded and Session.objects.filter(start__date=FIRST_DAY).exists()):
        started = time.perf_counter()
        load(sessions, practitioners=20, locations=1)
        print(f"(seeded in {time.perf_counter() - started:.0f} s)")
    else:
        print(f"reusing {sessions:,} booked sessions from {FIRST_DAY}")
    location = Location.objects.get()
    return {"location": location, "doctor": Practitioner.objects.order_by("id").first(), "first_day": FIRST_DAY}


def receptionist() -> tuple[str, str]:
    """A receptionist with a fresh API key (as made on their profile page) and their password."""
    from clinic.api_keys import api_key_create
    from clinic.management.commands.create_staff import staff_upsert
    from clinic.roles import Role

    password = "bench-reception-password"
    user = staff_upsert(username="bench-reception", role=Role.RECEPTIONIST, password=password, validate=False)
    return api_key_create(user=user).key, password


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the login page as a browser behind the TLS proxy does; the session cookie."""
    server = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    server.request("GET", "/accounts/login/", headers=PROXY)
    page = server.getresponse()
    if page.status != 200:
        fail(f"the login page answered {page.status}: {page.read()[:300]!r}")
    csrf = SimpleCookie(page.getheader("Set-Cookie"))["csrftoken"].value
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
    form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    server.request("POST", "/accounts/login/", body=form, headers={
        **PROXY, "Cookie": f"csrftoken={csrf}", "Origin": f"https://127.0.0.1:{port}",
        "Content-Type": "application/x-www-form-urlencoded"})
    answer = server.getresponse()
    answer.read()
    cookies = SimpleCookie()
    for header in answer.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    if answer.status != 302 or "sessionid" not in cookies:
        fail(f"the receptionist could not log in: {answer.status}")
    return cookies["sessionid"].value


# --- Gunicorn and wrk ----------------------------------------------------------------------------


def web_command(port: int) -> list[str]:
    """docker-compose.yml's web command, bound to `port`, with 2 workers."""
    import yaml

    args = shlex.split(yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]["web"]["command"])
    args[0] = str(Path(sys.executable).parent / args[0])
    args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    args[args.index("--workers") + 1] = "2"
    return args


def start_gunicorn(folder: Path, port: int) -> subprocess.Popen:
    (folder / "bench_http_settings.py").write_text(SETTINGS_MODULE)
    (folder / "bench_http_urls.py").write_text(URLS_MODULE)
    env = {
        **os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(BASE_DIR)]),
        "DJANGO_SETTINGS_MODULE": "bench_http_settings", "DEBUG": "false",
        "SECRET_KEY": "bench-http-" + "k" * 50, "SITE_URL": "https://bench.example", "LOG_LEVEL": "WARNING",
        # The pages need the static files' manifest, which the Docker image builds: kept between runs.
        "STATIC_ROOT": str(BASE_DIR / "var" / "bench-http-static"),
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=BASE_DIR, env=env,
                   check=True)
    log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(web_command(port), cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"gunicorn exited with {server.returncode}:\n{(folder / 'gunicorn.log').read_text()[-2000:]}")
        try:
            health = urllib.request.Request(f"http://127.0.0.1:{port}/health/", headers=PROXY)
            with urllib.request.urlopen(health, timeout=2):
                return server
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.5)
    server.terminate()
    fail(f"gunicorn did not answer /health/ within 60 s:\n{(folder / 'gunicorn.log').read_text()[-2000:]}")


def fetch(url: str, headers: dict) -> dict | list:
    """One request before the load: it must be a 200 with JSON, or nothing is measured."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        fail(f"{url} answered {error.code}: {error.read()[:300]!r}")


def wrk(url: str, headers: dict, *, seconds: int, connections: int, script: Path) -> tuple[int, float]:
    """Requests answered and seconds taken; any non-2xx or socket error stops the benchmark."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url]
    for name, value in headers.items():
        args[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(args, capture_output=True, text=True, check=False)
    line = next((line for line in output.stdout.splitlines() if line.startswith("WRK ")), None)
    if output.returncode != 0 or line is None:
        fail(f"wrk failed on {url}: {output.stderr or output.stdout}")
    result = json.loads(line[4:])
    errors = {k: result[k] for k in ("non2xx", "connect", "read", "write", "timeout") if result[k]}
    if errors or not result["requests"]:
        fail(f"{url}: {errors or 'no request answered'} of {result['requests']} requests; first: {result['sample']}")
    return result["requests"], result["micros"] / 1e6


def routes(clinic: dict, key: str, cookie: str) -> list[tuple[str, str, str, dict, dict]]:
    """(name, product path, floor path, the client's credentials, query) of each measured route;
    the floor gets the same query, plus the clinic's zone (the product reads it from the location)."""
    location, doctor = clinic["location"].pk, clinic["doctor"].pk
    day = clinic["first_day"] + timedelta(days=30)
    after = datetime.fromisoformat(f"{day}T00:00:00").replace(tzinfo=ZoneInfo(clinic["location"].timezone))
    monday = day - timedelta(days=day.weekday())
    token = {"Authorization": f"Token {key}"}
    return [
        ("sessions list, one day", "/api/v1/sessions/", "/floor/sessions/", token,
         {"location": location, "start_after": after.isoformat(),
          "start_before": (after + timedelta(days=1)).isoformat(), "page_size": 100}),
        ("calendar week feed, one practitioner", "/booking/calendar/feed/", "/floor/feed/",
         {"Cookie": f"sessionid={cookie}"},
         {"location": location, "start": f"{monday}T00:00:00", "end": f"{monday + timedelta(days=7)}T00:00:00",
          "by": "practitioner", "resource": doctor}),
        ("patient search", "/api/v1/patients/", "/floor/patients/", token, {"q": "patient 123"}),
    ]


def measure(port: int, route: tuple, zone: str, *, seconds: int, connections: int, script: Path) -> str:
    name, product, floor, credentials, query = route
    product_url = f"http://127.0.0.1:{port}{product}?{urlencode(query)}"
    floor_url = f"http://127.0.0.1:{port}{floor}?{urlencode({**query, 'zone': zone})}"
    headers = {**PROXY, **credentials}
    body, bare = fetch(product_url, headers), fetch(floor_url, PROXY)
    shown = body["results"] if isinstance(body, dict) else body
    if not shown or [str(row["id"]) for row in shown] != [str(row["id"]) for row in bare["results"]]:
        fail(f"{name}: the product and the floor do not show the same rows ({len(shown)}, {len(bare['results'])})")
    for url, sent in ((product_url, headers), (floor_url, PROXY)):
        wrk(url, sent, seconds=1, connections=connections, script=script)  # warm-up
    # Product and floor take turns, so that a change in the machine's other load hits both alike.
    totals = [[0, 0.0], [0, 0.0]]
    for _ in range(ROUNDS):
        for total, (url, sent) in zip(totals, ((product_url, headers), (floor_url, PROXY)), strict=True):
            requests, elapsed = wrk(url, sent, seconds=max(1, seconds // ROUNDS), connections=connections,
                                    script=script)
            total[0] += requests
            total[1] += elapsed
    rates = [requests / elapsed for requests, elapsed in totals]
    total = f" of {body['count']}" if isinstance(body, dict) else ""
    return (f"{name} ({len(shown)} rows{total}): product {rates[0]:,.0f} req/s, floor {rates[1]:,.0f} req/s, "
            f"ratio {rates[0] / rates[1]:.0%} (target: at least {TARGET:.0%})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--seconds", type=int, default=10, help="of load per route and per side")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        fail("wrk is not installed (apt-get install wrk, or `make bench-http`)")
    django_on_bench_database(BENCH_DB)
    clinic = world(args.sessions)
    key, password = receptionist()
    with tempfile.TemporaryDirectory(prefix="bench-http-") as folder:
        folder = Path(folder)
        script = folder / "count.lua"
        script.write_text(WRK_SCRIPT)
        port = free_port()
        server = start_gunicorn(folder, port)
        try:
            served = fetch(f"http://127.0.0.1:{port}/floor/settings/", PROXY)
            print(f"gunicorn {' '.join(web_command(port)[1:])}, {served}; wrk -t2 -c{args.connections}, "
                  f"{args.seconds} s per side in {ROUNDS} turns")
            cookie = log_in(port, "bench-reception", password)
            for route in routes(clinic, key, cookie):
                print(measure(port, route, clinic["location"].timezone, seconds=args.seconds,
                              connections=args.connections, script=script))
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
