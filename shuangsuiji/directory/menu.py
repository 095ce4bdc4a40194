from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(
    MenuItem("一单两库", "抽查事项清单", "directory:item_list", "directory.view_inspectionitem", order=100),
    MenuItem("一单两库", "检查对象名录库", "directory:unit_list", "directory.view_regulatedunit", order=110),
    MenuItem("一单两库", "执法检查人员名录库", "directory:inspector_list", "directory.view_inspector", order=120),
    MenuItem("一单两库", "专家库", "directory:expert_list", "directory.view_expert", order=130),
    MenuItem("一单两库", "导入记录", "directory:import_list", "directory.view_importbatch", order=140),
    MenuItem("一单两库", "专业类别维护", "directory:business_line_list", "directory.change_businessline", order=150),
)
