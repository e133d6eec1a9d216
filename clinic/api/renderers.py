"""Renderers beside DRF's JSON: FHIR JSON for the interop endpoints; errors are always JSON."""

from typing import Any

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


class FHIRJSONRenderer(JSONRenderer):
    media_type = "application/fhir+json"
    format = "fhir"


class FHIRNegotiation(BaseContentNegotiation):
    """FHIR JSON whatever the Accept header says: a client asking for application/json gets it too."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class JSONErrorsMixin:
    """An error answer is `application/json` in the contract's body, whatever renders the
    operation's success (FHIR JSON, CSV): the schema documents errors as JSON everywhere."""

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(response, "accepted_renderer", None)
        # The browsable API's HTML stays for a person at a browser.
        if isinstance(response, Response) and response.status_code >= 400 and renderer is not None and \
                renderer.media_type not in (JSONRenderer.media_type, "text/html"):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response
