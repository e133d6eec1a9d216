"""Screening pages, under /patients/ (namespace "patients", see patients/urls.py)."""

from django.urls import path

from patients.screening import views

urlpatterns = [
    path("<int:pk>/screenings/new/", views.ScreeningCreateView.as_view(), name="screening-create"),
    path("screenings/<int:pk>/override/", views.ScreeningOverrideView.as_view(), name="screening-override"),
    path("screenings/<int:pk>/ask-a-doctor/", views.ScreeningReviewRequestView.as_view(),
         name="screening-review-request"),
]
