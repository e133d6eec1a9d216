"""The outcomes API's routes, under /api/v1/ (patients.api_urls includes them). They name the
collection first (sessions/{id}/..., patients/{id}/...), as the router's do."""

from django.urls import path

from .api import AdherenceReportView, OutcomesReportView, PatientOutcomesView, SessionMeasurementsView

urlpatterns = [
    path("sessions/<str:pk>/measurements/", SessionMeasurementsView.as_view(), name="session-measurements"),
    path("patients/<str:pk>/outcomes/", PatientOutcomesView.as_view(), name="patient-outcomes"),
    path("reports/outcomes/", OutcomesReportView.as_view(), name="report-outcomes"),
    path("reports/adherence/", AdherenceReportView.as_view(), name="report-adherence"),
]
