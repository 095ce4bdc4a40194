# ruff: noqa: E501  (Chinese demo literals)
"""Demo data for 一单两库: 高青县 (~2,000 units, 32 inspectors) and 沂源县 (~300 units, 8 inspectors).

Units go through the real import pipeline (CSV → row forms → preview → commit), so the demo also
shows import batches: one create batch per county, one 审管联动 update batch with a change report,
and one rejected file with its error list. Everything is drawn from the seeded context["rng"].
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from shuangsuiji.accounts.models import User
from shuangsuiji.core.permissions import SYSTEM
from shuangsuiji.core.registry import demo_loader
from shuangsuiji.core.validators import make_credit_code, org_code_check_char
from shuangsuiji.regions.models import Region, Township

from . import services
from .choices import ConflictRelation, ExpertKind, ItemCategory
from .models import BusinessLine, Expert, InspectionItem, Inspector, RegulatedUnit

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
TOWNS = {
    "370322": ["田镇街道", "芦湖街道", "青城镇", "高城镇", "黑里寨镇", "唐坊镇", "常家镇", "花沟镇", "木李镇"],
    "370323": [
        "历山街道",
        "南麻街道",
        "鲁村镇",
        "东里镇",
        "悦庄镇",
        "西里镇",
        "大张庄镇",
        "燕崖镇",
        "中庄镇",
        "张家坡镇",
    ],
}
BRANDS = [
    "鑫源", "福顺", "华美", "金辉", "瑞丰", "宏达", "恒信", "新世纪", "康乐", "佳美", "丽人", "顺心", "兴隆", "永盛", "和谐",
    "阳光", "银河", "天成", "安康", "博雅", "清源", "东方", "金鼎", "明珠", "万家", "泰和", "嘉禾", "百川", "春晖", "锦程",
]  # fmt: skip
VILLAGES = ["东关", "西街", "前进", "胜利", "孙家", "李家", "王家", "刘家", "张家", "赵家", "大庄", "小庄", "新村", "河东",
            "河西", "北辛", "南辛", "前杨", "后杨", "马家", "崔家", "常家", "邢家", "于家", "蒋家", "仁和", "太平", "康庄"]  # fmt: skip
STREETS = ["青城路", "高苑路", "黄河路", "芦湖路", "田横路", "花沟路", "建设路", "人民路", "振兴路", "文化路", "健康街"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
         "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "立新", "红梅", "国庆", "文博", "子涵", "雨萱"]  # fmt: skip

# (kind code, 专业类别, name pattern, weight in 高青, tags, licence?)
UNIT_KINDS = [
    ("92", "公共场所", "{brand}宾馆", 260, "住宿", True),
    ("92", "公共场所", "{brand}快捷酒店", 60, "住宿、连锁经营", True),
    ("92", "公共场所", "{brand}美发店", 330, "美容美发", True),
    ("92", "公共场所", "{brand}美容美体会所", 160, "美容美发", True),
    ("92", "公共场所", "{brand}洗浴中心", 40, "沐浴", True),
    ("91", "公共场所", "{brand}游泳馆", 8, "游泳场所、重点单位", True),
    ("91", "公共场所", "{brand}购物广场", 25, "商场超市、集中空调", True),
    ("92", "公共场所", "{brand}KTV", 35, "文化娱乐", True),
    ("91", "公共场所", "{brand}健身中心", 30, "体育健身", True),
    ("91", "饮用水", "{town}{village}供水站", 30, "农村集中式供水、重点单位", True),
    ("91", "饮用水", "{brand}小区二次供水", 90, "二次供水", False),
    ("92", "饮用水", "{brand}现制现售水站", 40, "现制现售水", True),
    ("91", "涉水产品", "{brand}净水设备有限公司", 12, "", False),
    ("12", "学校", "高青县{town}{village}小学", 45, "学校", False),
    ("12", "学校", "高青县{town}{village}中学", 20, "学校、重点单位", False),
    ("52", "学校", "{brand}幼儿园", 55, "托幼机构", False),
    ("91", "餐饮具消毒", "{brand}餐具消毒有限公司", 6, "", False),
    ("91", "消毒产品", "{brand}消毒用品有限公司", 15, "", False),
    ("91", "职业卫生", "山东{brand}化工有限公司", 90, "化工、重点单位", False),
    ("91", "职业卫生", "高青{brand}建材有限公司", 70, "建材", False),
    ("91", "职业卫生", "淄博{brand}机械制造有限公司", 120, "机械制造", False),
    ("91", "职业卫生、放射卫生", "{brand}无损检测有限公司", 4, "工业探伤", False),
    ("12", "医疗卫生、传染病防治、放射卫生", "高青县{town}卫生院", 9, "基层医疗机构", False),
    ("52", "医疗卫生、传染病防治", "高青{brand}医院", 12, "民营医院", False),
    ("92", "医疗卫生、传染病防治", "{brand}诊所", 140, "诊所", False),
    ("12", "医疗卫生、传染病防治", "{town}{village}村卫生室", 120, "村卫生室", False),
    ("92", "医疗卫生、传染病防治、放射卫生", "{brand}口腔诊所", 30, "口腔", False),
    ("91", "医疗卫生", "{brand}医疗美容诊所", 6, "医疗美容", False),
    ("12", "妇幼健康、计划生育", "高青县妇幼保健院", 1, "重点单位", False),
    ("12", "采供血、医疗卫生", "高青县人民医院", 1, "重点单位、二级以上医院", False),
]  # fmt: skip
RISK_WEIGHTS = [("A", 30), ("B", 45), ("C", 12), ("D", 5), ("", 8)]
STATUS_WEIGHTS = [("在营", 95), ("停业", 3), ("注销", 2)]
UNIT_HEADERS = [
    "统一社会信用代码", "单位名称", "地址", "行政区划", "专业类别", "法定代表人/负责人", "联系电话", "卫生许可证号",
    "许可证有效期至", "标签", "信用风险分类", "风险分类日期", "风险分类来源", "投诉举报次数", "经营状态",
]  # fmt: skip

ITEMS = [
    # (code, line, name, target, category, ratio, content, legal basis)
    ("GGCS-01", "ggcs", "住宿场所卫生监督检查", "宾馆、酒店、旅店等住宿场所", "general", "5",
     "卫生许可证公示、从业人员健康体检、卫生管理制度和档案、顾客用品用具清洗消毒保洁、禁烟警语标志、安全套摆放",
     "《公共场所卫生管理条例》；《公共场所卫生管理条例实施细则》；《艾滋病防治条例》"),
    ("GGCS-02", "ggcs", "人工游泳场所卫生监督检查", "人工游泳场所", "key", "100",
     "卫生许可、水质检测（游离性余氯、浑浊度、尿素）、强制浸脚消毒池、从业人员健康证明、卫生管理档案",
     "《公共场所卫生管理条例》；《公共场所卫生管理条例实施细则》"),
    ("GGCS-03", "ggcs", "美容美发场所卫生监督检查", "美容店、美发店", "general", "3",
     "卫生许可证公示、从业人员健康体检、公共用品用具消毒、皮肤病患者专用工具、卫生管理制度",
     "《公共场所卫生管理条例》；《公共场所卫生管理条例实施细则》"),
    ("GGCS-04", "ggcs", "沐浴及其他公共场所卫生监督检查", "沐浴场所、商场超市、文化娱乐和体育健身场所", "general", "3",
     "卫生许可、空气和集中空调通风系统检测、顾客用品用具清洗消毒、卫生管理人员和档案",
     "《公共场所卫生管理条例》；《公共场所集中空调通风系统卫生管理办法》"),
    ("YYS-01", "yys", "集中式供水单位卫生监督检查", "城市和农村集中式供水单位", "key", "20",
     "卫生许可、供管水人员健康体检和培训、水质检测、水源卫生防护、供水设施和消毒设备运转",
     "《中华人民共和国传染病防治法》；《生活饮用水卫生监督管理办法》"),
    ("YYS-02", "yys", "二次供水及现制现售水卫生监督检查", "二次供水单位、现制现售水经营单位", "general", "5",
     "二次供水设施清洗消毒、水质检测、涉水产品卫生许可批件、管理人员健康证明",
     "《生活饮用水卫生监督管理办法》；《二次供水设施卫生规范》"),
    ("SSCP-01", "sscp", "涉及饮用水卫生安全产品生产企业监督检查", "涉水产品生产企业", "general", "5",
     "卫生许可批件、原料和生产工艺、生产现场卫生条件、标签说明书、产品卫生质量",
     "《生活饮用水卫生监督管理办法》"),
    ("XXWS-01", "xxws", "学校卫生监督检查", "中小学校", "key", "20",
     "教学和生活环境（课桌椅、采光照明、通风、厕所洗手设施）、传染病和常见病防控（晨检、因病缺勤追查、复课证明、接种证查验）、饮用水卫生",
     "《学校卫生工作条例》；《中华人民共和国传染病防治法》；GB 40070"),
    ("XXWS-02", "xxws", "托幼机构卫生监督检查", "幼儿园、托育机构", "general", "10",
     "卫生保健制度、晨午检、传染病疫情报告、消毒隔离、饮用水卫生", "《托儿所幼儿园卫生保健管理办法》；《中华人民共和国传染病防治法》"),
    ("CJXD-01", "cjxd", "餐具饮具集中消毒服务单位卫生监督检查", "餐具饮具集中消毒服务单位", "general", "40",
     "作业场所布局、清洗消毒设备设施、生产用水、消毒餐饮具出厂检验和卫生质量、标签标识",
     "《中华人民共和国传染病防治法》；《餐具、饮具集中消毒服务单位卫生监督工作规范》"),
    ("XDCP-01", "xdcp", "消毒产品生产企业卫生监督检查", "消毒产品生产企业", "general", "10",
     "生产企业卫生许可证、生产条件、原料、卫生安全评价报告、标签说明书",
     "《中华人民共和国传染病防治法》；《消毒管理办法》；《消毒产品卫生安全评价规定》"),
    ("ZYWS-01", "zyws", "用人单位职业病防治监督检查", "存在职业病危害因素的用人单位", "general", "5",
     "职业病防治管理组织和措施、职业卫生培训、建设项目“三同时”、危害项目申报、危害因素检测评价、警示标识和告知、防护设施和个人防护用品、职业健康监护",
     "《中华人民共和国职业病防治法》；《工作场所职业卫生管理规定》"),
    ("ZYWS-02", "zyws", "职业卫生技术服务机构监督检查", "职业卫生技术服务机构、职业健康检查机构", "key", "100",
     "资质、依法开展技术服务、专业技术人员管理、质量管理", "《中华人民共和国职业病防治法》；《职业卫生技术服务机构管理办法》"),
    ("FSWS-01", "fsws", "放射诊疗机构监督检查", "开展放射诊疗的医疗机构、工业探伤单位", "general", "40",
     "放射诊疗许可、工作人员个人剂量监测和职业健康检查、防护设施与检测、受检者防护",
     "《中华人民共和国职业病防治法》；《放射诊疗管理规定》"),
    ("CRB-01", "crb", "医疗机构传染病防治监督检查", "各级各类医疗机构", "general", "20",
     "预防接种管理、传染病疫情报告、疫情控制、消毒隔离、医疗废物处置、病原微生物实验室生物安全",
     "《中华人民共和国传染病防治法》；《医疗废物管理条例》；《消毒管理办法》"),
    ("YLJG-01", "yljg", "医疗机构依法执业监督检查", "医院、卫生院、诊所、村卫生室", "general", "12",
     "机构和人员资质、依法执业、医疗技术临床应用、院外购药及送检、虚假医学证明", "《医疗机构管理条例》；《中华人民共和国医师法》"),
    ("YLJG-02", "yljg", "医疗美容机构监督检查", "医疗美容机构", "key", "20",
     "医疗美容项目备案、主诊医师资质、药品器械来源", "《医疗机构管理条例》；《医疗美容服务管理办法》"),
    ("FYJK-01", "fyjk", "母婴保健技术服务机构监督检查", "母婴保健技术服务机构", "general", "20",
     "母婴保健技术服务执业许可、人员资质、出生医学证明管理", "《中华人民共和国母婴保健法》；《母婴保健法实施办法》"),
    ("CGX-01", "cgx", "血站及医疗机构临床用血监督检查", "血站、单采血浆站、医疗机构", "key", "100",
     "资质、血源管理、血液检测、包装储存供应、临床用血管理、医疗废物", "《中华人民共和国献血法》；《血站管理办法》；《医疗机构临床用血管理办法》"),
    ("JHSY-01", "jhsy", "计划生育技术服务机构监督检查", "计划生育技术服务机构", "general", "20",
     "执业许可、人员资质、技术服务规范", "《计划生育技术服务管理条例》"),
]  # fmt: skip


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _credit(rng, kind: str, region: str, used: set[str]) -> str:
    while True:
        body = "".join(rng.choice(ALPHABET) for _ in range(8))
        code = make_credit_code(f"{kind}{region}{body}{org_code_check_char(body)}")
        if code not in used:
            used.add(code)
            return code


def _person(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _unit_name(rng, pattern: str, town: str, county: str, taken: set[str]) -> str:
    """A unique, plausible name; after a few clashes a numbered branch (分店/分部) keeps it unique."""
    for attempt in range(40):
        brand = rng.choice(BRANDS) + (rng.choice(BRANDS) if attempt > 10 else "")
        name = pattern.format(brand=brand, town=town, village=rng.choice(VILLAGES)).replace("高青", county[:2])
        if name not in taken:
            break
    else:
        name = next(f"{name}（{k}）" for k in range(2, 10_000) if f"{name}（{k}）" not in taken)
    taken.add(name)
    return name


def _unit_rows(rng, region: str, total: int, used: set[str], today: dt.date) -> list[list]:
    weight_sum = sum(kind[3] for kind in UNIT_KINDS)
    county = "高青县" if region == "370322" else "沂源县"
    rows, names = [], set()
    for kind_code, lines, pattern, weight, tags, licensed in UNIT_KINDS:
        count = max(1, round(weight * total / weight_sum)) if weight > 1 else 1
        for _ in range(count):
            town = rng.choice(TOWNS[region])
            name = _unit_name(rng, pattern, town, county, names)
            risk = _pick(rng, RISK_WEIGHTS) if kind_code in ("91", "92") else _pick(rng, RISK_WEIGHTS[:2] + [("", 20)])
            year = rng.choice([today.year - 2, today.year - 1, today.year])
            rows.append([
                _credit(rng, kind_code, region, used), name, f"{county}{town}{rng.choice(STREETS)}{rng.randint(1, 399)}号",
                region, lines, _person(rng), f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                f"鲁卫公证字〔{year}〕第{region}{rng.randint(1000, 9999)}号" if licensed else "",
                f"{year + 4}-{rng.randint(1, 12):02d}-28" if licensed else "",
                tags, risk, _risk_date(rng, today) if risk else "",
                "淄博市市场监管局企业信用风险分类结果" if risk else "",
                rng.choice([0] * 20 + [1, 1, 2, 3, 5]), _pick(rng, STATUS_WEIGHTS),
            ])  # fmt: skip
    rng.shuffle(rows)
    return rows


def _risk_date(rng, today: dt.date) -> str:
    """The date of a unit's credit-risk classification: the first of a month, 1–10 months ago."""
    return (today - dt.timedelta(days=rng.randint(30, 300))).replace(day=1).isoformat()


