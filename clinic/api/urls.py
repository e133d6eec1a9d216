from django.urls import include, path
from django.views.generic import RedirectView

from clinic.api.docs import SchemaView, docs_view
from clinic.api.me import MeView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="api-docs"), name="api-root"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    path("me/", MeView.as_view(), name="api-me"),
    path("", include("clinic.api.routes")),
    path("", include("protocols.api_urls")),
    path("", include("patients.api_urls")),
]
