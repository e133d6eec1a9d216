"""Django finds the app's models here; each lives with its feature."""

from patients.booking.models import CalendarFeed, Course, Session, TsTzRange
from patients.consent.models import ConsentDocument, ConsentSignature
from patients.outcomes.models import Measurement
from patients.outcomes.photo_models import Photo
from patients.portal.models import PortalAccess, PortalLinkRequest
from patients.records.models import AdverseEvent, Lot, Product, SessionRecord, SessionRecordProduct
from patients.registry.models import Consent, Patient, PatientAccess
from patients.reminders.models import Reminder
from patients.screening.models import Screening, ScreeningOverride, ScreeningReviewRequest

__all__ = [
    "AdverseEvent", "CalendarFeed", "Consent", "ConsentDocument", "ConsentSignature", "Course", "Lot", "Measurement",
    "Patient", "PatientAccess", "Photo", "PortalAccess", "PortalLinkRequest",
    "Product", "Reminder", "Screening", "ScreeningOverride", "ScreeningReviewRequest",
    "Session", "SessionRecord", "SessionRecordProduct", "TsTzRange",
]
