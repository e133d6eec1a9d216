"""An admin imports patients from a spreadsheet's CSV: the preview names a row's error by its
field and a likely duplicate with a link; the corrected file is confirmed and the patients are
listed. Screenshots: tests/browser/screenshots/patient-import-*.png."""

from playwright.sync_api import expect

from patients.models import Patient
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import PatientFactory

HEADER = "first_name;last_name;email;phone;date_of_birth;sex;language;timezone;reminder_opt_in"
ROWS = [
    "Zeynep;Kaya;zeynep@example.com;+905321112233;1990-05-01;female;tr;Europe/Istanbul;true",
    "Omar;Haddad;omar@example.ae;+971501234567;1979-11-02;male;ar;Asia/Dubai;false",
    "Lucía;García;lucia@example.es;+34612345678;1985-02-10;female;es;Europe/Atlantis;true",
]


def csv_bytes(rows: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode()


def choose(page, rows: list[str]) -> None:
    page.get_by_label("CSV file").set_input_files(
        {"name": "patients.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)})
    page.get_by_role("button", name="Check the file").click()


def test_an_admin_previews_corrects_and_confirms_an_import(login):
    registered = PatientFactory(first_name="Omar", last_name="Haddad", email="omar@example.ae",
                                phone="+971509999999")
    page = login("admin")
    page.goto("/patients/")
    page.get_by_role("link", name="Import CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import patients")
    assert_accessible(page)

    choose(page, ROWS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the rows")
    table = page.locator("#import-rows")
    error_row = table.get_by_role("row").filter(has_text="García")
    expect(error_row).to_contain_text("timezone:")
    expect(error_row).to_contain_text("“Europe/Atlantis” is not an IANA time zone")
    duplicate = table.get_by_role("row").filter(has_text="omar@example.ae")
    expect(duplicate.get_by_role("link", name="Omar Haddad")).to_have_attribute(
        "href", f"/patients/{registered.pk}/")
    expect(page.locator("#import-blocked")).to_contain_text("1 row cannot be imported")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "patient-import-preview-errors")

    page.get_by_role("link", name="Upload another file").click()
    choose(page, [*ROWS[:2], ROWS[2].replace("Europe/Atlantis", "Europe/Madrid")])
    expect(page.locator("#import-blocked")).to_have_count(0)
    expect(page.get_by_text("1 row looks like a patient already registered")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "patient-import-preview-ready")
    page.get_by_role("button", name="Import 3 patients").click()

    expect(page.get_by_text("3 patients imported.")).to_be_visible()
    results = page.locator("#patient-results")
    for name in ("Kaya", "García", "Haddad"):
        expect(results.get_by_text(name).first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "patient-import-done")
    assert Patient.objects.count() == 4


def test_an_unreadable_file_is_refused_by_its_field_on_a_tablet_held_upright(login):
    page = login("admin")
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto("/patients/import/")
    turkish_windows = "first_name;last_name\nŞule;Kaya\n".encode("cp1254")
    page.get_by_label("CSV file").set_input_files(
        {"name": "patients.csv", "mimeType": "text/csv", "buffer": turkish_windows})
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("The file is not UTF-8 text")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "patient-import-wrong-encoding")
    assert not Patient.objects.exists()
