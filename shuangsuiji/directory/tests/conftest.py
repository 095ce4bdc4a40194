import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded import files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
