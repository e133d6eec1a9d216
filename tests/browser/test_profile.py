"""A doctor opens their profile from the user menu, makes an API key, revokes it, and gets the old
password wrong. Screenshots: tests/browser/screenshots/profile-*.png."""

import re

from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from tests.browser.conftest import assert_accessible, screenshot


def test_a_doctor_manages_their_api_key_and_password_from_the_profile_page(login):
    page = login("doctor")
    page.get_by_role("button", name="Your menu").click()
    screenshot(page, "profile-user-menu")
    page.get_by_role("link", name="Your profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_text("You have no API key.")).to_be_visible()

    page.get_by_role("button", name="Create a new key").click()
    key = Token.objects.get(user__username="doctor1").key
    expect(page.get_by_label("Your new key")).to_have_value(key)
    expect(page.get_by_text("Expires")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "profile-new-key")

    page.reload()
    expect(page.get_by_label("Your new key")).to_have_count(0)
    expect(page.get_by_text(f"{key[:4]}••••••••••••")).to_be_visible()

    page.get_by_role("link", name="Revoke…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke your API key")
    screenshot(page, "profile-revoke-confirm")
    page.get_by_role("button", name="Yes, revoke the key").click()
    expect(page.get_by_role("alert")).to_contain_text("Your API key is revoked")
    assert not Token.objects.filter(key=key).exists()

    page.get_by_label("Old password").fill("not-my-password")
    page.locator("#id_new_password1").fill("a-brand-new-long-secret-42")
    page.get_by_label("New password confirmation").fill("a-brand-new-long-secret-42")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#id_old_password")).to_have_class(re.compile(r"\bis-invalid\b"))
    # The error sits by its field, not at the top of the form.
    expect(page.locator("#div_id_old_password")).to_contain_text("Your old password was entered incorrectly")
    assert_accessible(page)
    screenshot(page, "profile-password-error")
