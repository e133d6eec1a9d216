"""The OpenAPI schema and its Swagger UI page, for staff only (SPECTACULAR_SETTINGS' SERVE_PERMISSIONS)."""

from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """The schema; a refusal is JSON in the API's error body, not an OpenAPI (YAML) document."""

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(response, Response):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


# A browser without a session goes to the login page. The split view serves its start-up script
# from its own URL (?script), so the page has no inline script for the Content-Security-Policy, and
# clinic/api_docs.html gives the page's one inline style this response's nonce.
docs_view = login_required(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="clinic/api_docs.html")
)
