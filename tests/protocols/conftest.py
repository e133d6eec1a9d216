"""The protocol tests read the rules' and services' messages in English, whatever language a page
requested before them left active in this thread (Django's test client does not reset it)."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_by_default():
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
