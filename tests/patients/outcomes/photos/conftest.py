"""Every photo test stores into a folder of its own, never var/media."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def photo_store(settings, tmp_path) -> Path:
    """Photos go to a folder of the test's own (its files are what the storage holds)."""
    folder = tmp_path / "photo-store"
    settings.STORAGES = {**settings.STORAGES, "photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}}}
    return folder