def _csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _import(user, rows, filename, mode="create", headers=UNIT_HEADERS, kind="unit"):
    batch = services.import_prepare(user=user, kind=kind, mode=mode, data=_csv(headers, rows), filename=filename)
    if batch.status == "ready":
        batch = services.import_commit(user=user, batch=batch)
    return batch


def _load_units(rng, stdout, today: dt.date) -> dict[str, list[RegulatedUnit]]:
    admin, yy_leader = User.objects.get(username="admin"), User.objects.get(username="yy_leader")
    used = set(RegulatedUnit.objects.values_list("credit_code", flat=True))
    gq_rows = _unit_rows(rng, "370322", 2000, used, today)
    yy_rows = _unit_rows(rng, "370323", 300, used, today)
    gq = _import(admin, gq_rows, f"高青县检查对象名录（{today.year}年初始导入）.csv")
    yy = _import(yy_leader, yy_rows, "沂源县检查对象名录.csv")
    stdout.write(f"  检查对象：高青县 {gq.count_create} 家，沂源县 {yy.count_create} 家")

    # 审管联动: the registration authority pushes closures, renames and new registrations.
    headers = ["统一社会信用代码", "单位名称", "经营状态", "行政区划", "专业类别"]
    open_rows = [row for row in gq_rows if row[14] == "在营"]
    updates = [[row[0], "", "注销", "", ""] for row in rng.sample(open_rows, 12)]
    updates += [[row[0], row[1] + "（变更）", "", "", ""] for row in rng.sample(open_rows, 6)]
    updates += [
        [_credit(rng, "92", "370322", used), f"{rng.choice(BRANDS)}新开美发店", "", "370322", "公共场所"]
        for _ in range(5)
    ]
    batch = _import(admin, updates, f"市场监管部门推送_变更注销_{today:%Y%m}.csv", mode="update", headers=headers)
    stdout.write(f"  审管联动：更新 {batch.count_update}，注销 {batch.count_close}，新增 {batch.count_create}")

    # A rejected file, to show the error list and the 错误明细 download.
    bad = [list(row) for row in gq_rows[:3]]
    bad[0][0] = bad[0][0][:17] + ("0" if bad[0][0][17] != "0" else "1")
    bad[1][3] = "370399"
    bad[2][1] = ""
    services.import_prepare(
        user=admin, kind="unit", mode="create", data=_csv(UNIT_HEADERS, bad), filename="有错误的名录.csv"
    )
    return {
        code: list(RegulatedUnit.objects.filter(region__code=code).order_by("credit_code"))
        for code in ("370322", "370323")
    }


