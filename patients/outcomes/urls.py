"""The outcomes pages, under /outcomes/: measuring a visit, the reports and their CSV files."""

from django.urls import path
from django.views.generic import RedirectView

from . import report_views, views

app_name = "outcomes"

urlpatterns = [
    path("sessions/<int:pk>/measurements/", views.SessionMeasurementsView.as_view(), name="session-measurements"),
    path("reports/", RedirectView.as_view(pattern_name="outcomes:report-outcomes"), name="reports"),
    path("reports/outcomes/", report_views.OutcomesReportView.as_view(), name="report-outcomes"),
    path("reports/outcomes.csv", report_views.OutcomesReportCSVView.as_view(), name="report-outcomes-csv"),
    path("reports/adherence/", report_views.AdherenceReportView.as_view(), name="report-adherence"),
    path("reports/adherence.csv", report_views.AdherenceReportCSVView.as_view(), name="report-adherence-csv"),
]
