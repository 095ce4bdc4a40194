from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(
    MenuItem("计划管理", "年度抽查工作计划", "plans:plan_list", "plans.view_annualplan", order=200),
    MenuItem("计划管理", "抽查任务", "plans:task_list", "plans.view_task", order=210),
    MenuItem("随机抽取", "待抽取任务", "plans:task_ready", "draws.draw_draw", order=300),
)
