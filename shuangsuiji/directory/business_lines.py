"""The 卫生健康 business lines (research-regulatory §2.5). Codes are stable: other apps and
imported files refer to them. Used by migration 0002 and by tests; never edit a code."""

BUSINESS_LINES = [
    # (code, name, short name)
    ("ggcs", "公共场所卫生", "公共场所"),
    ("yys", "生活饮用水卫生", "饮用水"),
    ("sscp", "涉及饮用水卫生安全产品", "涉水产品"),
    ("xxws", "学校卫生", "学校"),
    ("cjxd", "餐具饮具集中消毒服务单位", "餐饮具消毒"),
    ("xdcp", "消毒产品", "消毒产品"),
    ("zyws", "职业卫生", "职业卫生"),
    ("fsws", "放射卫生", "放射卫生"),
    ("crb", "传染病防治", "传染病防治"),
    ("yljg", "医疗卫生（医疗机构依法执业）", "医疗卫生"),
    ("fyjk", "妇幼健康（母婴保健）", "妇幼健康"),
    ("cgx", "采供血", "采供血"),
    ("jhsy", "计划生育", "计划生育"),
    ("zyy", "中医药服务", "中医药"),  # 蓟州 2022 附件10 (added by migration 0008 to existing databases)
]
