"""The photographs' API routes, under /api/v1/ (patients.api_urls includes them)."""

from django.urls import path

from .photo_api import PatientPhotosView, PhotoImageView, SessionPhotosView

urlpatterns = [
    path("sessions/<str:pk>/photos/", SessionPhotosView.as_view(), name="session-photos"),
    path("patients/<str:pk>/photos/", PatientPhotosView.as_view(), name="patient-photos"),
    path("photos/<str:pk>/image/", PhotoImageView.as_view(), name="photo-image"),
]
