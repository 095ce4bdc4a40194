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
