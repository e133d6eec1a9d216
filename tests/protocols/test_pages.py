"""Protocol pages: doctors edit, receptionists read, admins as doctors; errors by row and field."""

import re

import pytest
from django.urls import reverse

from protocols.models import Protocol
from tests.factories import LocationFactory, ProtocolFactory

pytestmark = pytest.mark.django_db


def formset_post(sessions, *, code="EXO-PAGE", source="autologous", route="injection", home=(), initial_forms=0,
                 **header):
    data = {
        "code": code, "name": "Page course", "indication": "aga", "source_category": source, "source_detail": "",
        "route": route, "anchor": "course_start", "notes": "",
        "sessions-TOTAL_FORMS": str(len(sessions)), "sessions-INITIAL_FORMS": str(initial_forms),
        "sessions-MIN_NUM_FORMS": "0", "sessions-MAX_NUM_FORMS": "53",
        "home-TOTAL_FORMS": str(len(home)), "home-INITIAL_FORMS": "0",
        "home-MIN_NUM_FORMS": "0", "home-MAX_NUM_FORMS": "6",
        **header,
    }
    for index, session in enumerate(sessions):
        values = {"kind": "treatment", "gap_min_days": 21, "gap_target_days": 28, "gap_max_days": 35,
                  "duration_minutes": 30, "instructions": "Clean hair.", "ORDER": index + 1, **session}
        for name, value in values.items():
            if name == "visit_adjuncts":
                data[f"sessions-{index}-{name}"] = value
            elif name == "DELETE":
                if value:
                    data[f"sessions-{index}-DELETE"] = "on"
            else:
                data[f"sessions-{index}-{name}"] = str(value)
    for index, adjunct in enumerate(home):
        data[f"home-{index}-kind"] = adjunct["kind"]
        data[f"home-{index}-instructions"] = adjunct.get("instructions", "")
    return data


FIRST = {"gap_min_days": 0, "gap_target_days": 0, "gap_max_days": 0}


@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
def test_every_role_reads_the_list_detail_and_versions(client, make_staff, role):
    client.force_login(make_staff(role))
    protocol = ProtocolFactory(status="active")
    for url in (reverse("protocols:list"), protocol.get_absolute_url(),
                reverse("protocols:versions", args=[protocol.code])):
        assert client.get(url).status_code == 200, url


def test_a_receptionist_cannot_create_edit_or_change_status(client, receptionist):
    client.force_login(receptionist)
    draft = ProtocolFactory()
    assert client.get(reverse("protocols:create")).status_code == 403
    assert client.post(reverse("protocols:create"), formset_post([FIRST])).status_code == 403
    assert client.get(reverse("protocols:edit", args=[draft.pk])).status_code == 403
    for action in ("activate", "revise", "archive", "delete"):
        assert client.post(reverse("protocols:action", args=[draft.pk, action])).status_code == 403
    assert Protocol.objects.get(pk=draft.pk).status == "draft"
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Activate" not in page and "Edit draft" not in page


