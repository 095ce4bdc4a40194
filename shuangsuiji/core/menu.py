from .registry import MenuItem, register_menu

register_menu(
    MenuItem("个人", "我的任务", "core:job_list", order=1),
    MenuItem("系统管理", "审计日志", "core:audit_list", "core.view_objectchange", order=900),
    MenuItem("系统管理", "节假日维护", "core:holiday_list", "core.view_holidayoverride", order=910),
)
