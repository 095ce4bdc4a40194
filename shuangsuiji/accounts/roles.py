"""Roles (角色) and what each may do.

A permission is Django's "<app>.<action>_<model>" string. Each role grants a set of actions on
every model, minus explicit exclusions. Keeping the map in code makes it reviewable and testable;
region scope is applied separately by `RestrictedQuerySet`.
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    APPROVER = "approver", "科室负责人/审批人"
    INSPECTOR = "inspector", "执法人员"
    OVERSIGHT = "oversight", "监督员/纪检（只读）"
    CLERK = "clerk", "内勤（纸质记录录入）"


# Actions: view/add/change/delete (CRUD), import/export, approve/publish (workflow),
# draw (run a random draw), enter (result entry), transcribe (enter a result from the signed paper record, with
# the scanned signatures, instead of each officer signing online), manage (users, calendar).
ROLE_ACTIONS: dict[str, set[str]] = {
    Role.ADMIN: {
        "view",
        "add",
        "change",
        "delete",
        "import",
        "export",
        "approve",
        "publish",
        "draw",
        "enter",
        "transcribe",
        "manage",
    },
    Role.APPROVER: {"view", "add", "change", "import", "export", "approve", "publish", "draw", "enter", "transcribe"},
    Role.INSPECTOR: {"view", "add", "change", "export", "enter"},
    Role.OVERSIGHT: {"view", "export"},
    # 内勤 (issue #15 point 7): types in results from the paper 现场检查记录 and attaches the scanned signature
    # pages; sees results and registers like a reader, writes nothing else.
    Role.CLERK: {"view", "export", "enter", "transcribe"},
}

# Models only administrators write (others may view them).
ADMIN_ONLY_MODELS = {
    "accounts.user", "accounts.organization", "core.holidayoverride", "core.calendaryear", "core.calendarproposal",
    "regions.region", "regions.township", "directory.businessline", "paperwork.numberingrule",
}  # fmt: skip

# Models a role may not even see.
HIDDEN_MODELS: dict[str, set[str]] = {
    Role.INSPECTOR: {"accounts.user", "core.objectchange"},
    Role.CLERK: {"accounts.user", "core.objectchange"},
}

# Nobody writes these through the application (append-only audit trail).
READ_ONLY_MODELS = {"core.objectchange"}

READ_ACTIONS = {"view", "export"}

# Permissions a role does not have although its actions would grant them (issue #11 role review): an 执法人员
# records results and declares their own leave and 回避 (object checks in directory/services.py), but does not
# set credit-risk classes (they move draw probabilities), maintain the inspector directory, create annual plans
# or write the 抽查事项清单. Removing a 回避 declaration takes `approve` (科室负责人 or administrator).
ROLE_DENIED: dict[str, set[str]] = {
    Role.INSPECTOR: {
        "directory.add_riskrating", "directory.add_inspector", "directory.change_inspector",
        "plans.add_annualplan", "directory.add_inspectionitem",
    },
}  # fmt: skip


# Permissions a role has although its actions would not grant them: 科室负责人 maintain the 检查表 of their items
# (issue #15 point 4; `manage` otherwise stays with the system administrator).
ROLE_GRANTED: dict[str, set[str]] = {
    Role.APPROVER: {"inspections.manage_checklisttemplate"},
}


def role_allows(role: str, perm: str) -> bool:
    if perm in ROLE_GRANTED.get(role, set()):
        return True
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    label = f"{app_label}.{model}"
    if role not in ROLE_ACTIONS or action not in ROLE_ACTIONS[role]:
        return False
    if perm in ROLE_DENIED.get(role, set()):
        return False
    if label in HIDDEN_MODELS.get(role, set()):
        return False
    if label in READ_ONLY_MODELS:
        return action in READ_ACTIONS
    if label in ADMIN_ONLY_MODELS and action not in READ_ACTIONS:
        return role == Role.ADMIN
    return True