def _load_history(rng, units, today: dt.date):
    """Past inspections and violations on a sample of units (via services, so they are audited)."""
    item_names = dict(BusinessLine.objects.values_list("pk", "name"))
    for unit in rng.sample(units, 250):
        line = item_names[unit.business_lines.values_list("pk", flat=True).first()]
        for year in rng.sample([today.year - 3, today.year - 2, today.year - 1], rng.randint(1, 2)):
            services.inspection_history_add(
                user=SYSTEM, unit=unit, inspected_on=dt.date(year, rng.randint(3, 11), rng.randint(1, 28)),
                item_name=f"{line}双随机抽查", result=rng.choice(["未发现问题"] * 6 + ["发现问题已责令改正", "立案查处"]),
                source=f"{year}年国家随机监督抽查",
            )  # fmt: skip
    for unit in rng.sample(units, 40):
        services.violation_add(
            user=SYSTEM, unit=unit, occurred_on=dt.date(rng.choice([today.year - 2, today.year - 1]), rng.randint(1, 12), rng.randint(1, 28)),
            description=rng.choice(["未取得卫生许可证擅自营业", "从业人员未取得健康合格证明", "未按规定对顾客用品用具进行清洗消毒",
                                    "医疗废物未分类收集", "未按规定开展职业病危害因素检测", "使用非卫生技术人员从事医疗卫生技术工作"]),
            document_no=f"高卫罚〔{rng.choice([today.year - 2, today.year - 1])}〕{rng.randint(1, 99)}号",
        )  # fmt: skip


