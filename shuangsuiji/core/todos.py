"""Framework to-dos shown on the home page."""

from django.urls import reverse

from .registry import Todo, register_todo
from .selectors import uncovered_upcoming_years


@register_todo
def calendar_todos(user):
    if not user.has_perm("core.manage_holidayoverride"):
        return []
    return [
        Todo(f"{year}年节假日安排未维护", 1, reverse("core:holiday_list") + f"?year={year}", "danger")
        for year in uncovered_upcoming_years()
    ]
