"""The register's side of the spreadsheet budget: a refused workbook becomes an INVALID batch with the Chinese
reason (the budget itself is tested in shuangsuiji/imports/tests/test_spreadsheet_budget.py)."""

import pytest

from shuangsuiji.directory import services
from shuangsuiji.directory.choices import ImportKind, ImportMode, ImportStatus
from shuangsuiji.imports.tests.test_spreadsheet_budget import HOSTILE


@pytest.mark.django_db
def test_import_reports_the_refusal_in_chinese(regions, admin_user_gq):
    batch = services.import_prepare(
        user=admin_user_gq, kind=ImportKind.UNIT, mode=ImportMode.CREATE, data=HOSTILE["far_cell"](),
        filename="hostile.xlsx",
    )  # fmt: skip
    assert batch.status == ImportStatus.INVALID
    assert batch.errors == [[0, "", "文件过大：单元格数超过 6,000,000 个上限（本文件约 20,000,000 个），请拆分后导入"]]