def _load_inspectors(rng, orgs, units_by_region, today: dt.date):
    """Certificate expiry and leave are shown relative to the day of loading."""
    lines = {line.short_name: line for line in BusinessLine.objects.all()}
    specialties = list(lines.values())
    plan = [("gq_agency", "370322", 26), ("gq_section", "370322", 6), ("yy_agency", "370323", 8)]
    positions = ["大队长", "副大队长", "中队长", "中队长", "执法人员", "执法人员", "执法人员", "科员"]
    inspectors, number = [], 0
    for org_key, region, count in plan:
        for i in range(count):
            number += 1
            start = dt.date(rng.choice([today.year - 5, today.year - 4, today.year - 3]), rng.randint(1, 12), 1)
            valid_to = start.replace(year=start.year + 5)
            if number in (3, 17):
                valid_to = today + dt.timedelta(days=rng.randint(5, 25))  # 到期提醒
            inspector = services.inspector_save(
                user=SYSTEM,
                data={
                    "name": "李执法" if number == 1 else _person(rng), "cert_no": f"{region}{2000 + number:05d}",
                    "cert_valid_from": start, "cert_valid_to": valid_to, "organization": orgs[org_key],
                    "position": positions[i % len(positions)], "phone": f"0533-{rng.randint(6000000, 6999999)}",
                    "active": number != 9, "user": User.objects.filter(username="gq_inspector").first() if number == 1 else None,
                },
                specialties=rng.sample(specialties, rng.randint(1, 3)), tags=[],
            )  # fmt: skip
            inspectors.append((inspector, region))
    for inspector, _region in rng.sample(inspectors, 7):
        start = today + dt.timedelta(days=rng.randint(-10, 40))
        services.leave_add(
            user=SYSTEM, inspector=inspector, start=start, end=start + dt.timedelta(days=rng.randint(3, 20)),
            reason=rng.choice(["年休假", "脱产培训", "借调", "病假"]),
        )  # fmt: skip
    for inspector, region in rng.sample(inspectors, 9):
        services.conflict_add(
            user=SYSTEM, inspector=inspector, unit=rng.choice(units_by_region[region]),
            relation=rng.choice(ConflictRelation.values), start=dt.date(today.year, 1, 1),
            end=None if rng.random() < 0.6 else dt.date(today.year + 1, 12, 31), note="本人申报",
        )  # fmt: skip
    # 沂源 2025: everyone doing daily supervision is on the roster, including staff without a 执法证 (协助检查);
    # they are never drawn as one of the two certified officers (draws/snapshot.py).
    for name, position in (("沂源协管员甲", "协管员"), ("沂源协管员乙", "科员")):
        services.inspector_save(
            user=SYSTEM,
            data={"name": name, "assist_only": True, "organization": orgs["yy_agency"], "position": position},
        )


