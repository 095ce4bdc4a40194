"""Demo regions, organisations and users: 淄博市 with two counties (高青县, 沂源县) so that
region scoping is visible (a 高青 user never sees 沂源 data)."""

from shuangsuiji.accounts import services as account_services
from shuangsuiji.accounts.models import Organization, User
from shuangsuiji.accounts.roles import Role
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.regions.models import Region
from shuangsuiji.regions.services import regions_load_csv, regions_load_gbt2260

DEMO_PASSWORD = "Demo@2026!"

# (username, full name, role, organisation key)
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN, "gq_bureau"),
    ("gq_leader", "王科长", Role.APPROVER, "gq_bureau"),
    ("gq_inspector", "李执法", Role.INSPECTOR, "gq_agency"),
    ("gq_jijian", "赵纪检", Role.OVERSIGHT, "gq_bureau"),
    ("gq_clerk", "钱内勤", Role.CLERK, "gq_agency"),  # enters results from the paper records with scans
    ("yy_leader", "孙科长", Role.APPROVER, "yy_bureau"),
    ("zb_leader", "周处长", Role.APPROVER, "zb_bureau"),
    ("sd_admin", "省级管理员", Role.ADMIN, "sd_bureau"),  # the only demo login that edits the national calendar
]

ORGS = {
    # key: (name, kind, region code, parent key)
    "sd_bureau": ("山东省卫生健康委员会", Organization.Kind.BUREAU, "370000", None),
    "zb_bureau": ("淄博市卫生健康委员会", Organization.Kind.BUREAU, "370300", None),
    "gq_bureau": ("高青县卫生健康局", Organization.Kind.BUREAU, "370322", None),
    "gq_section": ("高青县卫生健康局法规监督科", Organization.Kind.SECTION, "370322", "gq_bureau"),
    "gq_agency": ("高青县卫生健康监督执法大队", Organization.Kind.AGENCY, "370322", "gq_bureau"),
    "gq_market": ("高青县市场监督管理局", Organization.Kind.OTHER_DEPT, "370322", None),
    "yy_bureau": ("沂源县卫生健康局", Organization.Kind.BUREAU, "370323", None),
    "yy_agency": ("沂源县卫生健康综合执法大队", Organization.Kind.AGENCY, "370323", "yy_bureau"),
}


def load_accounts() -> dict[str, Organization]:
    regions_load_csv(user=SYSTEM)
    regions_load_gbt2260(user=SYSTEM, prefix="3703")  # the demo city's 乡镇（街道）(migrate ships 省/市/县)
    orgs: dict[str, Organization] = {}
    for key, (name, kind, code, parent) in ORGS.items():
        region = Region.objects.get(code=code)
        org = Organization.objects.filter(region=region, name=name).first()
        if org is None:
            org = account_services.organization_create(
                user=SYSTEM, name=name, kind=kind, region=region, parent=orgs.get(parent)
            )
        orgs[key] = org
    for username, full_name, role, org_key in DEMO_USERS:
        if not User.objects.filter(username=username).exists():
            account_services.user_create(
                user=SYSTEM, username=username, password=DEMO_PASSWORD, full_name=full_name,
                role=role, organization=orgs[org_key],
            )  # fmt: skip
    return orgs
