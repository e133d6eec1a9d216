"""The protocol editor keeps every row it was not told to change, and the version diff reads as words."""

import pytest
from django.urls import reverse

from protocols import services
from protocols.checklist import protocol_checklist
from protocols.models import Protocol
from tests.factories import ProtocolFactory
from tests.factories.protocols import session_rows
from tests.html_forms import form_fields

pytestmark = pytest.mark.django_db


def children(protocol: Protocol) -> tuple[list, list]:
    protocol = Protocol.objects.get(pk=protocol.pk)
    sessions = [(s.number, s.kind, s.gap_min_days, s.gap_target_days, s.gap_max_days, s.duration_minutes,
                 s.visit_adjuncts, s.instructions) for s in protocol.sessions.order_by("number")]
    home = sorted((a.kind, a.instructions) for a in protocol.home_adjuncts.all())
    return sessions, home


def save_unchanged(client, protocol: Protocol):
    """Open the edit page and submit its form exactly as the browser shows it."""
    page = client.get(reverse("protocols:edit", args=[protocol.pk]))
    assert page.status_code == 200
    return client.post(reverse("protocols:edit", args=[protocol.pk]), form_fields(page.content.decode(),
                                                                                   "protocol-form"))


def with_home(**fields) -> Protocol:
    rows = session_rows(3, visit_adjuncts=["harvest_blood"])
    return ProtocolFactory(sessions=rows, home_adjuncts=["finasteride", "minoxidil"], **fields)


def test_saving_a_draft_unchanged_through_the_real_form_changes_nothing(client, doctor):
    client.force_login(doctor)
    draft = with_home()
    before = children(draft)
    assert len(before[1]) == 2
    response = save_unchanged(client, draft)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert children(draft) == before


def test_a_revised_draft_saved_unchanged_keeps_its_home_adjuncts_and_diffs_empty(client, doctor):
    client.force_login(doctor)
    active = with_home(status="active")
    response = client.post(reverse("protocols:action", args=[active.pk, "revise"]))
    draft = Protocol.objects.get(code=active.code, version=2)
    assert response.url == reverse("protocols:edit", args=[draft.pk])
    assert save_unchanged(client, draft).status_code == 302
    assert children(draft) == children(active)
    page = client.get(reverse("protocols:versions", args=[active.code])).content.decode()
    assert "These two versions are the same." in page


def test_the_version_diff_says_what_was_added_changed_and_removed_in_words(client, doctor):
    client.force_login(doctor)
    active = with_home(status="active")
    draft = services.protocol_revise(protocol=active, by=doctor)
    sessions = session_rows(2, visit_adjuncts=["harvest_blood", "prp"])
    services.protocol_update(protocol=draft, sessions=sessions, home_adjuncts=[
        {"kind": "minoxidil", "instructions": "Foam, once a day."}, {"kind": "led_cap", "instructions": ""},
    ], by=doctor)
    page = client.get(reverse("protocols:versions", args=[active.code])).content.decode()
    assert "Finasteride (men only) removed (it had the instructions “finasteride instructions”)." in page
    assert "Red-light cap added, with no instructions." in page
    assert "Minoxidil: instructions changed from “minoxidil instructions” to “Foam, once a day.”." in page
    assert "Session 3 removed." in page
    assert "Session 1 changed: at the visit." in page
    assert "Blood draw (harvest), PRP" in page
    for raw in ("harvest_blood", "led_cap", "(none)"):
        assert raw not in page


def test_every_problem_is_reported_at_once_field_errors_and_rule_errors(client, doctor):
    from tests.protocols.test_pages import FIRST, formset_post

    client.force_login(doctor)
    sessions = [FIRST, {"duration_minutes": 600}, {"gap_min_days": 40, "gap_target_days": 28}]
    response = client.post(reverse("protocols:create"), formset_post(sessions))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value is less than or equal to 480." in page
    # The gap order of session 3 is checked in the same round, by its field.
    assert "The minimum gap cannot be longer than the target gap." in page
    row = page[page.index('name="sessions-2-gap_min_days"') - 600: page.index('name="sessions-2-gap_min_days"') + 900]
    assert "The minimum gap" in row
    assert not Protocol.objects.exists()


