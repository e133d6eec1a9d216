"""Staff pages of the clinic set-up: who may see and change what, and the forms' messages."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from clinic.models import Closure, Location, Practitioner, Room
from tests.factories import ClosureFactory, LocationFactory, PractitionerFactory, RoomFactory

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    client.force_login(user)
    return client


def hours_data(prefix: str = "hours", rows: dict[int, list[tuple[str, str]]] | None = None) -> dict[str, str]:
    """POST data of the weekly hours editor: rows per weekday, as (opens, closes)."""
    data: dict[str, str] = {}
    for day in range(7):
        day_rows = (rows or {}).get(day, [])
        data[f"{prefix}-{day}-TOTAL_FORMS"] = str(max(len(day_rows), 1))
        data[f"{prefix}-{day}-INITIAL_FORMS"] = "0"
        for index, (opens, closes) in enumerate(day_rows):
            data[f"{prefix}-{day}-{index}-opens"] = opens
            data[f"{prefix}-{day}-{index}-closes"] = closes
    return data


def location_data(**overrides) -> dict[str, str]:
    data = {
        "name": "Anagen Madrid", "address": "Calle de Serrano 1", "timezone": "Europe/Madrid", "country": "ES",
        "subdivision": "md", "observe_public_holidays": "on", "slot_minutes": "15", "reminder_offsets": "24h, 7d",
        "route__autologous__injection": "on", "route__autologous__topical": "on", "route__plant__topical": "on",
    }
    if not any(key.startswith("hours-") for key in overrides):
        data.update(hours_data(rows={0: [("09:00", "13:00"), ("14:00", "19:00")], 5: [("10:00", "24:00")]}))
    data.update(overrides)
    return data


def page_urls(location, practitioner, room, closure) -> dict[str, list[str]]:
    return {
        "read": [
            reverse("clinic:location_list"), reverse("clinic:location_detail", args=[location.pk]),
            reverse("clinic:practitioner_list"), reverse("clinic:room_list"), reverse("clinic:closure_list"),
            reverse("clinic:closure_list") + f"?location={location.pk}&show=all",
        ],
        "write": [
            reverse("clinic:location_create"), reverse("clinic:location_update", args=[location.pk]),
            reverse("clinic:practitioner_create"), reverse("clinic:practitioner_update", args=[practitioner.pk]),
            reverse("clinic:room_create"), reverse("clinic:room_update", args=[room.pk]),
            reverse("clinic:closure_create"), reverse("clinic:closure_update", args=[closure.pk]),
        ],
    }


@pytest.fixture
def setup_objects():
    location = LocationFactory(name="Anagen Istanbul")
    practitioner = PractitionerFactory(location=location)
    room = RoomFactory(location=location)
    closure = ClosureFactory(location=location, start=datetime(2030, 1, 1, tzinfo=UTC),
                             end=datetime(2030, 1, 2, tzinfo=UTC))
    return location, practitioner, room, closure


@pytest.mark.parametrize("role", ["receptionist", "doctor"])
def test_receptionists_and_doctors_read_every_page_but_no_edit_page(client, make_staff, setup_objects, role):
    logged_in(client, make_staff(role))
    urls = page_urls(*setup_objects)
    for url in urls["read"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"New location" not in response.content and b"Edit" not in response.content, url
    for url in urls["write"]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("clinic:location_create"), location_data()).status_code == 403
    closure = setup_objects[3]
    assert client.post(reverse("clinic:closure_delete", args=[closure.pk])).status_code == 403
    assert Location.objects.count() == 1 and Closure.objects.count() == 1


def test_admins_open_every_page(client, admin_user, setup_objects):
    logged_in(client, admin_user)
    urls = page_urls(*setup_objects)
    for url in urls["read"] + urls["write"]:
        assert client.get(url).status_code == 200, url
    detail = client.get(reverse("clinic:location_detail", args=[setup_objects[0].pk])).content.decode()
    assert reverse("history", args=["clinic", "location", setup_objects[0].pk]) in detail


def test_anonymous_visitors_are_sent_to_the_login_page(client, setup_objects):
    urls = page_urls(*setup_objects)
    for url in urls["read"] + urls["write"]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_unknown_ids_are_404(client, admin_user):
    logged_in(client, admin_user)
    assert client.get("/clinic/locations/999999/").status_code == 404
    assert client.get("/clinic/closures/99999999999999999999/edit/").status_code == 404


def test_the_navigation_shows_clinic_set_up_to_every_role_and_the_tile_to_admins(client, make_staff):
    logged_in(client, make_staff("receptionist"))
    home = client.get("/").content.decode()
    assert "Clinic set-up" in home and reverse("clinic:setup_summary") not in home
    client.logout()
    logged_in(client, make_staff("admin"))
    assert reverse("clinic:setup_summary") in client.get("/").content.decode()
    LocationFactory()
    summary = client.get(reverse("clinic:setup_summary")).content.decode()
    assert "<strong>1</strong> location " in summary


# --- the location form -----------------------------------------------------------------------


def test_an_admin_creates_a_location_with_split_hours_and_a_route_policy(client, admin_user):
    logged_in(client, admin_user)
    response = client.post(reverse("clinic:location_create"), location_data())
    location = Location.objects.get()
    assert response.status_code == 302 and response.url == reverse("clinic:location_detail", args=[location.pk])
    assert location.subdivision == "MD"
    assert location.reminder_offsets == ["7d", "24h"]
    assert location.opening_hours == [
        {"weekday": 0, "opens": "09:00", "closes": "13:00"}, {"weekday": 0, "opens": "14:00", "closes": "19:00"},
        {"weekday": 5, "opens": "10:00", "closes": "24:00"},
    ]
    assert location.route_policy == {"autologous": ["injection", "topical"], "allogeneic_human": [],
                                     "plant": ["topical"], "animal": []}
    detail = client.get(response.url).content.decode()
    assert "09:00–13:00, 14:00–19:00" in detail


def test_an_admin_gives_a_location_the_phone_patients_call(client, admin_user):
    logged_in(client, admin_user)
    response = client.post(reverse("clinic:location_create"), location_data(phone="+34 915 55 01 23"))
    location = Location.objects.get()
    assert str(location.phone) == "+34915550123"
    assert "+34 915 55 01 23" in client.get(response.url).content.decode()


def test_editing_a_location_shows_its_hours_and_keeps_them_when_saved_unchanged(client, admin_user):
    logged_in(client, admin_user)
    location = LocationFactory(opening_hours=[{"weekday": 2, "opens": "08:30", "closes": "12:00"}])
    form = client.get(reverse("clinic:location_update", args=[location.pk])).context["form"]
    day = form.hours.days[2][2]
    assert day.forms[0].initial == {"opens": "08:30", "closes": "12:00"}
    data = location_data(name=location.name, timezone="Europe/Istanbul", country="TR", subdivision="",
                         **hours_data(rows={2: [("08:30", "12:00")]}))
    response = client.post(reverse("clinic:location_update", args=[location.pk]), data)
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.opening_hours == [{"weekday": 2, "opens": "08:30", "closes": "12:00"}]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone", "Select a valid choice"),
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"subdivision": "ZZ"}, "subdivision", "not a subdivision of ES"),
        ({"name": "<script>alert('x')</script>"}, "name", "Use plain text"),
        ({"name": "n" * 500}, "name", "at most 120 characters"),
        ({"reminder_offsets": "soon"}, "reminder_offsets", "not a duration"),
        ({"slot_minutes": "7"}, "slot_minutes", "Select a valid choice"),
        ({"phone": "call us"}, "phone", "valid phone number"),
    ],
)
def test_bad_location_input_gets_a_message_next_to_the_field(client, admin_user, overrides, field, message):
    logged_in(client, admin_user)
    response = client.post(reverse("clinic:location_create"), location_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Location.objects.exists()


def test_hours_that_close_before_they_open_are_flagged_on_the_row(client, admin_user):
    logged_in(client, admin_user)
    data = location_data(**hours_data(rows={1: [("19:00", "09:00")], 3: [("9am", "17:00")]}))
    response = client.post(reverse("clinic:location_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.hours.days[1][2].forms[0].errors["closes"] == ["Closes at 09:00, before it opens at 19:00."]
    assert "not a time written HH:MM" in form.hours.days[3][2].forms[0].errors["opens"][0]
    assert "Please correct the opening hours below." in form.non_field_errors()
    content = response.content.decode()
    assert "Closes at 09:00, before it opens at 19:00." in content and "is-invalid" in content
    assert not Location.objects.exists()


def test_overlapping_rows_on_one_day_are_refused(client, admin_user):
    logged_in(client, admin_user)
    data = location_data(**hours_data(rows={0: [("09:00", "13:00"), ("12:00", "18:00")]}))
    response = client.post(reverse("clinic:location_create"), data)
    assert response.status_code == 200
    assert response.context["form"].hours.days[0][2].non_form_errors() == ["09:00–13:00 overlaps 12:00–18:00."]
    assert not Location.objects.exists()


def test_a_form_without_the_hours_management_data_is_an_error_not_a_crash(client, admin_user):
    logged_in(client, admin_user)
    data = {k: v for k, v in location_data().items() if not k.startswith("hours-")}
    response = client.post(reverse("clinic:location_create"), data)
    assert response.status_code == 200
    assert not Location.objects.exists()


def test_an_empty_weekly_hours_editor_closes_every_day(client, admin_user):
    logged_in(client, admin_user)
    response = client.post(reverse("clinic:location_create"), location_data(**hours_data()))
    assert response.status_code == 302
    assert Location.objects.get().opening_hours == []


# --- practitioners, rooms, closures ---------------------------------------------------------


def test_an_admin_adds_a_practitioner_with_working_hours(client, admin_user):
    logged_in(client, admin_user)
    location = LocationFactory()
    data = {"name": "Dr. Elif Yılmaz", "email": "", "location": str(location.pk), "kind": "doctor", "active": "on",
            **hours_data(rows={1: [("10:00", "18:00")]})}
    response = client.post(reverse("clinic:practitioner_create"), data)
    assert response.status_code == 302
    practitioner = Practitioner.objects.get()
    assert practitioner.working_hours == [{"weekday": 1, "opens": "10:00", "closes": "18:00"}]


def test_a_practitioner_at_an_unknown_location_is_refused(client, admin_user):
    logged_in(client, admin_user)
    data = {"name": "Dr. X", "location": "424242", "kind": "doctor", **hours_data()}
    response = client.post(reverse("clinic:practitioner_create"), data)
    assert response.status_code == 200
    assert "location" in response.context["form"].errors
    assert not Practitioner.objects.exists()


def test_a_duplicate_room_name_at_one_location_is_refused_with_a_message(client, admin_user):
    logged_in(client, admin_user)
    room = RoomFactory(name="Room 1")
    response = client.post(reverse("clinic:room_create"), {"name": "Room 1", "location": room.location_id,
                                                          "active": "on"})
    assert response.status_code == 200
    assert "A room with this name already exists at this location." in response.content.decode()
    assert Room.objects.count() == 1


def test_a_closure_is_typed_in_the_locations_local_time(client, admin_user):
    logged_in(client, admin_user)
    location = LocationFactory(timezone="Europe/Madrid", country="ES")
    data = {"location": location.pk, "practitioner": "", "start": "2027-03-28T01:00", "end": "2027-03-28T12:00",
            "reason": "DST test"}
    response = client.post(reverse("clinic:closure_create"), data)
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.start == datetime(2027, 3, 28, 0, tzinfo=UTC)  # 01:00 CET
    assert closure.end == datetime(2027, 3, 28, 10, tzinfo=UTC)  # 12:00 CEST
    form = client.get(reverse("clinic:closure_update", args=[closure.pk])).context["form"]
    assert form.initial["start"] == datetime(2027, 3, 28, 1, 0)


def test_a_closure_that_ends_before_it_starts_is_refused_next_to_its_end(client, admin_user):
    logged_in(client, admin_user)
    location = LocationFactory()
    data = {"location": location.pk, "start": "2027-04-05T18:00", "end": "2027-04-05T09:00", "reason": ""}
    response = client.post(reverse("clinic:closure_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["end"] == ["The closure must end after it starts."]
    assert not Closure.objects.exists()


def test_a_closure_for_a_practitioner_of_another_location_is_refused(client, admin_user):
    logged_in(client, admin_user)
    here, elsewhere = LocationFactory(), PractitionerFactory()
    data = {"location": here.pk, "practitioner": elsewhere.pk, "start": "2027-04-05T09:00",
            "end": "2027-04-05T18:00"}
    response = client.post(reverse("clinic:closure_create"), data)
    assert response.context["form"].errors["practitioner"] == ["This practitioner works at another location."]


def test_an_admin_removes_a_closure(client, admin_user, setup_objects):
    logged_in(client, admin_user)
    closure = setup_objects[3]
    response = client.post(reverse("clinic:closure_delete", args=[closure.pk]))
    assert response.status_code == 302
    assert not Closure.objects.exists()
    assert client.get(reverse("clinic:closure_delete", args=[closure.pk])).status_code == 405


@pytest.mark.parametrize("total", ["100000", "abc", "-1"])
def test_a_hostile_row_count_in_the_hours_editor_is_refused_without_a_crash(client, admin_user, total):
    logged_in(client, admin_user)
    data = location_data(**{**hours_data(rows={0: [("09:00", "13:00")]}), "hours-0-TOTAL_FORMS": total})
    response = client.post(reverse("clinic:location_create"), data)
    assert response.status_code == 200
    assert not Location.objects.exists()
