"""The signed links in patient emails, under /p/: no staff login, the token is the key."""

from django.urls import path

from patients.reminders.links import patient_link

urlpatterns = [
    path("<str:purpose>/<str:token>/", patient_link, name="patient-link"),
]
