"""The photo pages, under /photos/ (clinic.urls includes them): doctors and admins only."""

from django.urls import path

from . import photo_views

app_name = "photos"

urlpatterns = [
    path("sessions/<int:pk>/", photo_views.SessionPhotosView.as_view(), name="session"),
    path("<int:pk>/image/", photo_views.PhotoImageView.as_view(), name="image"),
    path("patients/<int:pk>/compare/", photo_views.PhotoCompareView.as_view(), name="compare"),
]
