"""A starter protocol's page on the front desk's tablet (landscape, 1024x768) for a doctor who reads
Turkish, and one who reads Arabic (right to left): translated, laid out without sideways scrolling,
and axe-core clean. Screenshots: tests/browser/screenshots/i18n-protocol-{tr,ar}.png."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clinic.models import StaffProfile
from protocols.models import Protocol
from tests.browser.conftest import assert_accessible, screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.clock("2027-04-01T09:00+03:00")]

TABLET = {"width": 1024, "height": 768}
CODE = "EXO-AGA-3x6W"
EXPECTED = {
    "tr": {"heading": "Tedavi programı zaman çizelgesi", "sessions": "Seanslar", "rules": "Klinik kurallar",
           "button": "Revize et", "status": "Etkin"},
    "ar": {"heading": "الخط الزمني للبرنامج العلاجي", "sessions": "الجلسات", "rules": "القواعد السريرية",
           "button": "مراجعة", "status": "نشط"},
}


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_a_starter_protocol_page_on_a_tablet_in_turkish_and_arabic(chromium, live_server, make_staff, language):
    call_command("load_starter_protocols", stdout=StringIO())
    protocol = Protocol.objects.get(code=CODE, status="active")
    doctor = make_staff("doctor")
    StaffProfile.objects.create(user=doctor, language=language)
    context = chromium.new_context(reduced_motion="reduce", viewport=TABLET, base_url=live_server.url, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(doctor.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r".*/$"))
        page.goto(f"/protocols/{protocol.pk}/")
        page.wait_for_load_state("networkidle")

        html = page.locator("html")
        expect(html).to_have_attribute("lang", language)
        expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        words = EXPECTED[language]
        expect(page.get_by_role("heading", name=words["heading"])).to_be_visible()
        expect(page.get_by_role("heading", name=words["sessions"], exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name=words["rules"])).to_be_visible()
        expect(page.get_by_role("button", name=words["button"])).to_be_visible()
        expect(page.locator("h1 .badge")).to_have_text(words["status"])
        # The course drawn to scale names itself in the language, for a screen reader.
        timeline = page.locator("svg.protocol-timeline")
        expect(timeline.locator("title").first).to_contain_text(CODE)
        assert "Timeline of" not in timeline.inner_html()

        if language == "ar":
            # Right to left: the title block starts at the right edge, the actions sit to its left.
            title = page.locator(".page-header h1").bounding_box()
            actions = page.locator(".page-header .d-flex").first.bounding_box()
            assert actions["x"] < title["x"], (actions, title)
            assert title["x"] + title["width"] > TABLET["width"] / 2
        width = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"the page scrolls sideways: {width[0]} > {width[1]}"
        screenshot(page, f"i18n-protocol-{language}")
        assert_accessible(page)
    finally:
        context.close()
