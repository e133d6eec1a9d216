"""The desk's portal pages, in the "patients" namespace (patients/urls.py)."""

from django.urls import path

from patients.portal import staff_views

urlpatterns = [
    path("<int:pk>/portal/", staff_views.PatientPortalView.as_view(), name="portal-link"),
    path("<int:pk>/portal/revoke/", staff_views.PatientPortalRevokeView.as_view(), name="portal-revoke"),
]
