"""Reads for plans and tasks (always scoped through `restrict()`)."""

from django.db.models import Count, Exists, OuterRef

from .choices import PlanStatus
from .models import AnnualPlan, AnnualPlanVersion, Task


def plan_list(user, action: str = "view"):
    return (
        AnnualPlan.objects.restrict(user, action)
        .select_related("organization", "region")
        .annotate(task_count=Count("tasks"))
    )


def task_list(user, action: str = "view"):
    return Task.objects.restrict(user, action).select_related("plan", "plan__region", "lead_organization")


def tasks_ready_to_draw(user):
    """Tasks of published plans without a live (non-cancelled) draw — what a 科室负责人 can draw now."""
    return (
        task_list(user, "view")
        .filter(plan__status=PlanStatus.PUBLISHED)
        .exclude(Exists(Task.live_draws().filter(task=OuterRef("pk"))))
        .distinct()
    )


def plan_id_of_task(code: str) -> int | None:
    """The plan that owns the live task row `code` (the portal then shows the task from published versions)."""
    return Task.objects.filter(code=code).values_list("plan_id", flat=True).first()


def plans_awaiting(user, status: str):
    return AnnualPlan.objects.restrict(user, "view").filter(status=status)


def public_plans():
    """Published plans for the public portal (issue #6): the latest published version of each plan."""
    return AnnualPlanVersion.objects.select_related("plan", "plan__region", "plan__organization").order_by(
        "plan_id", "-version"
    )


def business_line_names() -> dict[str, str]:
    """Business-line code → name, for stratum labels."""
    from shuangsuiji.directory.models import BusinessLine

    return dict(BusinessLine.objects.values_list("code", "name"))
