"""The patient pages, under /patients/: the record (registry) and its screenings, one namespace."""

from patients.registry import urls as registry
from patients.screening import urls as screening

app_name = "patients"

urlpatterns = [*registry.urlpatterns, *screening.urlpatterns]
