"""A patient's record pages, under /patients/ (namespace "patients", see patients/urls.py)."""

from django.urls import path

from patients.registry import import_views, views

urlpatterns = [
    path("", views.PatientListView.as_view(), name="list"),
    path("new/", views.PatientCreateView.as_view(), name="create"),
    path("import/", import_views.PatientImportView.as_view(), name="import"),
    path("export/", import_views.PatientExportView.as_view(), name="export"),
    path("<int:pk>/", views.PatientDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.PatientUpdateView.as_view(), name="update"),
    path("<int:pk>/consent/", views.ConsentView.as_view(), name="consent"),
    path("<int:pk>/access-log/", views.PatientAccessLogView.as_view(), name="access-log"),
]
