from shuangsuiji.inspections.tests.fixtures import LOCK_TIME, gq, locked, team, yy_units  # noqa: F401
