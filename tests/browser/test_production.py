"""Production as docker-compose.yml runs it: the web service's gunicorn command with DEBUG off,
production settings and whitenoise serving what collectstatic wrote (into a temporary folder).
Each role logs in through Chromium and opens every page of its navigation, and a few pages the
navigation leads to (the day and week calendars, a course, an email, the API docs): every one
answers 200 with no console error and no Content-Security-Policy violation; static files have
hashed names and far-future, immutable cache headers; nothing is fetched from another origin.

The proxy in front of web terminates TLS and says so with X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER);
the browser sends that header instead of production's hardening being switched off."""

import http.client
import os
import re
import subprocess
import sys
import urllib.request
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patients.booking import services as booking
from patients.models import Reminder
from tests.browser.conftest import screenshot
from tests.clinic.test_compose import service_command
from tests.conftest import PASSWORD
from tests.helpers import ROOT, free_port, process_env, stop, wait_until
from tests.patients.booking.world import ISTANBUL, build_world

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECRET_KEY = "smoke-" + "s" * 30 + "-production-secret-0123456789"
HASHED = re.compile(r"\.[0-9a-f]{12}\.[a-z0-9]+$")
FAR_FUTURE = "max-age=315360000"


def without_test_flags(env: dict[str, str]) -> dict[str, str]:
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE belongs to the test process, not to production.
    return {k: v for k, v in env.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    target = tmp_path_factory.mktemp("staticfiles")
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT,
                            env=without_test_flags({**os.environ, "DEBUG": "false", "SECRET_KEY": SECRET_KEY,
                                                "SITE_URL": "https://clinic.example.com",
                                                "STATIC_ROOT": str(target)}), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return target


@pytest.fixture
def production(static_root, tmp_path, transactional_db):
    """The compose web command on a free port, on the test database; yields its base URL."""
    port = free_port()
    base = f"http://localhost:{port}"
    args = [a.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for a in service_command("web")]
    env = without_test_flags(process_env(DEBUG="false", SECRET_KEY=SECRET_KEY, STATIC_ROOT=str(static_root),
                                         ALLOWED_HOSTS="localhost", SITE_URL=f"https://localhost:{port}",
                                         CSRF_TRUSTED_ORIGINS=base))
    # The access log goes to a file: a pipe nobody reads would fill and stall gunicorn.
    log = tmp_path / "web.log"
    with log.open("w") as output:
        web = subprocess.Popen(args, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)

    def healthy() -> bool:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/health/",
                                         headers={"Host": f"localhost:{port}", "X-Forwarded-Proto": "https"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    try:
        wait_until(healthy, timeout=60, message="gunicorn (production settings) to answer /health/")
        yield base
    finally:
        stop(web)
        print(log.read_text()[-5000:])


class Walk:
    """One browser context for one role: what it fetched, what the console and CSP reported."""

    def __init__(self, chromium, base: str) -> None:
        self.base = base
        self.context = chromium.new_context(viewport={"width": 1180, "height": 820}, base_url=base,
                                            extra_http_headers={"X-Forwarded-Proto": "https"})
        self.context.set_default_timeout(20_000)
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.static: list[tuple[str, int, str]] = []
        self.context.expose_function("reportViolation", lambda text: self.violations.append(text))
        self.context.add_init_script(
            "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation("
            "`${e.violatedDirective} blocked ${e.blockedURI} at ${e.documentURI}:${e.lineNumber}`));"
        )
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"{self.page.url}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"{self.page.url}: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        if "/static/" in response.url:
            self.static.append((response.url, response.status, response.headers.get("cache-control", "")))

    def log_in(self, username: str) -> None:
        self.page.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(f"{self.base}/")

    def open(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "'nonce-" in response.headers["content-security-policy"], path
        self.page.wait_for_load_state("networkidle")
        assert not self.violations, self.violations
        assert not self.errors, self.errors

    def nav_links(self) -> list[str]:
        links = self.page.locator("#nav a.nav-link").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        return ["/", *dict.fromkeys(links)]


def booked_world():
    world = build_world()
    day = timezone.localdate(timezone.now(), ISTANBUL) + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=datetime.combine(day, time(10), ISTANBUL), now=timezone.now())
    return world, course, day


def test_production_serves_every_role_its_pages_under_the_policy_with_cached_static_files(
        production, chromium, make_staff):
    # Production's hardening is on: plain HTTP (no proxy saying https) is sent to HTTPS.
    plain = http.client.HTTPConnection(urlsplit(production).hostname, urlsplit(production).port, timeout=10)
    plain.request("GET", "/accounts/login/")
    answer = plain.getresponse()
    assert answer.status == 301 and answer.getheader("Location").startswith("https://")
    plain.close()

    world, course, day = booked_world()
    reminder = Reminder.objects.filter(course=course).first()
    when = f"location={world.location.pk}&date={day:%Y-%m-%d}"
    extra = [f"/patients/{world.patient.pk}/", f"/booking/courses/{course.pk}/",
             f"/booking/calendar/?{when}&view=day", f"/booking/calendar/?{when}&view=week",
             f"/reminders/{reminder.pk}/", "/api/v1/docs/"]
    visited: dict[str, list[str]] = {}
    for role in ("receptionist", "doctor", "admin"):
        user = make_staff(role, f"smoke-{role}")
        walk = Walk(chromium, production)
        try:
            walk.log_in(user.username)
            pages = walk.nav_links()
            if role == "admin":
                extra_pages = [*extra, "/clinic/locations/new/"]
            else:
                extra_pages = extra
            for path in [*pages, *extra_pages]:
                walk.open(path)
                if "view=week" in path:
                    expect(walk.page.get_by_test_id("calendar-event").first).to_be_visible()
                    screenshot(walk.page, f"production-calendar-week-{role}")
                elif "view=day" in path:
                    session = walk.page.get_by_test_id("calendar-session").first
                    expect(session).to_be_visible()
                    # The grid placement comes from the nonce'd <style>, not from attributes.
                    assert session.evaluate("e => getComputedStyle(e).gridRowStart") != "auto"
                    screenshot(walk.page, f"production-calendar-day-{role}")
                elif path == "/api/v1/docs/":
                    expect(walk.page.locator(".swagger-ui .info .title")).to_contain_text("Anagen API")
                    expect(walk.page.locator(".opblock").first).to_be_visible()
                    walk.page.wait_for_load_state("networkidle")
                    assert not walk.violations and not walk.errors, (walk.violations, walk.errors)
                    screenshot(walk.page, f"production-api-docs-{role}")
                elif path == "/clinic/locations/new/":
                    # The hours editor's script (static, no inline code) runs: "Add hours" adds a row.
                    day_block = walk.page.locator(".hours-day").first
                    rows = day_block.locator(".hours-row").count()
                    day_block.locator(".hours-add").click()
                    expect(day_block.locator(".hours-row")).to_have_count(rows + 1)
            visited[role] = pages
            foreign = [url for url in walk.requests if not url.startswith(production + "/")]
            assert not foreign, foreign
            assert walk.static, "no static file was fetched"
            for url, status, cache in walk.static:
                assert status == 200, (url, status)
                assert HASHED.search(url.split("?")[0]), f"{url} is not a manifest (hashed) name"
                assert FAR_FUTURE in cache and "immutable" in cache, (url, cache)
        finally:
            walk.context.close()
    # The walk covered every section of each role's navigation.
    sections = {"/patients/", "/booking/new/", "/booking/calendar/", "/booking/chase/", "/reminders/",
                "/protocols/", "/clinic/locations/"}
    for role, pages in visited.items():
        assert sections <= set(pages), (role, pages)