def test_the_checklist_separates_blockers_from_warnings():
    sessions = [
        {"number": 1, "gap_min_days": 0, "gap_target_days": 0, "gap_max_days": 0, "duration_minutes": 30,
         "kind": "treatment", "visit_adjuncts": ["prp"], "instructions": ""},
        {"number": 2, "gap_min_days": 30, "gap_target_days": 28, "gap_max_days": 35, "duration_minutes": 60,
         "kind": "treatment", "visit_adjuncts": ["harvest_blood"], "instructions": "Eat before."},
    ]
    findings = protocol_checklist(source_category="autologous", route="injection", sessions=sessions,
                                  home_adjuncts=[{"kind": "minoxidil", "instructions": ""}])
    blockers = [f.message for f in findings if f.is_blocker]
    warnings = [f.message for f in findings if not f.is_blocker]
    assert blockers == ["Session 2: The minimum gap cannot be longer than the target gap."]
    assert any("Session 1 gives PRP but has no blood draw" in w for w in warnings)
    assert any("Session 1 has no instructions" in w for w in warnings)
    assert any("No assessment session" in w for w in warnings)
    assert any("At home: Minoxidil has no instructions" in w for w in warnings)
    assert not any("Session 2" in w for w in warnings)
    # Blockers come first.
    assert findings[0].is_blocker


def test_the_protocol_page_shows_the_checklist_and_activation_asks_to_confirm_warnings(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory(sessions=session_rows(2, visit_adjuncts=["prp"]))
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'data-testid="checklist"' in page and "Session 1 gives PRP but has no blood draw" in page
    assert 'name="warnings_read"' in page
    response = client.post(reverse("protocols:action", args=[draft.pk, "activate"]), follow=True)
    assert "read the checklist" in response.content.decode()
    assert Protocol.objects.get(pk=draft.pk).status == "draft"
    client.post(reverse("protocols:action", args=[draft.pk, "activate"]), {"warnings_read": "yes"})
    assert Protocol.objects.get(pk=draft.pk).status == "active"


def test_a_draft_with_a_blocker_cannot_be_activated_and_says_why(client, doctor):
    client.force_login(doctor)
    draft = ProtocolFactory(sessions=0)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Must be fixed (1)" in page and "A protocol needs 1 to 52 sessions." in page
    response = client.post(reverse("protocols:action", args=[draft.pk, "activate"]), {"warnings_read": "yes"},
                           follow=True)
    assert "A protocol needs 1 to 52 sessions." in response.content.decode()
    assert Protocol.objects.get(pk=draft.pk).status == "draft"


def test_the_api_shows_the_checklist_of_a_protocol(api_doctor):
    draft = ProtocolFactory(sessions=session_rows(1, visit_adjuncts=["prp"]))
    checklist = api_doctor.get(f"/api/v1/protocols/{draft.pk}/").json()["checklist"]
    assert checklist[0]["level"] == "warning" and checklist[0]["session"] == 1
    assert "gives PRP but has no blood draw" in checklist[0]["message"]


def test_the_api_reports_field_and_rule_errors_in_one_answer(api_doctor):
    sessions = session_rows(3)
    sessions[1]["duration_minutes"] = 600
    sessions[2].update(gap_min_days=40, gap_target_days=28)
    body = {"code": "EXO-API-ALL", "name": "All at once", "indication": "aga", "source_category": "autologous",
            "route": "injection", "sessions": sessions}
    response = api_doctor.post("/api/v1/protocols/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    errors = response.json()["errors"]["sessions"]
    assert errors["1"]["duration_minutes"] == ["Ensure this value is less than or equal to 480."]
    assert errors["2"]["gap_min_days"] == ["The minimum gap cannot be longer than the target gap."]
