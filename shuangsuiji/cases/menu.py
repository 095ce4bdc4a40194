from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(
    MenuItem("检查与处置", "后续处置", "cases:case_list", "cases.view_followupcase", order=430),
    MenuItem("检查与处置", "结果异议", "cases:objection_list", "cases.view_followupcase", order=435),
)
