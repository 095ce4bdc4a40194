from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(MenuItem("系统管理", "行政区划", "regions:region_list", "regions.view_region", order=820))
