"""Protocol factories.

`ProtocolFactory(status="active", sessions=4, home_adjuncts=["finasteride"])` builds the draft,
adds its sessions (the database only lets a draft gain sessions) and then moves it to `status`.
"""

from typing import Any

import factory

from protocols.models import HomeAdjunct, Protocol, ProtocolSession

__all__ = ["ProtocolFactory", "ProtocolSessionFactory", "HomeAdjunctFactory", "session_rows"]


def session_rows(count: int = 3, *, gap: tuple[int, int, int] = (21, 28, 35), **overrides: Any) -> list[dict]:
    """Plain session dicts as the services and the API take them: session 1 at the anchor."""
    rows = []
    for number in range(1, count + 1):
        low, target, high = (0, 0, 0) if number == 1 else gap
        rows.append({
            "number": number, "gap_min_days": low, "gap_target_days": target, "gap_max_days": high,
            "duration_minutes": 30, "kind": "treatment", "visit_adjuncts": [],
            "instructions": f"Come with clean, dry hair (visit {number}).", **overrides,
        })
    return rows


class ProtocolSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtocolSession

    number = factory.Sequence(lambda n: n + 1)
    gap_min_days = 21
    gap_target_days = 28
    gap_max_days = 35
    duration_minutes = 30
    kind = "treatment"
    visit_adjuncts = factory.LazyFunction(list)
    instructions = "Come with clean, dry hair."


class HomeAdjunctFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeAdjunct

    kind = "minoxidil"
    instructions = "Put 1 mL on the dry scalp twice a day."


class ProtocolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Protocol

    code = factory.Sequence(lambda n: f"TEST-{n}")
    version = 1
    name = factory.Sequence(lambda n: f"Test protocol {n}")
    indication = "aga"
    source_category = "autologous"
    source_detail = "Patient's own blood"
    route = "injection"
    anchor = "course_start"
    notes = "Investigational."

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.pop("status", "draft")
        in_use = kwargs.pop("in_use", False)
        sessions = kwargs.pop("sessions", 3)
        home_adjuncts = kwargs.pop("home_adjuncts", [])
        visit_adjuncts = kwargs.pop("visit_adjuncts", [])
        protocol = model_class.objects.create(*args, status="draft", **kwargs)
        rows = session_rows(sessions, visit_adjuncts=visit_adjuncts) if isinstance(sessions, int) else sessions
        for row in rows:
            ProtocolSession.objects.create(protocol=protocol, **row)
        for adjunct in home_adjuncts:
            # A kind ("minoxidil"), or the adjunct's fields ({"kind": ..., "instructions_i18n": ...}).
            fields = adjunct if isinstance(adjunct, dict) else {"kind": adjunct}
            defaults = {"instructions": f"{fields['kind']} instructions"}
            HomeAdjunct.objects.create(protocol=protocol, **{**defaults, **fields})
        if status != "draft":
            protocol.status = status
            protocol.save(update_fields=["status"])
        if in_use:
            protocol.in_use = True
            protocol.save(update_fields=["in_use"])
        return protocol
