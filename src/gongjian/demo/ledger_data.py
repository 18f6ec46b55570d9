"""Demo ledger: Changle's 攻坚120天 with its lines, and Hunan Town's 百日攻坚 (seed 003).

Seed 003: Hunan Town had 13 projects in the campaign, 7 city-level and 6 district-level, each
given to a member of the town's leadership and a team of town and village cadres ("一个项目、
一个领导、一个团队、一抓到底", "定人、定时、定责"), with problems of land handover, pole-line
relocation, water and power. The projects, dates and figures below are made up for the demo so
that on the demo date (2026-12-31) some are green, some yellow and some red, for stated reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

D = dt.date

CHANGLE_CAMPAIGN = ("攻坚120天", D(2026, 9, 3), D(2026, 12, 31))
HUNAN_CAMPAIGN = ("百日攻坚", D(2026, 9, 23), D(2026, 12, 31))

# Changle's lines (seed 000): (name, lead unit, kind of units covered: "towns" / "departments")
CHANGLE_LINES = [
    ("全员大招商招大商攻坚", "区工信局(招商办)", "towns"),
    ("重大招商项目落地攻坚", "区发改局", "towns"),
    ("土地收储攻坚", "区自然资源和规划局", "towns"),
    ("资金运作攻坚", "区财政局", "departments"),
    ("科技人才提升攻坚", "区委组织部(人才办)", "departments"),
    ("营商环境再优化攻坚", "区发改局", "departments"),
    ("城乡品质再提升攻坚", "区住建局", "departments"),
    ("征迁交地攻坚", "区征迁办", "towns"),
    ("竣工投产攻坚", "区发改局", "towns"),
    ("重大项目建设提速攻坚", "区发改局", "towns"),
]

HUNAN_LINES = [("征迁交地攻坚", "湖南镇"), ("项目建设提速攻坚", "湖南镇")]

# Hunan Town's leadership (班子成员) and town/village cadres (镇村干部): (name, post, is_leader)
HUNAN_PEOPLE = [
    ("陈立新", "镇党委副书记", True),
    ("林美华", "副镇长", True),
    ("郑建国", "副镇长", True),
    ("黄志明", "镇人大主席", True),
    ("吴秀兰", "镇党委委员、组织委员", True),
    ("刘德胜", "镇武装部长", True),
    ("张伟", "镇党委委员、宣传委员", True),
    ("陈国强", "湖南村党支部书记", False),
    ("林丽萍", "镇规划建设办主任", False),
    ("王建平", "镇征迁办主任", False),
    ("郑海燕", "镇经济发展办干部", False),
    ("李明辉", "鹏程村村委会主任", False),
    ("黄晓东", "镇社会事务办干部", False),
    ("陈雪梅", "镇农业服务中心主任", False),
    ("吴志勇", "镇安监站站长", False),
]

LAND_STEPS = ["入户调查", "评估测绘", "签约", "房屋腾空", "交地"]
BUILD_STEPS = ["立项", "用地审批", "施工许可", "开工", "主体完工", "竣工验收"]


@dataclass(frozen=True)
class Coord:
    period: dt.date
    category: str
    description: str
    handling_unit: str
    resolution: str = ""  # resolved when given


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    level: str
    line: str
    unit: str
    owner: str
    location: str
    total_wan: int
    annual_wan: int
    planned_start: dt.date
    planned_completion: dt.date
    leader: str
    team: tuple[tuple[str, str], ...] = ()
    kind: str = "build"  # "build" (施工) or "land" (征迁交地): which milestone plan
    started: dt.date | None = None  # actual start; None = not started
    completed: dt.date | None = None
    # Progress gap behind 序时进度 (percentage points) at the first and at the last report.
    gap_first: float = 0.0
    gap_last: float = 0.0
    # Milestones late and not reached: name -> planned date (overrides the generated one).
    stalled: dict[str, dt.date] = field(default_factory=dict)
    not_started_reason: str = ""
    problems: str = ""
    coordination: tuple[Coord, ...] = ()


HUNAN = "湖南镇"
CAMPAIGN_HUNAN = "hunan"
CAMPAIGN_CHANGLE = "changle"

HUNAN_PROJECTS = [
    # -- 7 city-level (福州市级) projects --
    DemoProject(
        "HN-2026-01",
        "长乐国际机场二期扩建工程（湖南段）征迁交地",
        "city",
        "征迁交地攻坚",
        HUNAN,
        "福州机场二期扩建工程指挥部",
        "湖南镇鹏程村、湖南村",
        68000,
        30000,
        D(2026, 3, 1),
        D(2027, 3, 31),
        "王海涛",
        (("王建平", "征迁组组长"), ("李明辉", "入户动员"), ("陈国强", "村级协调")),
        kind="land",
        started=D(2026, 3, 5),
        gap_first=2,
        gap_last=6,
        stalled={"交地": D(2026, 11, 16)},
        problems="剩余 7 户未签约，交地节点滞后",
        coordination=(
            Coord(D(2026, 11, 30), "land", "剩余 7 户征迁补偿争议，请区征迁办协调", "区征迁办"),
        ),
    ),
    DemoProject(
        "HN-2026-02",
        "滨海快线（湖南段）杆线迁改",
        "city",
        "征迁交地攻坚",
        HUNAN,
        "福州地铁集团",
        "湖南镇滨海大道沿线",
        12000,
        9000,
        D(2026, 6, 1),
        D(2027, 1, 31),
        "李文斌",
        (("林丽萍", "技术对接"), ("吴志勇", "施工安全")),
        started=D(2026, 6, 10),
        gap_first=6,
        gap_last=16,
        problems="国网、电信杆线迁改衔接慢",
        coordination=(
            Coord(
                D(2026, 10, 31),
                "poles",
                "10kV 线路杆线迁改需供电公司排期停电",
                "区工信局(招商办)",
                "已协调供电公司于 11 月中旬两次停电作业",
            ),
            Coord(D(2026, 12, 31), "poles", "通信杆线迁改方案未批复", "区住建局"),
        ),
    ),
    DemoProject(
        "HN-2026-03",
        "湖南镇污水处理厂提标改造工程",
        "city",
        "项目建设提速攻坚",
        HUNAN,
        "长乐区水务投资有限公司",
        "湖南镇污水处理厂",
        8600,
        6000,
        D(2026, 4, 1),
        D(2027, 4, 30),
        "陈立新",
        (("陈雪梅", "现场协调"), ("郑海燕", "资料报送")),
        started=D(2026, 4, 3),
        gap_first=1,
        gap_last=-2,
    ),
    DemoProject(
        "HN-2026-04",
        "福州新区大道（湖南段）道路工程",
        "city",
        "项目建设提速攻坚",
        HUNAN,
        "福州新区开发投资集团",
        "湖南镇东部",
        45000,
        20000,
        D(2026, 2, 15),
        D(2027, 5, 31),
        "林美华",
        (("林丽萍", "工程协调"), ("李明辉", "村级协调")),
        started=D(2026, 2, 20),
        gap_first=2,
        gap_last=4,
        stalled={"主体完工": D(2026, 12, 10)},
        problems="沥青摊铺受连续降雨影响",
        coordination=(Coord(D(2026, 12, 31), "utilities", "施工用电增容申请待批", "区发改局"),),
    ),
    DemoProject(
        "HN-2026-05",
        "东湖数字小镇配套道路工程",
        "city",
        "项目建设提速攻坚",
        HUNAN,
        "长乐区城市建设投资集团",
        "东湖数字小镇",
        21000,
        12000,
        D(2026, 5, 1),
        D(2027, 2, 28),
        "郑建国",
        (("郑海燕", "进度统计"), ("吴志勇", "施工安全")),
        started=D(2026, 5, 6),
        gap_first=0,
        gap_last=8,
        problems="近两月进度放缓",
    ),
    DemoProject(
        "HN-2026-06",
        "湖南镇安置房（一期）工程",
        "city",
        "征迁交地攻坚",
        HUNAN,
        "长乐区城市建设投资集团",
        "湖南镇湖南村",
        36000,
        15000,
        D(2026, 1, 10),
        D(2027, 6, 30),
        "黄志明",
        (("王建平", "安置对接"), ("陈国强", "村级协调"), ("黄晓东", "群众工作")),
        started=D(2026, 1, 15),
        gap_first=22,
        gap_last=34,
        problems="施工用水未接通，桩基施工停滞",
        coordination=(
            Coord(
                D(2026, 10, 31),
                "utilities",
                "施工临时用水接入",
                "区水利局",
                "已接入临时用水管线",
            ),
            Coord(D(2026, 11, 30), "approval", "规划调整审批", "区自然资源和规划局"),
        ),
    ),
    DemoProject(
        "HN-2026-07",
        "松下港区疏港公路（湖南段）",
        "city",
        "项目建设提速攻坚",
        HUNAN,
        "福州港务集团",
        "湖南镇西部",
        18000,
        8000,
        D(2025, 10, 1),
        D(2026, 12, 31),
        "刘德胜",
        (("林丽萍", "工程协调"),),
        started=D(2025, 10, 8),
        completed=D(2026, 12, 20),
        gap_first=0,
        gap_last=-1,
    ),
    # -- 6 district-level (长乐区级) projects --
    DemoProject(
        "HN-2026-08",
        "湖南中心小学扩建工程",
        "district",
        "项目建设提速攻坚",
        HUNAN,
        "长乐区教育局",
        "湖南镇中心小学",
        4800,
        3000,
        D(2026, 5, 10),
        D(2027, 3, 31),
        "吴秀兰",
        (("黄晓东", "校方对接"),),
        started=D(2026, 5, 12),
        gap_first=1,
        gap_last=3,
    ),
    DemoProject(
        "HN-2026-09",
        "湖南镇卫生院综合楼",
        "district",
        "项目建设提速攻坚",
        HUNAN,
        "长乐区卫健局",
        "湖南镇卫生院",
        3600,
        1200,
        D(2026, 12, 10),
        D(2027, 10, 31),
        "张伟",
        (("黄晓东", "手续办理"),),
        problems="施工招标流标一次，重新招标中",
        coordination=(Coord(D(2026, 12, 31), "approval", "施工许可并联审批", "区行政服务中心"),),
    ),
    DemoProject(
        "HN-2026-10",
        "湖南镇农村生活污水提升工程",
        "district",
        "项目建设提速攻坚",
        HUNAN,
        "湖南镇人民政府",
        "湖南镇 8 个行政村",
        2600,
        2600,
        D(2026, 8, 1),
        D(2027, 1, 31),
        "陈立新",
        (("陈雪梅", "村级协调"),),
        problems="资金未到位，尚未开工",
        coordination=(Coord(D(2026, 11, 30), "funds", "省级补助资金拨付", "区财政局"),),
    ),
    DemoProject(
        "HN-2026-11",
        "湖南集镇立面改造工程",
        "district",
        "项目建设提速攻坚",
        HUNAN,
        "湖南镇人民政府",
        "湖南镇集镇区",
        1500,
        1500,
        D(2026, 7, 1),
        D(2027, 1, 15),
        "林美华",
        (("林丽萍", "设计对接"), ("吴志勇", "施工安全")),
        started=D(2026, 7, 3),
        gap_first=2,
        gap_last=5,
    ),
    DemoProject(
        "HN-2026-12",
        "湖南滨海生态公园",
        "district",
        "项目建设提速攻坚",
        HUNAN,
        "长乐区城管局",
        "湖南镇滨海岸线",
        5200,
        3000,
        D(2026, 4, 15),
        D(2027, 4, 30),
        "郑建国",
        (("郑海燕", "进度统计"),),
        started=D(2026, 4, 20),
        gap_first=8,
        gap_last=18,
        problems="苗木种植受季节影响",
    ),
    DemoProject(
        "HN-2026-13",
        "闽江口湿地（湖南段）保护提升工程",
        "district",
        "项目建设提速攻坚",
        HUNAN,
        "长乐区林业局",
        "湖南镇闽江口湿地",
        3900,
        2000,
        D(2026, 3, 20),
        D(2027, 3, 31),
        "黄志明",
        (("陈雪梅", "生态修复"),),
        started=D(2026, 3, 25),
        gap_first=0,
        gap_last=-3,
    ),
]

# Projects of the other Changle lines (攻坚120天): (code, name, line, unit, level, leader, ...)
CHANGLE_PROJECTS = [
    DemoProject(
        "CL-2026-01",
        "中国东南大数据产业园三期",
        "city",
        "重大招商项目落地攻坚",
        "福州新区长乐功能区办",
        "福建东南大数据产业园投资有限公司",
        "长乐滨海新城",
        120000,
        40000,
        D(2026, 3, 1),
        D(2027, 12, 31),
        "林志强",
        started=D(2026, 3, 10),
        gap_first=0,
        gap_last=2,
    ),
    DemoProject(
        "CL-2026-02",
        "松下港区元洪作业区 5#-6# 泊位",
        "province",
        "重大项目建设提速攻坚",
        "松下镇",
        "福州港务集团",
        "松下镇元洪作业区",
        156000,
        50000,
        D(2026, 1, 1),
        D(2028, 6, 30),
        "黄丽娟",
        started=D(2026, 1, 8),
        gap_first=5,
        gap_last=12,
        problems="海域使用审批延迟",
    ),
    DemoProject(
        "CL-2026-03",
        "江田镇工业园区标准厂房",
        "district",
        "竣工投产攻坚",
        "江田镇",
        "江田镇人民政府",
        "江田工业园",
        9800,
        6000,
        D(2026, 2, 1),
        D(2026, 12, 31),
        "黄丽娟",
        started=D(2026, 2, 5),
        gap_first=10,
        gap_last=36,
        stalled={"主体完工": D(2026, 10, 15)},
    ),
    DemoProject(
        "CL-2026-04",
        "文武砂片区土地收储（一期）",
        "city",
        "土地收储攻坚",
        "文武砂街道",
        "长乐区土地收购储备中心",
        "文武砂街道",
        42000,
        20000,
        D(2026, 4, 1),
        D(2027, 3, 31),
        "林志强",
        kind="land",
        started=D(2026, 4, 8),
        gap_first=0,
        gap_last=1,
    ),
    DemoProject(
        "CL-2026-05",
        "长乐区政务服务中心智慧化改造",
        "district",
        "营商环境再优化攻坚",
        "区行政服务中心",
        "长乐区行政服务中心",
        "长乐区政务服务中心",
        1800,
        1800,
        D(2026, 6, 1),
        D(2027, 1, 31),
        "林志强",
        started=D(2026, 6, 1),
        gap_first=0,
        gap_last=0,
    ),
    DemoProject(
        "CL-2026-06",
        "吴航老城区背街小巷提升",
        "district",
        "城乡品质再提升攻坚",
        "吴航街道",
        "吴航街道办事处",
        "吴航街道",
        3200,
        3200,
        D(2026, 9, 1),
        D(2027, 2, 28),
        "陈建华",
        started=D(2026, 9, 5),
        gap_first=4,
        gap_last=14,
    ),
    DemoProject(
        "CL-2026-07",
        "长乐区人才公寓（二期）",
        "district",
        "科技人才提升攻坚",
        "区委组织部(人才办)",
        "长乐区国有资产投资集团",
        "长乐区吴航街道",
        15000,
        6000,
        D(2026, 9, 15),
        D(2027, 12, 31),
        "郑晓明",
        not_started_reason="用地规划调整，待区政府常务会研究",
    ),
    DemoProject(
        "CL-2026-08",
        "漳港片区征迁交地",
        "city",
        "征迁交地攻坚",
        "漳港街道",
        "长乐区征迁办",
        "漳港街道",
        26000,
        15000,
        D(2026, 5, 1),
        D(2027, 1, 31),
        "陈建华",
        kind="land",
        started=D(2026, 5, 6),
        gap_first=3,
        gap_last=8,
    ),
]

LAND_UNITS = {"评估测绘": "区自然资源和规划局", "交地": "区征迁办"}
BUILD_UNITS = {"用地审批": "区自然资源和规划局", "施工许可": "区住建局", "竣工验收": "区住建局"}


# -- The city's own 攻坚120天: a few key projects in each county-level unit, so the city office's
# battle map shows the districts side by side. (The city's ranking is entered line scores, not
# these projects: the seed's result, 长乐区 and 福清市 tied first, does not depend on them.)
CITY_CAMPAIGN = ("攻坚120天", D(2026, 9, 3), D(2026, 12, 31))
# Per county: (a building project's name, its gap behind 序时进度 at the last report; a land one's)
CITY_PROJECT_SEEDS: dict[str, tuple[str, float, str, float]] = {
    "鼓楼区": ("鼓楼区东街口片区城市更新", 4, "鼓楼区洪山桥地块征迁", 12),
    "台江区": ("台江区上下杭三期保护提升", 8, "台江区鳌峰地块征迁交地", 3),
    "仓山区": ("仓山区金山生态产业园", 2, "仓山区城门安置房地块征迁", 18),
    "马尾区": ("马尾区物联网产业基地二期", 1, "马尾区琅岐环岛路征迁", 6),
    "晋安区": ("晋安区新店古城片区改造", 14, "晋安区鼓山大道征迁交地", 5),
    "长乐区": ("长乐区滨海新城数字经济产业园", 3, "长乐区临空经济区收储地块征迁", 9),
    "福清市": ("福清市江阴港区集装箱码头扩建", 2, "福清市融侨开发区征迁交地", 4),
    "闽侯县": ("闽侯县高新区创新园四期", 6, "闽侯县上街大学城征迁", 33),
    "连江县": ("连江县可门港临港产业园", 11, "连江县琯头镇地块征迁", 7),
    "罗源县": ("罗源县湾区不锈钢深加工项目", 9, "罗源县松山镇港区征迁", 2),
    "闽清县": ("闽清县陶瓷产业园提升工程", 12, "闽清县梅城镇旧城片区征迁", 35),
    "永泰县": ("永泰县文旅康养综合体", 5, "永泰县城峰镇安置地块征迁", 8),
    "福州高新区": ("福州高新区海西高新技术产业园二期", 1, "福州高新区南屿地块征迁交地", 4),
}
CITY_LEADERS = [
    "陈启明", "林志明", "黄立新", "郑国栋", "吴思远", "刘晓东", "张明辉",
    "杨振华", "周文杰", "徐海峰", "许志坚", "何伟民", "高俊杰",
]  # fmt: skip
CITY_LEADER_POST = "分管副职（挂钩市级重点项目）"


def city_projects(leaders: dict[str, str]) -> list[DemoProject]:
    """Two city key projects per county: one on 重大项目建设提速攻坚, one on 征迁交地攻坚."""
    projects = []
    for i, (county, (build, build_gap, land, land_gap)) in enumerate(CITY_PROJECT_SEEDS.items()):
        projects += [
            DemoProject(
                f"FZ-2026-{i + 1:02d}1", build, "city", "重大项目建设提速攻坚", county,
                f"{county}重点项目建设中心", county, 80000 + 5000 * i, 30000,
                D(2026, 3, 1), D(2027, 6, 30), leaders[county],
                started=D(2026, 3, 10), gap_first=1, gap_last=build_gap,
            ),
            DemoProject(
                f"FZ-2026-{i + 1:02d}2", land, "city", "征迁交地攻坚", county,
                f"{county}征迁办", county, 20000 + 1000 * i, 15000,
                D(2026, 4, 1), D(2027, 3, 31), leaders[county], kind="land",
                started=D(2026, 4, 8), gap_first=2, gap_last=land_gap,
            ),
        ]  # fmt: skip
    return projects
