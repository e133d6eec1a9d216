import pytest

from tests.browser.conftest import assert_accessible, screenshot


@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
def test_each_role_logs_in_and_sees_its_home(login, role):
    page = login(role)
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text(role, exact=True).first.is_visible()
    screenshot(page, f"home-{role}")
    assert_accessible(page)


def test_login_page_is_accessible_and_rejects_a_wrong_password(page, receptionist):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(receptionist.username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Please enter a correct username and password").is_visible()
    screenshot(page, "login-error")
