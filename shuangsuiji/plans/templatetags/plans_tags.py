from django import template

register = template.Library()

BADGES = {
    "draft": "secondary", "submitted": "warning", "approved": "info", "published": "success",
    "committed": "warning", "drawn": "info", "locked": "success", "cancelled": "danger",
    "active": "primary", "standby": "light", "replaced": "secondary",
}  # fmt: skip


@register.filter
def badge(status: str) -> str:
    """Bootstrap colour of a workflow status chip."""
    return BADGES.get(status, "secondary")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def stratum(code: str) -> str:
    """Chinese label of a stratum code in a plan snapshot ("ALL" → 全部对象, "ggcs|C" → 公共场所卫生 · C …)."""
    from shuangsuiji.plans.pool import stratum_label

    return stratum_label(code) if code else ""