def test_anonymous_visitors_go_to_the_login_page(client):
    response = client.get(reverse("protocols:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_doctor_creates_a_draft_through_the_formset(client, doctor):
    client.force_login(doctor)
    assert client.get(reverse("protocols:create")).status_code == 200
    sessions = [FIRST, {}, {"kind": "assessment", "gap_min_days": 80, "gap_target_days": 90, "gap_max_days": 100}]
    response = client.post(reverse("protocols:create"), formset_post(
        sessions, home=[{"kind": "finasteride", "instructions": "One a day."}]))
    protocol = Protocol.objects.get(code="EXO-PAGE")
    assert response.status_code == 302 and response.url == protocol.get_absolute_url()
    assert [(s.number, s.kind, s.gap_target_days) for s in protocol.sessions.all()] == [
        (1, "treatment", 0), (2, "treatment", 28), (3, "assessment", 90)]
    assert protocol.men_only


def test_rows_are_saved_in_their_order_and_removed_rows_dropped(client, doctor):
    client.force_login(doctor)
    sessions = [
        {**FIRST, "ORDER": 1},
        {"gap_target_days": 30, "gap_max_days": 40, "ORDER": 3},
        {"gap_min_days": 10, "gap_target_days": 14, "ORDER": 2},
        {"gap_target_days": 99, "gap_max_days": 99, "ORDER": 4, "DELETE": True},
    ]
    client.post(reverse("protocols:create"), formset_post(sessions))
    protocol = Protocol.objects.get(code="EXO-PAGE")
    assert [s.gap_target_days for s in protocol.sessions.all()] == [0, 14, 30]


def test_contradicting_gaps_show_by_the_row_and_field_and_save_nothing(client, doctor):
    client.force_login(doctor)
    sessions = [FIRST, {}, {"gap_min_days": 40, "gap_target_days": 28}]
    response = client.post(reverse("protocols:create"), formset_post(sessions))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The minimum gap cannot be longer than the target gap." in page
    # The message sits in session 3's row, by its gap_min_days field.
    row = page[page.index('name="sessions-2-gap_min_days"') - 600: page.index('name="sessions-2-gap_min_days"') + 900]
    assert "is-invalid" in row and "The minimum gap" in row
    assert not Protocol.objects.exists()


@pytest.mark.parametrize(
    ("sessions", "source", "message"),
    [
        ([], "autologous", "A protocol needs 1 to 52 sessions."),
        ([FIRST, {"visit_adjuncts": ["harvest_blood"]}], "plant", "needs an autologous source"),
        ([{**FIRST, "duration_minutes": 600}], "autologous", "Ensure this value is less than or equal to 480."),
        ([{**FIRST, "gap_max_days": -3}], "autologous", "Ensure this value is greater than or equal to 0."),
        ([{**FIRST, "visit_adjuncts": ["laser"]}], "autologous", "Select a valid choice."),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_changes(client, doctor, sessions, source, message):
    client.force_login(doctor)
    response = client.post(reverse("protocols:create"), formset_post(sessions, source=source, route="topical"))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Protocol.objects.exists()


def test_an_active_version_cannot_be_edited_from_the_page(client, doctor):
    client.force_login(doctor)
    protocol = ProtocolFactory(status="active")
    response = client.get(reverse("protocols:edit", args=[protocol.pk]))
    assert response.status_code == 302 and response.url == protocol.get_absolute_url()
    response = client.post(reverse("protocols:edit", args=[protocol.pk]),
                           formset_post([FIRST], code=protocol.code, name="Changed"))
    assert response.status_code == 302
    assert Protocol.objects.get(pk=protocol.pk).name == protocol.name


def test_a_draft_is_edited_with_its_rows_prefilled(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory(sessions=2)
    page = client.get(reverse("protocols:edit", args=[draft.pk])).content.decode()
    assert 'name="sessions-1-gap_target_days"' in page and 'value="28"' in page
    response = client.post(reverse("protocols:edit", args=[draft.pk]),
                           formset_post([FIRST, {}, {}], code=draft.code, initial_forms=2, name="Edited"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.name == "Edited" and draft.sessions.count() == 3 and draft.code != "EXO-PAGE"


def test_activate_revise_and_archive_from_the_page(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory()
    # The factory's draft has no assessment session: a warning the doctor confirms having read.
    client.post(reverse("protocols:action", args=[draft.pk, "activate"]), {"warnings_read": "yes"})
    assert Protocol.objects.get(pk=draft.pk).status == "active"
    response = client.post(reverse("protocols:action", args=[draft.pk, "revise"]))
    revision = Protocol.objects.get(code=draft.code, version=2)
    assert response.url == reverse("protocols:edit", args=[revision.pk])
    client.post(reverse("protocols:action", args=[revision.pk, "activate"]), {"warnings_read": "yes"})
    assert Protocol.objects.get(pk=draft.pk).status == "archived"
    client.post(reverse("protocols:action", args=[revision.pk, "archive"]))
    assert Protocol.objects.get(pk=revision.pk).status == "archived"


def test_activating_an_empty_draft_says_why(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory(sessions=0)
    response = client.post(reverse("protocols:action", args=[draft.pk, "activate"]), follow=True)
    assert "A protocol needs 1 to 52 sessions." in response.content.decode()
    assert Protocol.objects.get(pk=draft.pk).status == "draft"


def test_an_unknown_action_is_404(client, doctor):
    client.force_login(doctor)
    assert client.post(reverse("protocols:action", args=[ProtocolFactory().pk, "explode"])).status_code == 404


def test_the_detail_page_draws_the_timeline_and_warns_it_is_investigational(client, receptionist):
    client.force_login(receptionist)
    protocol = ProtocolFactory(status="active", sessions=4, home_adjuncts=["finasteride"], visit_adjuncts=["prp"])
    page = client.get(protocol.get_absolute_url()).content.decode()
    assert len(re.findall(r'class="timeline-session timeline-treatment"', page)) == 4
    assert "Investigational." in page and "not FDA-approved" in page
    assert "men only" in page and "Low platelets" in page and "May become pregnant" in page


def test_the_detail_page_shows_where_source_and_route_are_allowed(client, doctor):
    client.force_login(doctor)
    LocationFactory(name="Istanbul")
    LocationFactory(name="Riyadh", route_policy={"autologous": ["topical"], "allogeneic_human": ["topical"],
                                                 "plant": ["topical"], "animal": ["topical"]})
    protocol = ProtocolFactory(status="active", source_category="autologous", route="injection")
    page = client.get(protocol.get_absolute_url()).content.decode()
    assert "<strong>Istanbul</strong> <span class=\"visually-hidden\">allowed</span>" in page
    assert "Riyadh allows autologous (patient&#x27;s own) sources by topical, not by injection." in page


def test_the_list_filters_and_shows_sessions_and_course_length(client, receptionist):
    client.force_login(receptionist)
    ProtocolFactory(code="ROSE-1", name="Rose", source_category="plant", route="topical", status="active", sessions=3)
    ProtocolFactory(code="PRP-1", name="PRP", status="active", sessions=4)
    page = client.get(reverse("protocols:list")).content.decode()
    assert "ROSE-1" in page and "PRP-1" in page and "56 days" in page and "84 days" in page
    page = client.get(reverse("protocols:list"), {"route": "topical"}).content.decode()
    assert "ROSE-1" in page and "PRP-1" not in page
    page = client.get(reverse("protocols:list"), {"q": "nothing-like-this"}).content.decode()
    assert "No protocol matches these filters." in page
    assert client.get(reverse("protocols:list"), {"status": "bogus"}).status_code == 200


def test_the_versions_page_shows_what_changed(client, doctor):
    client.force_login(doctor)
    v1 = ProtocolFactory(code="DIFF", status="active", sessions=2)
    client.post(reverse("protocols:action", args=[v1.pk, "revise"]))
    v2 = Protocol.objects.get(code="DIFF", version=2)
    client.post(reverse("protocols:edit", args=[v2.pk]), formset_post(
        [FIRST, {"gap_target_days": 30}, {}], code="DIFF", initial_forms=2, name="Longer"))
    page = client.get(reverse("protocols:versions", args=["DIFF"])).content.decode()
    assert "Changes from <strong>v1</strong> to <strong>v2</strong>" in page
    assert "Longer" in page and "Gap target (days)" in page and "added" in page
    assert client.get(reverse("protocols:versions", args=["NOPE"])).status_code == 404


def test_the_home_tile_counts_protocols(client, doctor):
    client.force_login(doctor)
    ProtocolFactory(status="active")
    ProtocolFactory()
    page = client.get("/").content.decode()
    assert "<strong>1</strong> active" in page and "<strong>1</strong> draft" in page
    assert reverse("protocols:list") in page


def test_an_admin_edits_like_a_doctor(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("protocols:create")).status_code == 200
    response = client.post(reverse("protocols:create"), formset_post([FIRST]))
    assert response.status_code == 302 and Protocol.objects.filter(code="EXO-PAGE").exists()
