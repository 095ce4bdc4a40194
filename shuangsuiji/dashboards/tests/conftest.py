from shuangsuiji.disclosure.tests.conftest import locked  # noqa: F401
from shuangsuiji.plans.tests.fixtures import gq, yy_units  # noqa: F401
