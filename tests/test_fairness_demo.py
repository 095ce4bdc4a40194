"""The fairness report raises no alarm on the demo's honest draws (issue #16.4), for every plan year."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_draws_raise_no_false_alarm():
    from shuangsuiji.accounts.models import User
    from shuangsuiji.dashboards import fairness
    from shuangsuiji.draws.models import Draw
    from shuangsuiji.regions.models import Region

    call_command("load_demo", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    years = set(Draw.objects.filter(status="locked").values_list("task__plan__year", flat=True))
    assert years
    province = Region.objects.get(code="370000")
    for year in years:
        report = fairness.fairness_report(admin, region=province, year=year)
        assert report.draws and report.tests > 0
        assert report.mismatches == [] and report.flagged == 0, [r.label for r in report.strata + report.units
                                                                  if r.flagged]  # fmt: skip


def test_rounding_is_explained_not_flagged_and_a_stratum_always_rounded_up_is():
    from shuangsuiji.dashboards import fairness

    # 10 draws of a stratum with target 1.5: 1 fixed + Bernoulli(0.5) each time.
    fair = fairness.Row("A", "A", draws=10, expected=15, observed=16, fixed=10, chances=[0.5] * 10)
    always_up = fairness.Row("B", "B", draws=10, expected=15, observed=20, fixed=10, chances=[0.5] * 10)
    assert fairness.evaluate([fair, always_up], []) == 2
    assert not fair.flagged and always_up.flagged  # p = 2 × 0.5¹⁰ ≈ 0.002 ≤ 0.05/2
    assert always_up.p_value == pytest.approx(2 * 0.5**10)