def _load_experts(rng, regions, today: dt.date):
    lines = {line.code: line for line in BusinessLine.objects.all()}
    people = [
        ("370322", "高青县人民医院", "主任医师", ["yljg", "crb"]), ("370322", "高青县疾病预防控制中心", "副主任医师", ["yys", "crb"]),
        ("370322", "高青县人民医院", "放射科主任", ["fsws"]), ("370322", "山东理工大学", "教授（职业卫生）", ["zyws"]),
        ("370322", "高青县妇幼保健院", "主任医师", ["fyjk"]), ("370322", "高青县教体局", "校医（主管护师）", ["xxws"]),
        ("370323", "沂源县人民医院", "主任医师", ["yljg", "crb"]), ("370323", "沂源县疾病预防控制中心", "主管技师", ["yys", "ggcs"]),
    ]  # fmt: skip
    for region, employer, title, codes in people:
        services.expert_save(
            user=SYSTEM, data={"kind": ExpertKind.EXPERT, "name": _person(rng), "employer": employer, "title": title,
                              "region": regions[region], "valid_to": dt.date(today.year + 2, 12, 31)},
            specialties=[lines[c] for c in codes],
        )  # fmt: skip
    agencies = [("淄博{}检测技术有限公司", ["ggcs", "yys", "zyws"]), ("山东{}职业卫生评价有限公司", ["zyws", "fsws"]),
                ("淄博{}辐射防护技术有限公司", ["fsws"])]  # fmt: skip
    used: set[str] = set()
    for pattern, codes in agencies:
        services.expert_save(
            user=SYSTEM, data={"kind": ExpertKind.AGENCY, "name": pattern.format(rng.choice(BRANDS)), "region": regions["370322"],
                              "credit_code": _credit(rng, "91", "370300", used), "title": "CMA检验检测机构资质认定",
                              "qualification_no": f"{today.year - 3}{rng.randint(10000000, 99999999)}", "valid_to": dt.date(today.year + 1, 6, 30)},
            specialties=[lines[c] for c in codes],
        )  # fmt: skip


