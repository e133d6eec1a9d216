import pytest

from tests.browser.conftest import assert_accessible, screenshot

SETUP_PAGES = ["locations", "practitioners", "rooms", "closures"]


@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
def test_each_role_logs_in_sees_its_home_and_the_clinic_set_up_pages(login, role):
    from tests.factories import LocationFactory, PractitionerFactory, RoomFactory

    location = LocationFactory(name="Anagen Istanbul")
    PractitionerFactory(location=location, name="Dr. Aydın")
    RoomFactory(location=location, name="Room 1")
    page = login(role)
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_text(role, exact=True).first.is_visible()
    screenshot(page, f"home-{role}")
    assert_accessible(page)
    for name in SETUP_PAGES:
        page.goto(f"/clinic/{name}/")
        assert page.get_by_role("heading", level=1).is_visible()
        # Only an admin may change the clinic's set-up.
        add = page.get_by_role("link", name="New ", exact=False)
        assert (add.count() > 0) == (role == "admin"), (role, name)
        screenshot(page, f"setup-{name}-{role}")
        assert_accessible(page)


def test_login_page_is_accessible_and_rejects_a_wrong_password(page, receptionist):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(receptionist.username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Please enter a correct username and password").is_visible()
    screenshot(page, "login-error")
