from shuangsuiji.core.registry import MenuItem, register_menu

register_menu(MenuItem("随机抽取", "抽取记录", "draws:draw_list", "draws.view_draw", order=310))
