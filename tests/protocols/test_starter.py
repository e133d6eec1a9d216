"""load_starter_protocols: the ten templates of the domain brief, active, installed once."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from protocols.models import Protocol
from protocols.services import protocol_activate, protocol_revise, protocol_update
from protocols.starter import STARTER_PROTOCOLS

pytestmark = pytest.mark.django_db

CODES = ["EXO-AGA-3x6W", "EXO-AGA-MSC-M", "EXO-AGA-MSC-B", "EXO-AGA-MN", "EXO-ROSE-POSTOP", "EXO-ROSE-MAINT",
         "EXO-PRP-AGA", "PRP-AGA", "PRP-TE", "EXO-AA"]


def load() -> str:
    out = StringIO()
    call_command("load_starter_protocols", stdout=out)
    return out.getvalue()


def _state() -> list[tuple]:
    return [
        (p.code, p.version, p.status, p.name, p.notes,
         [(s.number, s.gap_min_days, s.gap_target_days, s.gap_max_days, s.duration_minutes, s.kind,
           tuple(s.visit_adjuncts), s.instructions) for s in p.sessions.all()])
        for p in Protocol.objects.prefetch_related("sessions").order_by("code", "version")
    ]


def test_it_installs_the_ten_templates_as_active_protocols():
    assert "Installed 10" in load()
    assert sorted(Protocol.objects.filter(status="active").values_list("code", flat=True)) == sorted(CODES)


def test_running_it_twice_changes_nothing():
    load()
    before = _state()
    events = apps.get_model("protocols", "ProtocolEvent").objects.count()
    assert "Kept 10 already present" in load()
    assert _state() == before
    assert apps.get_model("protocols", "ProtocolEvent").objects.count() == events


def test_it_never_overwrites_a_doctors_revision(doctor):
    load()
    original = Protocol.objects.get(code="PRP-TE")
    draft = protocol_revise(protocol=original, by=doctor)
    protocol_update(protocol=draft, fields={"name": "PRP-TE, our way"}, by=doctor)
    protocol_activate(protocol=draft, by=doctor)
    before = _state()
    load()
    assert _state() == before
    assert Protocol.objects.get(code="PRP-TE", status="active").name == "PRP-TE, our way"


def test_every_template_says_it_is_investigational_and_talks_to_patients_plainly():
    load()
    for protocol in Protocol.objects.prefetch_related("sessions", "home_adjuncts"):
        assert "not FDA-approved" in protocol.notes and "small" in protocol.notes, protocol.code
        assert all(session.instructions.strip() for session in protocol.sessions.all()), protocol.code
        assert all(adjunct.instructions.strip() for adjunct in protocol.home_adjuncts.all()), protocol.code
        texts = [s.instructions for s in protocol.sessions.all()]
        texts += [a.instructions for a in protocol.home_adjuncts.all()]
        for text in texts:
            # Plain words: no codes or jargon meant for staff.
            for jargon in ("harvest_", "autologous", "allogeneic", "MSC", "SALT", "trichoscopy", "[", "PRN"):
                assert jargon not in text, (protocol.code, jargon)


def test_the_templates_follow_the_brief():
    load()
    by_code = {p.code: p for p in Protocol.objects.prefetch_related("sessions", "home_adjuncts")}
    three = by_code["EXO-AGA-3x6W"]
    assert three.treatment_count == 3 and three.assessment_count == 2 and three.men_only and three.uses_harvest
    assert [s.gap_target_days for s in three.sessions.all()][:3] == [0, 42, 42]
    assert by_code["EXO-AGA-MSC-M"].route == "topical" and "topical" in by_code["EXO-AGA-MSC-M"].notes
    assert by_code["PRP-AGA"].treatment_count == 4 and by_code["PRP-AGA"].uses_prp
    assert by_code["EXO-PRP-AGA"].uses_prp and by_code["PRP-TE"].uses_prp
    assert by_code["EXO-ROSE-POSTOP"].anchor == "surgery_date"
    assert by_code["EXO-ROSE-MAINT"].total_days == 720
    mn = [s.gap_target_days for s in by_code["EXO-AGA-MN"].sessions.all() if s.kind == "treatment"]
    assert [sum(mn[: i + 1]) + 1 for i in range(len(mn))] == [1, 15, 45, 75, 105]
    assert not any(p.men_only for code, p in by_code.items() if code != "EXO-AGA-3x6W")


def test_the_data_is_the_ten_codes_once():
    assert [t["code"] for t in STARTER_PROTOCOLS] == CODES
