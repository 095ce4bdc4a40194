"""专业类别 are data (issue #15 point 7): 中医药服务 ships, administrators add and edit lines (audited), codes
stay fixed, other roles are refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shuangsuiji.accounts.tests.test_views import login
from shuangsuiji.core.models import ObjectChange
from shuangsuiji.directory import services
from shuangsuiji.directory.business_lines import BUSINESS_LINES
from shuangsuiji.directory.models import BusinessLine

pytestmark = pytest.mark.django_db


def ensure_business_lines():
    """Migration 0002 seeds them; transactional tests flush tables, so re-create when missing."""
    for order, (code, name, short) in enumerate(BUSINESS_LINES, start=1):
        BusinessLine.objects.get_or_create(code=code, defaults={"name": name, "short_name": short, "order": order})


def test_zhongyiyao_ships_and_admin_maintains_lines(admin_user_gq, approver_gq):
    ensure_business_lines()
    assert BusinessLine.objects.get(code="zyy").name == "中医药服务"
    line = services.business_line_save(
        user=admin_user_gq, data={"code": "yqfk", "name": "医疗卫生机构疫情防控", "short_name": "疫情防控", "order": 20}
    )
    assert ObjectChange.objects.filter(object_type="directory.businessline", object_id=str(line.pk)).exists()
    line = services.business_line_save(user=admin_user_gq, line=line, data={"name": "疫情防控", "active": False})
    assert (line.name, line.active) == ("疫情防控", False)
    with pytest.raises(ValidationError, match="创建后不能修改"):
        services.business_line_save(user=admin_user_gq, line=line, data={"code": "other"})
    with pytest.raises(ValidationError, match="小写拉丁字母"):
        services.business_line_save(user=admin_user_gq, data={"code": "中医", "name": "中医"})
    with pytest.raises(PermissionDenied):
        services.business_line_save(user=approver_gq, data={"code": "abc", "name": "某专业"})


def test_business_line_pages(client, admin_user_gq, approver_gq):
    ensure_business_lines()
    login(client, admin_user_gq)
    page = client.get(reverse("directory:business_line_list")).content.decode()
    assert "中医药服务" in page and "专业类别维护" in page
    response = client.post(
        reverse("directory:business_line_create"), {"code": "Bad Code", "name": "某专业", "order": 30, "active": "on"}
    )
    assert response.status_code == 200 and "小写拉丁字母" in response.content.decode()
    response = client.post(
        reverse("directory:business_line_create"), {"code": "mzyl", "name": "民族医药", "order": 30, "active": "on"}
    )
    assert response.status_code == 302 and BusinessLine.objects.filter(code="mzyl").exists()
    zyy = BusinessLine.objects.get(code="zyy")
    response = client.post(
        reverse("directory:business_line_edit", args=[zyy.pk]),
        {"code": "hack", "name": "中医药服务（含民族医药）", "order": zyy.order, "active": "on"},
    )
    zyy.refresh_from_db()
    assert response.status_code == 302 and (zyy.code, zyy.name) == ("zyy", "中医药服务（含民族医药）")
    client.logout()
    login(client, approver_gq)
    assert client.get(reverse("directory:business_line_list")).status_code == 403
