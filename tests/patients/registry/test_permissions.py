"""Who may do what with patients and screenings, per role (contract: receptionist manages
patients and screening answers; overrides are the doctor's)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from patients.models import ScreeningOverride
from tests.factories import PatientFactory, ScreeningFactory, no_answers

pytestmark = pytest.mark.django_db

PATIENT = {
    "first_name": "Omar", "last_name": "Haddad", "email": "omar@example.ae", "date_of_birth": "1979-11-02",
    "sex": "male", "language": "ar", "timezone": "Asia/Dubai",
}


def requests(patient_id: int, screening_id: int) -> dict[str, tuple[str, str, dict | None]]:
    return {
        "list patients": ("get", "/api/v1/patients/", None),
        "create a patient": ("post", "/api/v1/patients/", PATIENT),
        "view a patient": ("get", f"/api/v1/patients/{patient_id}/", None),
        "edit a patient": ("patch", f"/api/v1/patients/{patient_id}/", {"notes": "Called back."}),
        "list screenings": ("get", f"/api/v1/patients/{patient_id}/screenings/", None),
        "record a screening": ("post", f"/api/v1/patients/{patient_id}/screenings/", no_answers()),
        "view a screening": ("get", f"/api/v1/screenings/{screening_id}/", None),
        "override a screening": ("post", f"/api/v1/screenings/{screening_id}/override/",
                                 {"reason": "Checked with the patient's GP."}),
    }


RECEPTIONIST_MAY = {"list patients", "create a patient", "view a patient", "edit a patient", "list screenings",
                    "record a screening", "view a screening"}
ALL = RECEPTIONIST_MAY | {"override a screening"}


@pytest.mark.parametrize("role", ["receptionist", "doctor", "admin"])
@pytest.mark.parametrize("what", sorted(ALL))
def test_each_role_gets_exactly_its_rights(api_as, role, what):
    patient = PatientFactory()
    screening = ScreeningFactory(patient=patient, fever_or_recent_illness=True)
    method, url, body = requests(patient.pk, screening.pk)[what]
    response = getattr(api_as(role), method)(url, body, format="json")
    allowed = what in RECEPTIONIST_MAY or role in ("doctor", "admin")
    if allowed:
        assert response.status_code in (200, 201), (role, what, response.json())
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize("what", sorted(ALL))
def test_anonymous_callers_are_refused(api_anonymous, what):
    patient = PatientFactory()
    screening = ScreeningFactory(patient=patient, active_cancer=True)
    method, url, body = requests(patient.pk, screening.pk)[what]
    response = getattr(api_anonymous, method)(url, body, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert not ScreeningOverride.objects.exists()


def test_a_user_without_a_role_is_forbidden(django_user_model):
    user = django_user_model.objects.create_user("visitor", password="x" * 12)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    patient = PatientFactory()
    assert client.get("/api/v1/patients/").status_code == 403
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 403
