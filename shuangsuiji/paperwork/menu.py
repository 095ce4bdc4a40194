from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(MenuItem("检查与处置", "执法文书", "paperwork:index", "paperwork.view_issueddocument", order=440))
