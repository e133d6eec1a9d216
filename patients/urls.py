"""The patient pages, under /patients/: the record (registry), its screenings and consents, one namespace."""

from patients.consent import urls as consent
from patients.portal import staff_urls as portal
from patients.registry import urls as registry
from patients.screening import urls as screening

app_name = "patients"

urlpatterns = [*registry.urlpatterns, *screening.urlpatterns, *consent.urlpatterns, *portal.urlpatterns]
