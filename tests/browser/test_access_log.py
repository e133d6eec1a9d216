"""An admin reads who saw a patient's data: what (record, list, course...), where and how.
Screenshot: tests/browser/screenshots/access-log.png."""

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import PatientFactory


def test_an_admin_sees_each_kind_of_read_in_the_access_log(login):
    patient = PatientFactory(first_name="Omar", last_name="Haddad")
    page = login("admin")
    page.goto("/patients/?q=Haddad")
    page.get_by_role("link", name="Haddad, Omar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Omar Haddad")
    page.get_by_role("link", name="Access log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access log")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Patient record")
    expect(rows.nth(0)).to_contain_text(f"/patients/{patient.pk}/")
    expect(rows.nth(1)).to_contain_text("Search results")
    assert_accessible(page)
    screenshot(page, "access-log")
