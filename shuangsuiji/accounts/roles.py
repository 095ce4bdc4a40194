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


# Actions: view/add/change/delete (CRUD), import/export, approve/publish (workflow),
# draw (run a random draw), enter (result entry), manage (users, calendar).
ROLE_ACTIONS: dict[str, set[str]] = {
    Role.ADMIN: {"view", "add", "change", "delete", "import", "export", "approve", "publish", "draw", "enter", "manage"},
    Role.APPROVER: {"view", "add", "change", "import", "export", "approve", "publish", "draw", "enter"},
    Role.INSPECTOR: {"view", "add", "change", "export", "enter"},
    Role.OVERSIGHT: {"view", "export"},
}

# Models a role may not touch at all, whatever the action.
ROLE_EXCLUDED_MODELS: dict[str, set[str]] = {
    Role.ADMIN: set(),
    Role.APPROVER: {"accounts.user", "accounts.organization", "core.holidayoverride", "core.calendaryear"},
    Role.INSPECTOR: {
        "accounts.user", "accounts.organization", "core.holidayoverride", "core.calendaryear", "core.objectchange",
        "regions.region",
    },  # fmt: skip
    Role.OVERSIGHT: set(),
}

# Actions that only mean "view" for some models (nobody edits regions except admins, etc.).
READ_ONLY_MODELS = {"core.objectchange"}


def role_allows(role: str, perm: str) -> bool:
    app_label, _, codename = perm.partition(".")
    action, _, model = codename.partition("_")
    label = f"{app_label}.{model}"
    if role not in ROLE_ACTIONS or action not in ROLE_ACTIONS[role]:
        return False
    if label in ROLE_EXCLUDED_MODELS.get(role, set()):
        return action == "view" and label == "regions.region"
    if label in READ_ONLY_MODELS:
        return action in {"view", "export"}
    if role == Role.INSPECTOR and label == "regions.region":
        return action == "view"
    return True
