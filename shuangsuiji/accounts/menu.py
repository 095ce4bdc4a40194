from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(
    MenuItem("系统管理", "用户管理", "accounts:user_list", "accounts.view_user", order=800),
    MenuItem("系统管理", "机构管理", "accounts:organization_list", "accounts.view_organization", order=810),
)
