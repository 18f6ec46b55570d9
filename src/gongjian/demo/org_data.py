"""The demo organisation: Fuzhou, its county-level units, and Changle's departments and towns.

Names and aliases are written as people (and the seed's crawler) write them; the loader runs them
through the same services an office admin would use.
"""

from __future__ import annotations

CITY = "福州市"
CITY_ALIASES = ["福州", "榕城"]

# (name, kind, aliases)
COUNTY_LEVEL = [
    ("鼓楼区", "district", []),
    ("台江区", "district", []),
    ("仓山区", "district", []),
    ("马尾区", "district", ["福州经济技术开发区"]),
    ("晋安区", "district", []),
    ("长乐区", "district", ["长乐", "长乐市"]),
    ("福清市", "county_city", ["福清"]),
    ("闽侯县", "county", ["闽侯"]),
    ("连江县", "county", ["连江"]),
    ("罗源县", "county", ["罗源"]),
    ("闽清县", "county", ["闽清"]),
    ("永泰县", "county", ["永泰"]),
    ("福州高新区", "zone", ["高新区", "福州高新技术产业开发区"]),
]

DISTRICT = "长乐区"

# Changle's district departments (区直部门) and zones.
DEPARTMENTS = [
    ("区委办", "department", ["区委办公室"]),
    ("区政府办", "department", ["区政府办公室", "区人民政府办公室"]),
    ("区委组织部", "department", ["中共长乐区委组织部"]),
    ("区委组织部(人才办)", "department", ["区委人才办", "区人才办"]),
    ("区委宣传部", "department", []),
    ("区效能办", "department", ["区机关效能建设领导小组办公室"]),
    ("区发改局", "department", ["区发展和改革局", "区发展改革局"]),
    ("区自然资源和规划局", "department", ["区自然资源局", "区资规局"]),
    ("福州新区长乐功能区办", "zone", ["长乐功能区办", "福州新区长乐功能区管委会"]),
    ("区工信局(招商办)", "department", ["区工信局", "区招商办", "区工业和信息化局"]),
    ("区林业局", "department", []),
    ("区税务局", "department", ["国家税务总局福州市长乐区税务局"]),
    ("区财政局", "department", []),
    ("区法院", "department", ["区人民法院", "长乐区人民法院"]),
    ("区检察院", "department", ["区人民检察院"]),
    ("区公安分局", "department", ["长乐公安分局"]),
    ("区住建局", "department", ["区住房和城乡建设局"]),
    ("区交通运输局", "department", ["区交通局"]),
    ("区商务局", "department", []),
    ("区科技局", "department", ["区科学技术局"]),
    ("区人社局", "department", ["区人力资源和社会保障局"]),
    ("区市场监管局", "department", ["区市场监督管理局"]),
    ("区行政服务中心", "department", ["区行政服务中心管委会", "区审批局"]),
    ("区城管局", "department", ["区城市管理局"]),
    ("区生态环境局", "department", ["长乐生态环境局"]),
    ("区水利局", "department", []),
    ("区农业农村局", "department", ["区农业局"]),
    ("区教育局", "department", []),
    ("区卫健局", "department", ["区卫生健康局"]),
    ("区文体旅局", "department", ["区文化体育和旅游局"]),
    ("区应急局", "department", ["区应急管理局"]),
    ("区统计局", "department", []),
    ("区国资中心", "department", ["区国有资产服务中心"]),
    ("区征迁办", "department", ["区房屋征收工作办公室"]),
]

# Changle's towns, streets and townships (乡镇/街道).
TOWNS = [
    ("吴航街道", "street", []),
    ("航城街道", "street", []),
    ("营前街道", "street", []),
    ("漳港街道", "street", []),
    ("文武砂街道", "street", ["文武砂镇"]),
    ("首占镇", "town", []),
    ("玉田镇", "town", []),
    ("松下镇", "town", []),
    ("江田镇", "town", []),
    ("古槐镇", "town", []),
    ("金峰镇", "town", []),
    ("湖南镇", "town", []),
    ("鹤上镇", "town", []),
    ("潭头镇", "town", []),
    ("梅花镇", "town", []),
    ("罗联乡", "township", []),
    ("猴屿乡", "township", []),
]

# Cadres: (name, unit, post, is_leader, linked units)
PEOPLE = [
    ("郑晓明", "长乐区", "区委书记", True, []),
    ("陈建华", "长乐区", "区长", True, []),
    ("林志强", "区政府办", "副区长", True, ["湖南镇", "文武砂街道", "区发改局"]),
    ("黄丽娟", "区政府办", "副区长", True, ["松下镇", "江田镇", "区自然资源和规划局"]),
    ("吴国平", "区效能办", "区效能办主任", True, []),
    ("王海涛", "湖南镇", "镇党委书记", True, ["湖南镇"]),
    ("李文斌", "湖南镇", "镇长", True, ["湖南镇"]),
    ("张秀英", "区发改局", "局长", True, []),
    ("刘振东", "福州市", "市效能办主任", True, []),
]

DEMO_PASSWORD = "gongjian2026"  # noqa: S105 - printed on purpose: the demo's shared login

# Users: (username, display name, unit, roles, person name or None, what the login is for)
USERS = [
    ("fuzhou_office", "福州市攻坚办", "福州市", ["office_admin"], "刘振东", "市攻坚办：排名各区县"),
    (
        "changle_office",
        "长乐区攻坚办",
        "长乐区",
        ["office_admin"],
        "吴国平",
        "区攻坚办：全区台账、督办、考评",
    ),
    (
        "fagai_lead",
        "区发改局（牵头）",
        "区发改局",
        ["lead_staff", "unit_staff"],
        "张秀英",
        "牵头单位：录入所辖单位指标",
    ),
    ("hunan_staff", "湖南镇填报员", "湖南镇", ["unit_staff"], None, "责任单位：本镇项目与督办"),
    ("songxia_staff", "松下镇填报员", "松下镇", ["unit_staff"], None, "责任单位：本镇项目与督办"),
    (
        "leader_lin",
        "林志强副区长",
        "区政府办",
        ["leader"],
        "林志强",
        "挂钩领导：湖南镇、文武砂街道、区发改局",
    ),
    ("inspector", "区督查组", "长乐区", ["inspector"], None, "督查组：检查与抽查"),
    ("viewer", "只读用户", "长乐区", ["viewer"], None, "只读：查看已发布结果"),
]
