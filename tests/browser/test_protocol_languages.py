"""A doctor writes a session's instructions in Turkish and Arabic in the editor's "Other languages"."""

from playwright.sync_api import expect

from protocols.models import ProtocolSession
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import ProtocolFactory, session_rows

TURKISH = "Ziyaretten önceki akşam saçınızı yıkayın."
ARABIC = "اغسلوا شعركم في المساء السابق للزيارة."


def test_a_doctor_adds_the_other_languages_to_a_session_and_an_error_opens_its_group(login, page):
    draft = ProtocolFactory(code="EXO-LANG", sessions=session_rows(2), home_adjuncts=["minoxidil"])
    login("doctor")
    page.goto(f"/protocols/{draft.pk}/edit/")
    row = page.locator("[data-session-row]").first
    group = row.locator("[data-other-languages]")
    # Collapsed by default: the English field stays the one in view.
    expect(group.locator("[name='sessions-0-instructions_tr']")).to_be_hidden()
    group.locator("summary").click()
    group.locator("[name='sessions-0-instructions_tr']").fill(TURKISH)
    arabic = group.locator("[name='sessions-0-instructions_ar']")
    expect(arabic).to_have_attribute("dir", "rtl")
    arabic.fill(ARABIC)
    german = group.locator("[name='sessions-0-instructions_de']")
    expect(german).to_have_attribute("maxlength", "4000")
    # The browser stops typing at 4000; a client that ignores maxlength meets the server's check.
    german.evaluate("(box) => box.removeAttribute('maxlength')")
    german.fill("x" * 4001)
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#form-errors")).to_be_visible()
    row = page.locator("[data-session-row]").first
    german = row.locator("[name='sessions-0-instructions_de']")
    expect(german).to_be_visible()  # the group with the error is open
    expect(german).to_have_class("textarea form-control is-invalid")
    expect(row.get_by_text("Ensure this value has at most 4000 characters")).to_be_visible()
    screenshot(page, "protocol-form-languages-error")
    assert_accessible(page)

    german.fill("Waschen Sie Ihre Haare am Abend vorher.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft EXO-LANG v1 saved.")).to_be_visible()
    assert ProtocolSession.objects.get(protocol=draft, number=1).instructions_i18n == {
        "tr": TURKISH, "ar": ARABIC, "de": "Waschen Sie Ihre Haare am Abend vorher."}
    page.get_by_text("In other languages:").first.click()
    expect(page.locator("dd[lang='ar'][dir='rtl']").first).to_have_text(ARABIC)
    screenshot(page, "protocol-detail-languages")
    assert_accessible(page)
