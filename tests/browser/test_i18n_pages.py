"""The home, locations and profile pages on the front desk's tablet in Turkish and in Arabic (right
to left): translated, laid out, and axe-core clean. Screenshots: tests/browser/screenshots/i18n-*.png."""

import pytest

from clinic.models import StaffProfile
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories.clinic import LocationFactory, PractitionerFactory, RoomFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED = {
    "tr": {"home": "Klinik ayarları", "locations": "Şubeler", "profile": "Profiliniz"},
    "ar": {"home": "إعداد العيادة", "locations": "الفروع", "profile": "ملفك الشخصي"},
}


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_home_locations_and_profile_in_turkish_and_arabic(login, make_staff, language):
    location = LocationFactory(name="Nişantaşı", address="Teşvikiye Cd. 12")
    PractitionerFactory(name="Ayşe Demir", location=location)
    RoomFactory(name="A-101", location=location)
    user = make_staff("admin")
    StaffProfile.objects.create(user=user, language=language)
    page = login("admin")
    direction = "rtl" if language == "ar" else "ltr"
    for name, path in [("home", "/"), ("locations", "/clinic/locations/"), ("profile", "/accounts/profile/")]:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("html").get_attribute("dir") == direction
        assert EXPECTED[language][name] in page.content()
        screenshot(page, f"i18n-{name}-{language}")
        assert_accessible(page)
    # The log-out icon points out of the page: to the left when the page reads right to left.
    transform = page.locator(".bi-box-arrow-right").first.evaluate("icon => getComputedStyle(icon).transform")
    assert transform == ("matrix(-1, 0, 0, 1, 0, 0)" if language == "ar" else "none")
