from shuangsuiji.plans.tests.fixtures import gq, yy_units  # noqa: F401
