"""Schemathesis hooks for tests/clinic/test_api_schemathesis.py (SCHEMATHESIS_HOOKS names this module).

`positive_data_acceptance` lets a schema-valid request be refused with a documented 400 or 422
(schemathesis.toml): some of the clinic's rules no schema can state (an id that exists, a name
unique at its location, an end after a start, an IANA zone). What the schema *can* state it must:
`refused_for_a_reason_the_schema_states` fails when a request the schema calls valid gets a 400
whose field errors are ones the schema would have ruled out (blank, required, null, a choice,
a length, a range, a type). That is the "required fields that the schema allows blank" kind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import schemathesis

# DRF's own messages (English: the fuzzer sends no Accept-Language) for rules a JSON schema states.
SCHEMA_STATED = (
    "This field may not be blank.",
    "This field is required.",
    "This field may not be null.",
    "is not a valid choice.",
    "Ensure this field has no more than",
    "Ensure this field has at least",
    "Ensure this value is less than or equal to",
    "Ensure this value is greater than or equal to",
    "Incorrect type.",
    "A valid integer is required.",
    "A valid number is required.",
    "Must be a valid boolean.",
    "Not a valid string.",
    "Expected a list of items",
    "Expected a dictionary of items",
    "Enter true or false.",
    "Enter a whole number.",
)


def _messages(errors: Any) -> Iterator[str]:
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list):
        for value in errors:
            yield from _messages(value)
    elif isinstance(errors, str):
        yield errors


@schemathesis.check
def refused_for_a_reason_the_schema_states(ctx, response, case) -> bool | None:
    meta = getattr(case, "meta", None)
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    stated = sorted({m for m in _messages(body.get("errors", {})) if any(s in m for s in SCHEMA_STATED)})
    if stated:
        raise AssertionError(
            "A request the schema calls valid was refused for a rule the schema could state: "
            + "; ".join(stated)
        )
    return None


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    """The portal's operations take a patient's link token (`Authorization: Portal <token>`), not
    the admin's API key: the test gives one in PORTAL_TOKEN, so they are tested past their 401."""
    token = os.environ.get("PORTAL_TOKEN")
    if not token or not case.path.startswith("/api/v1/portal/") or case.path == "/api/v1/portal/links/":
        return
    portal = f"Portal {token}"
    case.headers = {**(case.headers or {}), "Authorization": portal}
    if kwargs.get("headers"):
        kwargs["headers"] = {**kwargs["headers"], "Authorization": portal}
