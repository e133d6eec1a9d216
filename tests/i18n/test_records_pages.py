"""The treatment room's and the outcomes' pages in Turkish, Arabic, Spanish and German for a doctor
who chose that language: the visit's record form with a refusal, the amendment, the lots (list,
detail, receiving one, the recall), a new product, adverse events (form and list), the measurement
grid with a refused value, a visit's photos and the comparison, the patient's outcomes card and the
two reports. No English word of these pages' messages is left, the page's lang and dir are right."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from clinic.models import StaffProfile
from patients.models import AdverseEvent, Lot
from patients.outcomes.photos import photo_add
from patients.records.services import session_record
from tests.helpers import client_for
from tests.i18n.pages import LANGUAGES, class_of, english_of, page_in_language
from tests.i18n.visible_text import leaked, visible_text
from tests.patients.outcomes.photos.world import jpeg, photo_consent, upload
from tests.patients.outcomes.world import VISIT, at, build_room, density, measure

pytestmark = [pytest.mark.django_db, pytest.mark.clock(VISIT)]  # during session 1, Mon 1 Mar 2027

# What this slice put through the catalogue; the words of its English messages must not show.
SLICE = ("templates/records/", "templates/outcomes/", "patients/records/", "patients/outcomes/",
         "patients/templatetags/records_tags.py", "patients/templatetags/outcomes_tags.py",
         "patients/templatetags/photo_tags.py")
LATER = at("2027-03-29 10:20")  # during session 2, day 28


def slice_page(tag: str, attrs: dict[str, str]) -> bool:
    """A treatment-room or outcomes page: all of <main> is this slice's, and the page's title."""
    return tag in ("main", "title")


def panel_parts(tag: str, attrs: dict[str, str]) -> bool:
    """A session's or a patient's page: only the boxes this slice puts on it."""
    return attrs.get("data-testid") in ("session-record", "session-measurements", "session-photos",
                                        "patient-outcomes", "patient-photos")


def home_parts(tag: str, attrs: dict[str, str]) -> bool:
    """The home page: the serious events to review, the treatment room's tile and nav links."""
    return attrs.get("data-testid") == "home-serious-events" or (
        tag == "a" and attrs.get("href", "").startswith(("/treatment/", "/outcomes/")))


def not_ours(tag: str, attrs: dict[str, str]) -> bool:
    """Lists of what the clinic typed (protocol codes, locations), and the session picker's visits,
    whose status is the booking's word."""
    return (tag == "select" and attrs.get("name") in ("protocol", "protocol_code", "location", "session")) or (
        tag == "ul" and "me-auto" in class_of(attrs))


@pytest.fixture(scope="module")
def english() -> dict[str, frozenset[str]]:
    return english_of(SLICE)


