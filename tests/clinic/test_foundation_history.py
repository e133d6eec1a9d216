"""The append-only audit trail and the admin page that lists an object's history."""

import pytest
from django.db import InternalError, ProgrammingError, transaction

from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db


def test_the_history_page_lists_each_change_with_its_author(client, admin_user, api_admin):
    location = LocationFactory(name="Anagen Istanbul")
    response = api_admin.patch(f"/api/v1/locations/{location.pk}/", {"address": "Teşvikiye, Istanbul"},
                               format="json")
    assert response.status_code == 200, response.json()
    client.force_login(admin_user)
    page = client.get(f"/history/clinic/location/{location.pk}/")
    assert page.status_code == 200
    events = page.context["events"]
    assert [e.pgh_label for e in events] == ["update", "insert"]
    assert events[0].author == admin_user
    assert "Teşvikiye" in page.content.decode()


def test_only_admins_read_history(client, doctor):
    location = LocationFactory()
    client.force_login(doctor)
    assert client.get(f"/history/clinic/location/{location.pk}/").status_code == 403


def test_history_of_unknown_models_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/history/auth/user/1/").status_code == 404
    assert client.get("/history/clinic/nosuchmodel/1/").status_code == 404


def test_the_history_survives_the_objects_deletion(client, admin_user):
    location = LocationFactory(name="Short-lived")
    pk = location.pk
    location.delete()
    client.force_login(admin_user)
    page = client.get(f"/history/clinic/location/{pk}/")
    assert [e.pgh_label for e in page.context["events"]] == ["delete", "insert"]


def test_history_rows_cannot_be_changed_or_deleted():
    LocationFactory(name="Audited")
    from django.apps import apps

    Event = apps.get_model("clinic", "LocationEvent")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Event.objects.update(name="rewritten")
    with pytest.raises((InternalError, ProgrammingError)), transaction.atomic():
        Event.objects.all().delete()
    assert Event.objects.filter(name="Audited").count() == 1
