from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(
    MenuItem("检查与处置", "检查结果", "inspections:result_list", "inspections.view_inspectionresult", order=410),
    MenuItem("检查与处置", "执行情况", "inspections:progress", "inspections.view_inspectionresult", order=415),
    MenuItem(
        "检查与处置", "待公示结果", "inspections:publish_queue", "inspections.publish_inspectionresult", order=420
    ),
    MenuItem("检查与处置", "导入上级下达任务", "inspections:upper_task_import", "draws.import_draw", order=425),
    MenuItem("检查与处置", "登记非随机检查", "inspections:non_random_create", "draws.add_draw", order=430),
    MenuItem(
        "检查与处置", "检查表维护", "inspections:checklist_list", "inspections.manage_checklisttemplate", order=440
    ),
)
