import pytest

from shuangsuiji.disclosure.tests.conftest import locked  # noqa: F401
from shuangsuiji.plans.tests.fixtures import gq, yy_units  # noqa: F401


@pytest.fixture(autouse=True)
def _media(media_root):
    """Draw files go to a per-test storage folder."""