def _set_townships() -> None:
    """Units whose name carries a 乡镇（街道）name get that township (the demo's names are built from them).
    Demo set-up only: one UPDATE per township, no audit rows (the unit history starts with the import)."""
    for town in Township.objects.filter(county__code__in=("370322", "370323")):
        stem = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        if len(stem) >= 2:
            RegulatedUnit.objects.filter(region=town.county, township=None, name__contains=stem).update(township=town)


def _load_items(rng, regions):
    lines = {line.code: line for line in BusinessLine.objects.all()}
    province, city, gq, yy = (regions[c] for c in ("370000", "370300", "370322", "370323"))
    provincial = []
    for code, line, name, target, category, ratio, content, basis in ITEMS:
        item = services.item_create(
            user=SYSTEM,
            data={"code": f"SD-{code}", "business_line": lines[line], "name": name, "target": target,
                  "legal_basis": basis, "responsible_body": "县级以上卫生健康行政部门（卫生健康监督机构）",
                  "content": content, "method": "双随机抽查，现场检查", "default_ratio": Decimal(ratio),
                  "frequency": "每年1次", "category": category, "region": province},
        )  # fmt: skip
        provincial.append(services.item_publish(user=SYSTEM, item=item))
    city_item = services.item_create(
        user=SYSTEM,
        data={"code": "ZB-YLJG-01", "business_line": lines["yljg"], "name": "民营医疗机构依法执业专项抽查",
              "target": "民营医院、诊所", "legal_basis": "《医疗机构管理条例》", "category": ItemCategory.KEY,
              "responsible_body": "淄博市卫生健康委员会", "content": "执业资质、医疗广告、医保定点违规", "method": "双随机抽查",
              "default_ratio": Decimal("30"), "frequency": "每年1次", "region": city},
    )  # fmt: skip
    provincial.append(services.item_publish(user=SYSTEM, item=city_item))
    for index, upper in enumerate(provincial):
        claimed = services.item_claim(user=SYSTEM, item=upper, region=gq)
        if index < len(provincial) - 2:  # two stay drafts
            if upper.code == "SD-GGCS-01":
                claimed = services.item_update(user=SYSTEM, item=claimed, data={"default_ratio": Decimal("8"),
                                               "responsible_body": "高青县卫生健康局（高青县卫生健康监督执法大队）"})  # fmt: skip
            claimed = services.item_publish(user=SYSTEM, item=claimed)
            if upper.code == "SD-XXWS-01":  # a second version: ratio raised mid-year
                draft = services.item_new_version(user=SYSTEM, item=claimed)
                draft = services.item_update(user=SYSTEM, item=draft, data={"default_ratio": Decimal("30")})
                services.item_publish(user=SYSTEM, item=draft)
    for upper in rng.sample(provincial, 8):
        services.item_publish(user=SYSTEM, item=services.item_claim(user=SYSTEM, item=upper, region=yy))


@demo_loader(100, "一单两库")
def load_directory(context, stdout):
    if RegulatedUnit.objects.filter(region__code="370322").exists():
        stdout.write("  一单两库演示数据已存在，跳过")
        return
    rng = context["rng"]
    regions = {
        region.code: region for region in Region.objects.filter(code__in=["370000", "370300", "370322", "370323"])
    }
    _load_items(rng, regions)
    today = context["today"]  # every date is relative to the day of loading
    units = _load_units(rng, stdout, today)
    _set_townships()
    _load_history(rng, units["370322"] + units["370323"], today)
    _load_inspectors(rng, context["orgs"], units, today)
    _load_experts(rng, regions, today)
    stdout.write(
        f"  执法人员 {Inspector.objects.count()} 名，专家/机构 {Expert.objects.count()} 个，"
        f"抽查事项 {InspectionItem.objects.count()} 条（含认领与版本）"
    )
