import datetime as dt
import io
import random

import pytest

from shuangsuiji.accounts.demo import load_accounts
from shuangsuiji.accounts.models import User
from shuangsuiji.directory.choices import ImportStatus, ItemStatus
from shuangsuiji.directory.demo import load_directory
from shuangsuiji.directory.models import (
    ConflictDeclaration,
    Expert,
    ImportBatch,
    InspectionItem,
    Inspector,
    LeavePeriod,
    RegulatedUnit,
)
from shuangsuiji.directory.selectors import expiring_certificates

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_exercises_the_directory_and_is_idempotent():
    context = {"rng": random.Random(20261123), "orgs": load_accounts(), "today": dt.date(2026, 6, 15)}
    out = io.StringIO()
    load_directory(context, out)
    units = RegulatedUnit.objects
    assert units.filter(region__code="370322").count() == 2005  # 2,000 + 5 added by 审管联动
    assert units.filter(region__code="370323").count() == 300
    assert units.filter(status="closed").count() >= 12
    assert set(units.exclude(risk_level="").values_list("risk_level", flat=True)) == {"A", "B", "C", "D"}
    assert units.filter(complaint_count__gt=0).exists() and units.filter(violation_count__gt=0).exists()
    assert units.filter(tags__name="住宿").exists() and units.filter(inspection_count__gt=0).exists()
    assert units.filter(business_lines__code="cgx").exists()
    assert Inspector.objects.count() == 42  # 40 certified officers + 2 沂源 staff without a 执法证 (协助检查)
    assert Inspector.objects.filter(assist_only=True).count() == 2
    assert Inspector.objects.filter(organization__region__code="370322").count() == 32
    assert LeavePeriod.objects.exists() and ConflictDeclaration.objects.exists()
    assert Expert.objects.filter(kind="agency").exists() and Expert.objects.filter(kind="expert").exists()
    assert InspectionItem.objects.filter(region__code="370000", status=ItemStatus.PUBLISHED).count() == 20
    assert InspectionItem.objects.filter(region__code="370322", claimed_from__isnull=False).exists()
    assert InspectionItem.objects.filter(status=ItemStatus.SUPERSEDED).exists()
    assert set(ImportBatch.objects.values_list("status", flat=True)) == {ImportStatus.COMMITTED, ImportStatus.INVALID}
    assert expiring_certificates(User.objects.get(username="admin"), today=dt.date(2026, 6, 15)).count() >= 2
    load_directory(context, out)  # second run: skipped
    assert units.count() == 2305
    assert "已存在，跳过" in out.getvalue()