@pytest.fixture
def photo_store(settings, tmp_path) -> Path:
    folder = tmp_path / "photo-store"
    settings.STORAGES = {**settings.STORAGES, "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}}
    return folder


@pytest.fixture
def room(db, photo_store):
    """Session 1 recorded (2.5 mL of lot EXO-001 on the vertex), a second lot and a PRP kit's, an
    adverse event after the visit; density measured at sessions 1 and 2 of two patients; photos
    (vertex and frontal) at both visits of the first."""
    room = build_room()
    from django.contrib.auth import get_user_model

    author, _ = get_user_model().objects.update_or_create(username="records-author",
                                                         defaults={"first_name": "Ayşe", "last_name": "Kara"})
    record = session_record(session=room.first, products=[{"lot": room.lot, "quantity": "2.5", "sites": ["vertex"]}],
                            adjuncts_done=[], notes="Tolerated well", by=author, now=VISIT)
    room.new_lot(lot_number="EXO-002")
    room.new_lot(room.prp, lot_number="KIT-7", quantity_received=2)
    AdverseEvent.objects.create(patient=room.world.patient, session=room.first, onset=date(2027, 3, 1), kind="redness",
                                severity="mild", serious=True, description="Kızarıklık", filed_by=author,
                                filed_at=VISIT)
    other = room.book_another("2027-03-01 11:00")
    for first, (baseline, follow_up) in ((room.first, ("120.5", "150.75")), (other, (100, 110))):
        measure(first, density(baseline))
        measure(first.course.sessions.get(number=2), density(follow_up), now=LATER)
    photo_consent(room.world.patient)
    photo_consent(other.patient)
    for session, view, now in ((room.first, "vertex", VISIT), (room.first, "frontal", VISIT),
                               (room.second, "vertex", LATER)):
        photo_add(session=session, view=view, upload=upload(jpeg(800, 800)), by=author, now=now)
    room.record, room.author, room.other = record, author, other
    return room


def doctor_in(make_staff, language: str):
    user = make_staff("doctor")
    user.first_name, user.last_name = "Deniz", "Yıldız"
    user.save()
    StaffProfile.objects.create(user=user, language=language)
    return user


def data_values(user, room) -> list[str]:
    """What the clinic typed in (names, codes, products, lots): shown as typed in every language."""
    world = room.world
    patients = [world.patient, room.other.patient]
    return [
        user.username, user.get_full_name(), room.author.get_full_name(), world.location.name,
        *(f"{p.first_name} {p.last_name}" for p in patients), *(p.first_name for p in patients),
        *(p.last_name for p in patients), *(d.name for d in world.doctors), *(r.name for r in world.rooms),
        world.protocol.code, world.protocol.name, "AutoExo", "PRP kit", "Lab A", "Kits Ltd", "EXO-001", "EXO-002",
        "KIT-7", "Tolerated well", "Kızarıklık", "Supplier notice", "Dose written wrong", "mL",
    ]


def assert_in_language(response, language: str, english: set[str], data: list[str], include=slice_page,
                       **options) -> str:
    return page_in_language(response, language, english, data, include=include, exclude=not_ours, **options)


def record_body(session, rows, prefix=None) -> dict:
    prefix = prefix or f"rec{session.pk}"
    body = {f"{prefix}-TOTAL_FORMS": "3", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "10", "adjuncts_done": [], "notes": ""}
    for index, (lot, quantity, sites) in enumerate(rows):
        body.update({f"{prefix}-{index}-lot": str(lot.pk), f"{prefix}-{index}-quantity": quantity,
                     f"{prefix}-{index}-sites": list(sites)})
    return body


def pages(room) -> list[tuple[str, str, dict | None, object, int]]:
    """(method, path, body, what to read, status) of every page of the slice, as a doctor sees it."""
    world, first, lot = room.world, room.first, room.lot
    other_session = room.other
    event = AdverseEvent.objects.get()
    amend = f"/treatment/records/{room.record.pk}/amend/"
    amend_prefix = f"amend{room.record.pk}"
    amend_body = {**record_body(first, [(lot, "3", ["vertex", "frontal"])], prefix=amend_prefix),
                  "reason": "Dose written wrong", "action": "preview"}
    patient_photos = f"/photos/patients/{world.patient.pk}/compare/"
    return [
        # The treatment room: a visit to record refused by its fields, then the amendment (and its check).
        ("post", f"/treatment/sessions/{other_session.pk}/record/",
         record_body(other_session, [(lot, "", [])]), slice_page, 400),
        ("get", amend, None, slice_page, 200),
        ("post", amend, amend_body, slice_page, 200),
        ("get", "/treatment/lots/", None, slice_page, 200),
        ("get", "/treatment/lots/?show=expiring", None, slice_page, 200),
        ("get", "/treatment/lots/?show=recalled", None, slice_page, 200),
        ("get", f"/treatment/lots/{lot.pk}/", None, slice_page, 200),
        ("get", "/treatment/lots/new/", None, slice_page, 200),
        ("post", "/treatment/lots/new/", {"product": room.exosome.pk, "lot_number": "EXO-001",
                                          "expires_on": "2027-01-01", "received_on": "2027-02-01",
                                          "quantity_received": "5"}, slice_page, 400),
        ("get", f"/treatment/lots/{lot.pk}/recall/", None, slice_page, 200),
        ("get", "/treatment/products/new/", None, slice_page, 200),
        ("post", "/treatment/products/new/", {"name": "AutoExo", "kind": "exosome", "unit": "mL"}, slice_page, 400),
        ("get", f"/treatment/patients/{world.patient.pk}/events/new/?session={first.pk}", None, slice_page, 200),
        ("get", f"/treatment/events/{event.pk}/edit/", None, slice_page, 200),
        ("get", "/treatment/events/", None, slice_page, 200),
        ("get", "/treatment/events/?serious=yes&unreviewed=yes", None, slice_page, 200),
        # Outcomes: the grid with a refused value, the photos, the patient's card, the reports.
        ("post", f"/outcomes/sessions/{other_session.pk}/measurements/",
         {"method": "trichoscopy", "v-density-vertex": "700", "v-hair_pull_count-scalp": "2.5"}, slice_page, 400),
        ("get", f"/outcomes/sessions/{other_session.pk}/measurements/", None, slice_page, 200),
        ("get", f"/photos/sessions/{first.pk}/", None, slice_page, 200),
        ("get", patient_photos, None, slice_page, 200),
        ("get", f"/patients/{world.patient.pk}/", None, panel_parts, 200),
        ("get", f"/booking/sessions/{other_session.pk}/", None, panel_parts, 200),
        ("get", f"/booking/sessions/{first.pk}/", None, panel_parts, 200),
        ("get", f"/outcomes/reports/outcomes/?protocol_code={world.protocol.code}&metric=density&day=28", None,
         slice_page, 200),
        ("get", f"/outcomes/reports/outcomes/?protocol_code={world.protocol.code}&metric=salt_score&day=28", None,
         slice_page, 200),
        ("get", "/outcomes/reports/adherence/?from=2027-03-01&to=2027-03-31", None, slice_page, 200),
        ("get", "/outcomes/reports/adherence/?from=2027-03-31&to=2027-03-01", None, slice_page, 400),
        ("get", "/", None, home_parts, 200),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_treatment_room_and_outcomes_pages_are_all_in_the_language(language, make_staff, room, english):
    user = doctor_in(make_staff, language)
    client = client_for(user)
    data = data_values(user, room)
    for method, path, body, include, status in pages(room):
        response = client.post(path, body) if method == "post" else client.get(path)
        assert_in_language(response, language, english[language], data, include, status=status)


def errors_of(html: str) -> str:
    return visible_text(html, lambda tag, attrs: bool({"invalid-feedback", "alert-danger"} & set(class_of(attrs))))


def test_refusals_and_messages_are_in_the_language(make_staff, room, english):
    """Turkish: a row without a quantity or site, an expired lot refused by the service, a density
    out of its range; the recall's message after the redirect."""
    user = doctor_in(make_staff, "tr")
    client = client_for(user)
    data = data_values(user, room)
    expired = room.new_lot(lot_number="OLD-9", expires_on=date(2027, 2, 1))
    other = room.other
    response = client.post(f"/treatment/sessions/{other.pk}/record/", record_body(other, [(room.lot, "", [])]))
    errors = errors_of(response.content.decode())
    assert "Hiçbir şey kaydedilmedi" in errors and "Ne kadar uygulandığını yazın." in errors
    assert not leaked(errors, english["tr"], data=data)
    response = client.post(f"/treatment/sessions/{other.pk}/record/", record_body(other, [(expired, "1", ["vertex"])]))
    errors = errors_of(response.content.decode())
    assert response.status_code == 422 and "OLD-9" in errors and "1 Şub 2027" in errors, errors
    assert not leaked(errors, english["tr"], data=[*data, "OLD-9"])
    response = client.post(f"/outcomes/sessions/{other.pk}/measurements/",
                           {"method": "trichoscopy", "v-density-vertex": "700"})
    errors = errors_of(response.content.decode())
    assert "700, yoğunluk aralığının dışında" in errors, errors
    assert not leaked(errors, english["tr"], data=data)
    response = client.post(f"/treatment/lots/{room.lot.pk}/recall/", {"reason": "Supplier notice"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/treatment/lots/{room.lot.pk}/"
    text = assert_in_language(response, "tr", english["tr"], data)
    assert "EXO-001 numaralı lot" not in text  # the message says "Lot EXO-001 geri çağrıldı"
    assert "Lot EXO-001 geri çağrıldı: bir daha asla uygulanmaz. 1 hasta bunu aldı (aşağıda listelendi)." in text
    assert Lot.objects.get(pk=room.lot.pk).recalled


def test_the_lot_picker_and_dates_are_written_the_languages_way(make_staff, room):
    page = client_for(doctor_in(make_staff, "de")).get(f"/treatment/sessions/{room.other.pk}/record/")
    assert "AutoExo · Charge EXO-002 · verfällt 29. Jun 2027 · 10 ml übrig" in page.content.decode()
    page = client_for(doctor_in_es(make_staff)).get(f"/treatment/lots/{room.lot.pk}/").content.decode()
    assert "Cantidad recibida" in page and "Pacientes que lo recibieron" in page


def doctor_in_es(make_staff):
    user = make_staff("doctor", username="doctor-es")
    StaffProfile.objects.create(user=user, language="es")
    return user


def test_english_pages_still_say_it_in_english(make_staff, room, english):
    """The check is not vacuous: the same pages in English show the words the other languages must not."""
    user = make_staff("doctor")
    client = client_for(user)
    data = data_values(user, room)
    lot_page = visible_text(client.get(f"/treatment/lots/{room.lot.pk}/").content.decode(), slice_page)
    assert {"Patients", "received", "Manufacturer", "Adverse", "events"} <= set(leaked(lot_page, english["tr"],
                                                                                       data=data))
    report = visible_text(client.get("/outcomes/reports/adherence/?from=2027-03-01&to=2027-03-31").content.decode(),
                          slice_page)
    assert {"Utilisation", "practitioner", "Sessions"} <= set(leaked(report, english["de"], data=data))
    card = visible_text(client.get(f"/patients/{room.world.patient.pk}/").content.decode(), panel_parts)
    assert {"Outcomes", "Standard", "photographs"} <= set(leaked(card, english["es"], data=data))


def outcome_cells(html: str) -> tuple[list[str], list[str]]:
    """The density table's dates and its "baseline → latest" cells, as the page writes them."""
    table = html[html.index('data-testid="outcome-table"'):]
    table = table[:table.index("</table>")]
    dates = re.findall(r'<td class="text-nowrap">([^<]+)</td>', table)
    changes = re.findall(r'data-testid="outcome-change">([^<]+)</td>', table)
    return dates, [" ".join(change.split()) for change in changes]


@pytest.mark.parametrize(("language", "days", "change", "dose"), [
    ("en", ["1 Mar 2027", "29 Mar 2027"], "120.5 → 150.75 (+30.25, +25.1 %)", "2.5 mL"),
    ("de", ["1. Mär 2027", "29. Mär 2027"], "120,5 → 150,75 (+30,25, +25,1 %)", "2,5 ml"),
    ("tr", ["1 Mar 2027", "29 Mar 2027"], "120,5 → 150,75 (+30,25, +25,1 %)", "2,5 mL"),
    ("es", ["1 Mar 2027", "29 Mar 2027"], "120,5 → 150,75 (+30,25, +25,1 %)", "2,5 mL"),
    ("ar", ["1 مارس 2027", "29 مارس 2027"], "120,5 → 150,75 (+30,25, +25,1 %)", "2,5 مل"),
])
def test_figures_doses_and_dates_are_written_the_languages_way(make_staff, room, language, days, change, dose):
    """The outcomes card's table (dates from the API's ISO days, figures from Decimals) and a lot's
    quantities use the language's date format and decimal comma, not "2027-03-29" and "150.75"."""
    client = client_for(doctor_in(make_staff, language))
    card = client.get(f"/patients/{room.world.patient.pk}/").content.decode()
    assert outcome_cells(card) == (days, [change])
    lot_page = visible_text(client.get(f"/treatment/lots/{room.lot.pk}/").content.decode(), slice_page)
    assert dose in lot_page
