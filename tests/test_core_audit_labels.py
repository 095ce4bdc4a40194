"""The audit detail and history pages name fields and values in Chinese (issue #17): field labels, choice labels,
是/否, related objects' names and times as 2026年6月15日 10:00 — never the stored codes."""

import pytest

from shuangsuiji.core.selectors import changes_for_people, object_type_label
from shuangsuiji.regions.models import Region


@pytest.mark.django_db
def test_changes_for_people_show_labels_not_stored_values(regions):
    gq = Region.objects.get(code="370322")
    before = {"name": "甲", "level": "county", "parent_id": gq.parent_id, "valid": True}
    after = {"name": "乙", "level": "city", "parent_id": gq.pk, "valid": False}
    rows = {label: (old, new) for label, old, new in changes_for_people("regions.region", before, after)}
    assert object_type_label("regions.region") == "行政区划"
    assert rows == {
        "名称": ("甲", "乙"),
        "级别": ("县级", "市级"),
        "上级区划": (str(gq.parent), str(gq)),
        "有效": ("是", "否"),
    }


@pytest.mark.django_db
def test_times_in_json_snapshots_read_as_beijing_time():
    rows = changes_for_people("core.objectchange", {"time": "2026-06-15T02:00:00+00:00"}, {"time": None})
    assert rows == [("时间", "2026年6月15日 10:00", "")]


def test_unknown_types_and_keys_stay_as_stored():
    assert object_type_label("gone.model") == "gone.model"
    assert changes_for_people("gone.model", {"x": 1}, {"x": 2}) == [("x", 1, 2)]
