"""/api/v1/locations/: the contract's fields, defaults, validation messages and roles."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.models import Location
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/locations/"


def istanbul(**overrides) -> dict:
    body = {
        "name": "Anagen Istanbul — Nişantaşı",
        "address": "Teşvikiye Cd. 1, Şişli",
        "timezone": "Europe/Istanbul",
        "country": "TR",
        "opening_hours": [
            {"weekday": 1, "opens": "14:00", "closes": "19:00"},
            {"weekday": 0, "opens": "09:00", "closes": "19:00"},
            {"weekday": 1, "opens": "09:00", "closes": "13:00"},
        ],
    }
    return {**body, **overrides}


def test_an_admin_creates_a_location_with_the_contracts_defaults(api_admin, settings):
    settings.REMINDER_OFFSETS = ["7d", "24h"]
    response = api_admin.post(URL, istanbul(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["observe_public_holidays"] is True
    assert body["slot_minutes"] == 15
    assert body["subdivision"] == ""
    assert body["reminder_offsets"] == ["7d", "24h"]
    assert body["route_policy"] == {
        "autologous": ["injection", "topical"], "allogeneic_human": ["topical"], "plant": ["topical"],
        "animal": ["topical"],
    }
    # Stored sorted by weekday and time.
    assert body["opening_hours"] == [
        {"weekday": 0, "opens": "09:00", "closes": "19:00"},
        {"weekday": 1, "opens": "09:00", "closes": "13:00"},
        {"weekday": 1, "opens": "14:00", "closes": "19:00"},
    ]
    assert Location.objects.get(pk=body["id"]).opening_hours == body["opening_hours"]


def test_it_takes_a_lowercase_country_and_subdivision_and_closing_at_midnight(api_admin):
    body = istanbul(name="Madrid", timezone="Europe/Madrid", country="es", subdivision="md",
                    opening_hours=[{"weekday": 4, "opens": "18:00", "closes": "24:00"}])
    response = api_admin.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["country"], response.json()["subdivision"]) == ("ES", "MD")
    assert response.json()["opening_hours"][0]["closes"] == "24:00"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone", "not an IANA time zone"),
        ({"country": "XX"}, "country", "not a country code"),
        ({"country": "TR", "subdivision": "ZZ"}, "subdivision", "not a subdivision of TR"),
        ({"opening_hours": [{"weekday": 0, "opens": "19:00", "closes": "09:00"}]}, "opening_hours",
         "Monday: closes at 09:00, before it opens at 19:00."),
        ({"opening_hours": [{"weekday": 0, "opens": "09:00", "closes": "13:00"},
                            {"weekday": 0, "opens": "12:00", "closes": "18:00"}]}, "opening_hours", "overlaps"),
        ({"opening_hours": [{"weekday": 9, "opens": "09:00", "closes": "13:00"}]}, "opening_hours",
         "weekday must be 0 (Monday) to 6 (Sunday)"),
        ({"opening_hours": [{"weekday": 0, "opens": "09:00", "closes": "25:00"}]}, "opening_hours",
         "not a time written HH:MM"),
        ({"opening_hours": {"monday": "9-5"}}, "opening_hours", "must be a list"),
        ({"opening_hours": None}, "opening_hours", "may not be null"),
        ({"reminder_offsets": ["7 days"]}, "reminder_offsets", "not a duration"),
        ({"route_policy": {"autologous": ["intravenous"]}}, "route_policy", "routes must be a list drawn from"),
        ({"route_policy": {"martian": ["topical"]}}, "route_policy", "not a source category"),
        ({"slot_minutes": 7}, "slot_minutes", "must divide a day"),
        ({"slot_minutes": "fifteen"}, "slot_minutes", "valid integer"),
        ({"name": "<script>alert(1)</script>"}, "name", "plain text"),
        ({"name": "x" * 5000}, "name", "no more than 120 characters"),
        ({"name": None}, "name", "may not be null"),
        ({"address": "a" * 1001}, "address", "no more than 1000 characters"),
        ({"observe_public_holidays": "perhaps"}, "observe_public_holidays", "valid boolean"),
    ],
)
def test_it_refuses_bad_input_with_a_message_by_the_field(api_admin, overrides, field, message):
    response = api_admin.post(URL, istanbul(**overrides), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid"
    assert message in " ".join(body["errors"][field]), body
    assert not Location.objects.exists()


def test_a_missing_name_timezone_and_country_are_all_reported(api_admin):
    response = api_admin.post(URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "timezone", "country"}


def test_a_body_that_is_not_json_or_not_an_object_is_a_400(api_admin):
    response = api_admin.generic("POST", URL, "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = api_admin.post(URL, [1, 2, 3], format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_text_that_is_not_valid_unicode_is_a_400_not_a_crash(api_admin):
    raw = '{"name": "\\ud800", "timezone": "\\ud800", "country": "TR"}'
    response = api_admin.generic("POST", URL, raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_duplicate_name_is_refused(api_admin):
    LocationFactory(name="Anagen Istanbul — Nişantaşı")
    response = api_admin.post(URL, istanbul(), format="json")
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_an_admin_changes_and_deletes_a_location(api_admin):
    location = LocationFactory()
    response = api_admin.patch(f"{URL}{location.pk}/", {"route_policy": {"plant": ["topical", "injection"]}},
                               format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["route_policy"]["plant"] == ["injection", "topical"]
    assert response.json()["route_policy"]["autologous"] == []
    assert api_admin.delete(f"{URL}{location.pk}/").status_code == 204
    assert not Location.objects.filter(pk=location.pk).exists()


def test_a_patch_that_breaks_the_location_leaves_it_as_it_was(api_admin):
    location = LocationFactory(country="TR")
    response = api_admin.patch(f"{URL}{location.pk}/", {"subdivision": "MD"}, format="json")
    assert response.status_code == 400
    location.refresh_from_db()
    assert location.subdivision == ""


def test_a_location_with_practitioners_cannot_be_deleted(api_admin):
    from tests.factories import PractitionerFactory

    practitioner = PractitionerFactory()
    response = api_admin.delete(f"{URL}{practitioner.location_id}/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert Location.objects.filter(pk=practitioner.location_id).exists()


@pytest.mark.parametrize("ident", ["999999", "abc", "99999999999999999999999"])
def test_unknown_or_malformed_ids_are_404(api_admin, ident):
    response = api_admin.get(f"{URL}{ident}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- roles ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["receptionist", "doctor"])
def test_receptionists_and_doctors_read_locations_but_cannot_write_them(api_as, role):
    location = LocationFactory()
    client = api_as(role)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{location.pk}/").status_code == 200
    for response in (
        client.post(URL, istanbul(), format="json"),
        client.patch(f"{URL}{location.pk}/", {"name": "Mine now"}, format="json"),
        client.delete(f"{URL}{location.pk}/"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert Location.objects.count() == 1
    assert Location.objects.get().name == location.name


def test_anonymous_callers_get_401(api_anonymous):
    assert api_anonymous.get(URL).status_code == 401
    response = api_anonymous.post(URL, istanbul(), format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_list_is_paginated_and_filterable_by_country(api_receptionist):
    LocationFactory(name="A", country="TR")
    LocationFactory(name="B", timezone="Europe/Madrid", country="ES")
    body = api_receptionist.get(URL, {"country": "ES"}).json()
    assert body["count"] == 1 and body["results"][0]["name"] == "B"
    assert set(body) == {"count", "next", "previous", "results"}


# --- generated bodies -------------------------------------------------------------------------

CONTRACT_KEYS = [
    "name", "address", "timezone", "country", "subdivision", "observe_public_holidays", "slot_minutes",
    "opening_hours", "reminder_offsets", "route_policy",
]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=200),
    st.sampled_from(["Europe/Istanbul", "TR", "ES", "MD", "09:00", "24:00", "25:00", "7d", "<b>x</b>", "15"]),
)
hours_entry = st.fixed_dictionaries(
    {
        "weekday": st.one_of(st.integers(-2, 9), scalars),
        "opens": st.one_of(st.sampled_from(["09:00", "24:00"]), scalars),
        "closes": st.one_of(st.sampled_from(["13:00", "24:00", "08:00"]), scalars),
    }
)
json_values = st.recursive(
    st.one_of(scalars, hours_entry),
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=15,
)
bodies = st.dictionaries(
    st.one_of(st.sampled_from(CONTRACT_KEYS), st.text(max_size=30)), json_values, max_size=14
)
valid_looking = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=130), "timezone": st.sampled_from(["Europe/Istanbul", "Mars/Base", ""]),
     "country": st.sampled_from(["TR", "es", "XX", "", "TUR"])},
    optional={key: json_values for key in CONTRACT_KEYS if key not in ("name", "timezone", "country")},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(bodies, valid_looking))
def test_generated_bodies_never_get_a_500_and_a_201_is_a_valid_location(api_admin, body):
    response = api_admin.post(URL, body, format="json")
    assert response.status_code in (201, 400), (response.status_code, body, response.content[:500])
    if response.status_code == 201:
        location = Location.objects.get(pk=response.json()["id"])
        location.full_clean()
        location.delete()
    else:
        assert response.json()["code"] == "invalid"
        assert response.json()["errors"]


def test_the_phone_patients_call_is_read_only_in_the_api(api_admin):
    location = LocationFactory(phone="+90 212 555 01 23")
    assert api_admin.get(f"{URL}{location.pk}/").json()["phone"] == "+902125550123"
    response = api_admin.patch(f"{URL}{location.pk}/", {"phone": "+34 915 55 01 23"}, format="json")
    assert response.status_code == 200
    location.refresh_from_db()
    assert str(location.phone) == "+902125550123"  # set on the location page, not through the contract
