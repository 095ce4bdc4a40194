from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(
    MenuItem("统计监督", "监管指标", "dashboards:kpi", "dashboards.view_kpi", order=700),
    MenuItem("统计监督", "抽取公平性报告", "dashboards:fairness", "dashboards.view_kpi", order=710),
    MenuItem("统计监督", "工作总结统计", "dashboards:work_summary", "dashboards.view_kpi", order=720),
)
