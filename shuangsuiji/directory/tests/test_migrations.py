"""The constraints migration checks existing data first and names every duplicate group."""

import pytest

from shuangsuiji.core.migration_testing import migrate_to as _migrate
from shuangsuiji.core.migration_testing import migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("directory", "0003_alter_importbatch_kind")]
AFTER = [("directory", "0004_constraints_and_local_orderings")]


def test_duplicates_stop_the_migration_with_a_list(regions):
    old = _migrate(BEFORE)
    Expert = old.get_model("directory", "Expert")
    region = old.get_model("regions", "Region").objects.get(code="370322")
    try:
        a = Expert.objects.create(name="甲", qualification_no="ZJ1", region=region)
        b = Expert.objects.create(name="乙", qualification_no="zj1", region=region)
        Expert.objects.create(name="丙", region=region)
        Expert.objects.create(name="丁", region=region)  # blank numbers are not duplicates
        with pytest.raises(RuntimeError, match=rf"资质证书编号 ZJ1 重复：id \[{a.pk}, {b.pk}\]"):
            _migrate(AFTER)
        Expert.objects.filter(pk=b.pk).update(qualification_no="ZJ2")
        _migrate(AFTER)  # clean data migrates
    finally:
        migrate_to_latest()  # not AFTER: later directory migrations were unapplied by going back
