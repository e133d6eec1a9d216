"""The API base: auth, the error format, the schema and docs."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3(api_receptionist):
    response = api_receptionist.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_docs_page_renders(client, receptionist):
    client.force_login(receptionist)
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_an_unknown_api_path_is_a_json_404(api_receptionist):
    response = api_receptionist.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Not found."}


def test_me_names_the_user_and_role(api_doctor, doctor):
    response = api_doctor.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {"id": doctor.pk, "username": doctor.username, "name": "Doctor", "role": "doctor",
                               "language": "en", "language_chosen": False}


def test_without_credentials_the_api_answers_401_in_the_contract_shape(api_anonymous):
    response = api_anonymous.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_bad_token_is_refused(api_anonymous):
    api_anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_anonymous.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_session_login_works_for_the_api(client, receptionist):
    client.force_login(receptionist)
    assert client.get("/api/v1/me/").json()["role"] == "receptionist"


def test_drf_create_token_makes_a_working_key(receptionist, api_anonymous):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("drf_create_token", receptionist.username, stdout=out)
    key = out.getvalue().split()[2]
    api_anonymous.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_anonymous.get("/api/v1/me/").status_code == 200
