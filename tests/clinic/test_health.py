import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_health_is_503_when_the_broker_is_unreachable(client, settings):
    # A port nothing listens on: the broker check must fail fast and say so.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
