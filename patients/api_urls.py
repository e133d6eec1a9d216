"""The patients app's API routes, under /api/v1/ (api-contract.md)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from patients.booking.api import CourseViewSet, PractitionerCalendarFeedView, SessionViewSet
from patients.consent.api import ConsentDocumentViewSet, PatientConsentsView
from patients.outcomes.api_urls import urlpatterns as outcomes_urls
from patients.outcomes.photo_api_urls import urlpatterns as photo_urls
from patients.portal.api_urls import urlpatterns as portal_urls
from patients.records.api import AdverseEventViewSet, LotViewSet, ProductViewSet, SessionRecordViewSet
from patients.registry.api import PatientViewSet
from patients.reminders.api import ReminderViewSet
from patients.screening.api import ScreeningViewSet

router = SimpleRouter()
router.register("patients", PatientViewSet, basename="patient")
router.register("screenings", ScreeningViewSet, basename="screening")
router.register("courses", CourseViewSet, basename="course")
router.register("sessions", SessionViewSet, basename="session")
router.register("reminders", ReminderViewSet, basename="reminder")
router.register("products", ProductViewSet, basename="product")
router.register("lots", LotViewSet, basename="lot")
router.register("session-records", SessionRecordViewSet, basename="session-record")
router.register("adverse-events", AdverseEventViewSet, basename="adverse-event")
router.register("consent-documents", ConsentDocumentViewSet, basename="consent-document")

urlpatterns = [
    path("patients/<str:pk>/consents/", PatientConsentsView.as_view(), name="patient-consents"),
    *outcomes_urls,
    *photo_urls,
    *portal_urls,
    # Beside clinic's practitioners routes: the feed is booking's (clinic imports nothing from patients).
    path("practitioners/<str:pk>/calendar-feed/", PractitionerCalendarFeedView.as_view(),
         name="api-practitioner-calendar-feed"),
    *router.urls,
]
