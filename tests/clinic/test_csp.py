"""Content-Security-Policy: a fresh nonce on every page, nothing inline that the policy would
refuse, and the API's schema and docs page for staff only, served from our own static files."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from clinic.access_log import loggable_path, loggable_url
from tests.helpers import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
PAGE_TEMPLATES = [t for t in TEMPLATES if "emails" not in t.relative_to(ROOT / "templates").parts]
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


def nonce_of(response) -> str:
    sources = [s for s in policy(response)["script-src"] if s.startswith("'nonce-")]
    assert len(sources) == 1, policy(response)
    return sources[0][len("'nonce-"):-1]


@pytest.mark.django_db
def test_every_page_carries_a_policy_with_a_fresh_nonce_its_scripts_use(desk):
    first, second = desk.get("/"), desk.get("/patients/")
    assert first.status_code == second.status_code == 200
    directives = policy(first)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"] + directives["style-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "style-src-attr" not in directives
    nonce = nonce_of(first)
    assert nonce != nonce_of(second)
    scripts = SCRIPT_TAG.findall(first.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts)


@pytest.mark.django_db
def test_the_login_page_is_under_the_policy_too(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "script-src" in policy(response)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda t: str(t.relative_to(ROOT / "templates")))
def test_no_page_template_has_inline_handlers_styles_or_unnonced_scripts(template):
    text = template.read_text()
    assert not INLINE_HANDLER.search(text), "inline event handler: use a listener in static/js/"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute: use a class in static/css/"
    assert "javascript:" not in text.lower()
    for attributes in SCRIPT_TAG.findall(text):
        assert "src=" in attributes or "nonce=" in attributes, f"inline <script{attributes}> without a nonce"


def test_the_template_checks_catch_what_they_look_for():
    assert INLINE_HANDLER.search('<select class="x"\n onchange="this.form.submit()">')
    assert STYLE_ATTRIBUTE.search('<td class="small" style="max-width: 1rem">')
    assert not INLINE_HANDLER.search('<a href="/" data-confirm="Sure?">')
    assert not STYLE_ATTRIBUTE.search("<p>style=</p>")


@pytest.mark.django_db
def test_an_anonymous_client_is_refused_the_schema_in_the_api_error_body(api_anonymous):
    response = api_anonymous.get("/api/v1/schema/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_an_anonymous_browser_is_sent_from_the_docs_page_to_the_login_page(client):
    for path in ("/api/v1/docs/", "/api/v1/docs/?script="):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs/")


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_ui_from_our_static_files_and_no_inline_script(desk):
    response = desk.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert not [a for a in SCRIPT_TAG.findall(html) if "src=" not in a]
    script = desk.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_logged_paths_keep_no_link_token_and_urls_no_query():
    assert loggable_path("/p/confirm/eyJwIjo1fQ:1tX:abc/") == "/p/confirm/[token]/"
    assert loggable_path("/patients/12/") == "/patients/12/"
    assert loggable_url("https://clinic.example.com/patients/?q=Ay%C5%9Fe") == "https://clinic.example.com/patients/"
    assert loggable_url("/p/change/tok/?x=1") == "/p/change/[token]/"
    assert loggable_url("-") == "-"


@pytest.mark.django_db
def test_the_email_page_alone_lets_the_framed_email_style_with_attributes(desk):
    from patients.booking import services as booking
    from patients.models import Reminder
    from tests.patients.booking.world import ISTANBUL, build_world

    world = build_world()
    start = datetime.combine(timezone.localdate() + timedelta(days=10), time(10), ISTANBUL)
    while start.weekday() >= 5:
        start += timedelta(days=1)
    course, _ = booking.course_book(patient=world.patient, protocol=world.protocol, location=world.location,
                                    start=start, now=timezone.now())
    response = desk.get(f"/reminders/{Reminder.objects.filter(course=course).first().pk}/")
    assert response.status_code == 200
    directives = policy(response)
    # The sandboxed srcdoc frame inherits the page's policy; emails style with attributes.
    assert directives["style-src-attr"] == ["'unsafe-inline'"]
    assert "'unsafe-inline'" not in directives["script-src"] and nonce_of(response)
