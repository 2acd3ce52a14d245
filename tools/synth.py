"""Deterministic generator of realistic (mostly Chinese) CRM data.

The same generator produces the committed demo data set (36 customers, 360 interactions, with their
maintenance plans, opportunities and contracts: tools/synth_life.py) and the large benchmark sets (10,000
customers, 100,000 interactions, about 9,000 plans, 20,000 opportunities and 12,000 contracts).  It is
deterministic on purpose: every random choice comes from a ``random.Random`` seeded by ``seed`` and
"today" is the ``as_of`` argument, never the clock, so the same arguments always yield byte-identical files
and the demo data can be regenerated without producing a git diff.

The data is not merely plausible text: it is built to exercise every rule of the record format
(site_builder/help/contract.md §2) and of the follow-up semantics (§3).  Each customer is given an intended
follow-up status first (overdue, due soon, ok, silent, new, no contact yet) and its last contact and
promised ``next_followup`` are then placed so that ``crm due`` computes exactly that status.  A few
deliberate warnings (one customer without consent, one interaction recorded three days late, open
complaints, overdue todos) are planted so that the demo shows every kind of signal.

Usage::

    python -m tools.synth --root DIR [--customers 36] [--interactions 360] [--seed 7]
                            [--as-of 2026-11-24] [--clean] [--core]
"""

from __future__ import annotations

import argparse
import queue
import random
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from crmdata.engine.schedule import interval_days
from crmdata.records import models
from crmdata.records.names import name_key, phone_key
from crmdata.system.safe_paths import make_folders, remove_tree, write_file
from tools.synth_life import Life

if TYPE_CHECKING:
    from tools.synth_life import SynContract, SynOpportunity, SynPlan

T = TypeVar("T")

TZ = timezone(timedelta(hours=8))
"""All generated datetimes are Beijing time, like the users'."""

DEFAULT_CUSTOMERS = 36
DEFAULT_INTERACTIONS = 360
DEFAULT_SEED = 7
DEFAULT_AS_OF = date(2026, 11, 24)

POLICY = models.Policy()
"""The follow-up policy's defaults: crm.yaml omits `policy`, so this is what `crm due` uses, and the
generator plans with the very same numbers (and the same interval rule, engine.schedule.interval_days)."""
SILENT_AFTER_DAYS = POLICY.silent_after_days
DUE_SOON_DAYS = POLICY.due_soon_days

WINDOW_DAYS = 730
"""Interactions are spread over the two years before as_of."""

PROGRESS_EVERY = 10_000

LIFE_FOLDERS = ("plans", "opportunities", "contracts")
"""The folders of tools/synth_life.py's records (cleaned with the others by --clean)."""

# --------------------------------------------------------------------------------------------------
# Vocabulary.  Kept as plain module constants so the output only depends on the seed.
# --------------------------------------------------------------------------------------------------

TEAM: list[tuple[str, str]] = [
    ("ming", "张明"),
    ("hua", "李华"),
    ("wei", "王伟"),
    ("fang", "陈芳"),
    ("jing", "刘静"),
]
TEAM_KEYS = [key for key, _ in TEAM]
TEAM_WEIGHTS = [26, 22, 20, 18, 14]

TYPES = ["individual", "enterprise", "government", "institutional_investor"]
TYPE_WEIGHTS = [18, 58, 10, 14]
TIERS = ["strategic", "regular", "potential"]
TIER_WEIGHTS = [15, 60, 25]
STAGES = ["prospecting", "active", "stable", "dormant", "churned"]
STAGE_WEIGHTS = [12, 36, 30, 12, 10]
VALUES = ["high", "medium", "low"]
VALUE_WEIGHTS = [20, 55, 25]

CHANNELS = ["phone", "video", "visit", "im", "email", "sms", "event", "other"]
KINDS = ["followup", "onboarding", "complaint", "survey", "care", "sale", "referral"]

CHANNEL_WEIGHTS: dict[str, list[int]] = {
    #             phone video visit im email sms event other
    "followup": [30, 12, 18, 25, 8, 2, 2, 3],
    "onboarding": [10, 35, 40, 10, 5, 0, 0, 0],
    "complaint": [45, 0, 10, 20, 20, 0, 0, 5],
    "survey": [20, 0, 0, 25, 35, 20, 0, 0],
    "care": [15, 0, 5, 40, 5, 30, 0, 5],
    "sale": [15, 20, 35, 0, 10, 0, 20, 0],
    "referral": [30, 0, 20, 30, 0, 0, 20, 0],
}

SURNAMES: list[tuple[str, str]] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
    ("高", "gao"),
    ("罗", "luo"),
    ("郑", "zheng"),
    ("梁", "liang"),
    ("谢", "xie"),
    ("宋", "song"),
    ("唐", "tang"),
    ("许", "xu"),
    ("韩", "han"),
    ("冯", "feng"),
    ("邓", "deng"),
    ("曹", "cao"),
    ("彭", "peng"),
    ("曾", "zeng"),
    ("肖", "xiao"),
    ("田", "tian"),
    ("董", "dong"),
    ("潘", "pan"),
    ("袁", "yuan"),
    ("蔡", "cai"),
    ("蒋", "jiang"),
    ("余", "yu"),
    ("杜", "du"),
    ("叶", "ye"),
    ("程", "cheng"),
    ("魏", "wei"),
    ("苏", "su"),
    ("吕", "lv"),
    ("丁", "ding"),
    ("沈", "shen"),
    ("欧阳", "ouyang"),
    ("上官", "shangguan"),
]
GIVEN_NAMES: list[tuple[str, str]] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("文", "wen"),
    ("华", "hua"),
    ("雪", "xue"),
    ("婷", "ting"),
    ("鹏", "peng"),
    ("斌", "bin"),
    ("辉", "hui"),
    ("琳", "lin"),
    ("博", "bo"),
    ("晨", "chen"),
    ("凯", "kai"),
    ("倩", "qian"),
    ("宁", "ning"),
    ("颖", "ying"),
    ("浩", "hao"),
    ("晶", "jing"),
]
GIVEN_FULL: list[tuple[str, str]] = [
    ("秀英", "xiuying"),
    ("桂英", "guiying"),
    ("建华", "jianhua"),
    ("玉兰", "yulan"),
    ("志强", "zhiqiang"),
    ("晓东", "xiaodong"),
    ("海燕", "haiyan"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("思远", "siyuan"),
    ("雨桐", "yutong"),
    ("宇轩", "yuxuan"),
    ("欣怡", "xinyi"),
    ("俊杰", "junjie"),
    ("嘉怡", "jiayi"),
    ("立新", "lixin"),
    ("国庆", "guoqing"),
    ("春梅", "chunmei"),
    ("文博", "wenbo"),
    ("晓燕", "xiaoyan"),
]

# (short city name, address prefix, districts, landline area code)
CITIES: list[tuple[str, str, list[str], str]] = [
    ("北京", "北京市", ["朝阳区", "海淀区", "东城区", "丰台区"], "010"),
    ("上海", "上海市", ["浦东新区", "徐汇区", "静安区", "闵行区"], "021"),
    ("广州", "广东省广州市", ["天河区", "越秀区", "番禺区", "黄埔区"], "020"),
    ("深圳", "广东省深圳市", ["南山区", "福田区", "宝安区", "龙岗区"], "0755"),
    ("杭州", "浙江省杭州市", ["西湖区", "滨江区", "余杭区"], "0571"),
    ("南京", "江苏省南京市", ["鼓楼区", "建邺区", "江宁区"], "025"),
    ("苏州", "江苏省苏州市", ["工业园区", "姑苏区", "吴中区"], "0512"),
    ("成都", "四川省成都市", ["高新区", "武侯区", "锦江区"], "028"),
    ("武汉", "湖北省武汉市", ["洪山区", "江汉区", "武昌区"], "027"),
    ("西安", "陕西省西安市", ["雁塔区", "未央区", "碑林区"], "029"),
    ("重庆", "重庆市", ["渝北区", "江北区", "南岸区"], "023"),
    ("天津", "天津市", ["滨海新区", "和平区", "南开区"], "022"),
    ("长沙", "湖南省长沙市", ["岳麓区", "天心区", "开福区"], "0731"),
    ("合肥", "安徽省合肥市", ["蜀山区", "包河区"], "0551"),
    ("厦门", "福建省厦门市", ["思明区", "湖里区"], "0592"),
    ("青岛", "山东省青岛市", ["市南区", "崂山区", "黄岛区"], "0532"),
    ("宁波", "浙江省宁波市", ["鄞州区", "海曙区"], "0574"),
    ("东莞", "广东省东莞市", ["南城街道", "松山湖"], "0769"),
    ("郑州", "河南省郑州市", ["金水区", "郑东新区"], "0371"),
    ("济南", "山东省济南市", ["历下区", "高新区"], "0531"),
]
STREETS = [
    "科技园路",
    "人民路",
    "中山路",
    "建设路",
    "解放路",
    "创业大道",
    "世纪大道",
    "金融街",
    "滨江大道",
    "高新大道",
    "学府路",
    "长江路",
    "东风路",
    "和平路",
    "软件园路",
    "新华路",
]
BUILDINGS = ["国际大厦", "科技大厦", "金融中心", "创新园", "商务中心", "产业园", "广场"]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "176",
    "177",
    "180",
    "181",
    "185",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
]

BRAND_HEAD = list("华天中博恒瑞金海正联新鼎宏启万蓝云九睿晟汇德长众同嘉永星智卓凯东远安盛锦泰青明润光和银鑫聚方信宇")
BRAND_TAIL = list("信合科远通丰桥纳泰创元盛图明达帆州智源力正域辉诚禾安河联越华景程和松德航泽雅邦")

# (industry, word used in the company name)
ENTERPRISE_INDUSTRIES: list[tuple[str, str]] = [
    ("智能制造", "智能装备"),
    ("新能源", "新能源科技"),
    ("生物医药", "生物医药"),
    ("跨境电商", "电子商务"),
    ("软件与信息服务", "软件"),
    ("金融科技", "金融信息服务"),
    ("物流供应链", "供应链管理"),
    ("食品饮料", "食品"),
    ("教育培训", "教育科技"),
    ("文化传媒", "文化传媒"),
    ("建筑工程", "建设工程"),
    ("汽车零部件", "汽车部件"),
    ("半导体", "微电子"),
    ("医疗器械", "医疗器械"),
    ("零售连锁", "商贸"),
    ("农业科技", "农业发展"),
    ("环保科技", "环保科技"),
    ("网络安全", "信息安全技术"),
]
COMPANY_SUFFIXES = ["有限公司", "有限公司", "股份有限公司", "集团有限公司", "科技有限公司"]
# (department, industry)
GOV_DEPARTMENTS: list[tuple[str, str]] = [
    ("财政局", "财政"),
    ("教育局", "教育"),
    ("卫生健康委员会", "卫生健康"),
    ("科学技术局", "科技创新"),
    ("交通运输局", "交通运输"),
    ("政务服务数据管理局", "政务服务"),
    ("人力资源和社会保障局", "人社服务"),
    ("市场监督管理局", "市场监管"),
    ("生态环境局", "生态环境"),
    ("住房和城乡建设局", "城乡建设"),
    ("商务局", "商务"),
    ("工业和信息化局", "工业和信息化"),
    ("统计局", "统计"),
    ("文化广电旅游局", "文化旅游"),
]
# (name suffix, industry)
INVESTOR_KINDS: list[tuple[str, str]] = [
    ("资本管理有限公司", "私募股权"),
    ("基金管理有限公司", "公募基金"),
    ("创业投资有限公司", "创业投资"),
    ("资产管理有限公司", "资产管理"),
    ("投资合伙企业（有限合伙）", "私募股权"),
    ("证券资产管理有限公司", "证券资管"),
    ("保险资产管理有限公司", "保险资管"),
]
INDIVIDUAL_INDUSTRIES = ["个人投资", "个体经营", "自由职业", "企业主", "专业人士"]

SOURCES_BY_TYPE: dict[str, list[str]] = {
    "enterprise": [
        "行业展会",
        "官网咨询",
        "电话营销",
        "线上广告",
        "合作伙伴推荐",
        "招投标",
        "行业协会",
        "老客户复购",
    ],
    "government": ["招投标", "行业展会", "官网咨询", "合作伙伴推荐", "行业协会"],
    "institutional_investor": ["行业展会", "合作伙伴推荐", "市场活动", "行业协会", "官网咨询"],
    "individual": ["官网咨询", "电话营销", "线上广告", "微信公众号", "市场活动", "老客户复购"],
}
REFERRAL_SOURCE = "客户转介绍"

NEEDS_COMMON = [
    "降低总体采购成本",
    "缩短交付周期",
    "7×24小时技术支持",
    "定制化数据报表",
    "与现有ERP系统对接",
    "上门培训",
    "延长账期",
    "专属客户经理",
    "私有化部署",
    "数据安全与合规",
    "移动端审批",
    "多组织权限管理",
    "年度框架协议",
    "发票及时开具",
    "开放API接口",
    "季度业务回顾",
]
NEEDS_BY_TYPE: dict[str, list[str]] = {
    "enterprise": NEEDS_COMMON,
    "government": [
        "符合政府采购流程",
        "等保三级合规",
        "信创环境适配",
        "数据本地化存储",
        "项目验收材料齐全",
        "专人驻场服务",
        "年度运维保障",
        "上门培训",
    ],
    "institutional_investor": [
        "季度投研报告",
        "定制化资产配置方案",
        "风控数据接口",
        "合规报送支持",
        "路演活动邀请",
        "尽调资料快速响应",
        "专属客户经理",
        "数据安全与合规",
    ],
    "individual": [
        "稳健型理财规划",
        "子女教育金规划",
        "养老规划",
        "税务咨询",
        "灵活的服务时间",
        "线上办理",
        "专属客户经理",
        "家庭资产配置",
    ],
}
TAGS_COMMON = [
    "价格敏感",
    "决策链长",
    "重视服务",
    "技术导向",
    "关注续约",
    "有扩容意向",
    "关注数据安全",
    "需要专票",
    "响应要求高",
    "老客户",
    "口碑好",
    "年底预算集中",
]
TAGS_PERSONAL = ["价格敏感", "重视服务", "关注续约", "响应要求高", "老客户", "口碑好"]
TAGS_BY_TYPE: dict[str, list[str]] = {
    "enterprise": ["上市公司", "民营企业", "国企背景", "外资企业", "高速成长"],
    "government": ["政府采购", "信创", "年度预算制"],
    "institutional_investor": ["机构", "关注合规", "长期资金"],
    "individual": ["高净值", "偏好微信", "周末可约"],
}
NOTES_INDIVIDUAL = [
    "偏好微信沟通，工作日晚上方便联系。",
    "风险偏好稳健，不接受高波动产品。",
    "每年春节前做一次家庭资产检视。",
    "家属参与重要决策，沟通时请一并邀请。",
    "对服务细节要求高，回复需及时。",
    "周末可约面谈。",
]
NOTES = [
    "决策需经集团总部审批，周期较长。",
    "偏好微信沟通，避免周一上午来电。",
    "每年三月续签框架协议。",
    "财务付款流程较慢，需提前提醒。",
    "对价格较敏感，报价需提前内部审批。",
    "关键联系人为技术负责人，注重产品细节。",
    "年底有集中采购预算。",
    "已纳入重点客户名单，每季度上门拜访。",
    "曾有服务投诉，已妥善处理，需重点维护。",
    "客户内部正进行组织调整，注意联系人变动。",
    "对接人更换频繁，沟通记录需及时同步。",
    "有意向扩大合作范围，可适时推荐新产品。",
]
CONSENT_NOTES = [
    "已签署《个人信息处理告知同意书》",
    "线上勾选隐私政策并确认",
    "签约时书面同意联系人信息用于客户服务",
    "邮件确认同意接收服务通知",
    "纸质授权书已归档",
]
CHURN_REASONS = [
    "价格原因转向竞争对手",
    "预算削减，暂停采购",
    "业务调整，项目终止",
    "服务响应不及时",
    "公司被并购，统一采购渠道",
    "关键联系人离职，新负责人另选供应商",
    "产品功能不满足新需求",
]
CADENCE_CHOICES = [14, 21, 45, 60, 120]

TITLES_BY_TYPE: dict[str, list[str]] = {
    "enterprise": [
        "总经理",
        "副总经理",
        "采购经理",
        "采购专员",
        "技术总监",
        "IT经理",
        "财务总监",
        "财务经理",
        "行政主管",
        "运营总监",
        "项目经理",
        "董事会秘书",
        "市场部经理",
        "总经理助理",
    ],
    "government": ["科长", "副科长", "处长", "办公室主任", "信息中心主任", "科员", "项目负责人"],
    "institutional_investor": [
        "投资总监",
        "基金经理",
        "风控总监",
        "合伙人",
        "投资经理",
        "投资者关系经理",
        "运营负责人",
    ],
    "individual": ["家属", "私人助理", "财务顾问"],
}

TOPICS: dict[str, list[str]] = {
    "followup": [
        "季度业务回顾",
        "续约意向沟通",
        "使用情况回访",
        "新版本功能介绍",
        "报价确认",
        "合同条款确认",
        "项目进度同步",
        "年度合作计划沟通",
        "服务满意度回访",
        "需求调研",
    ],
    "onboarding": [
        "系统上线培训",
        "开户资料准备",
        "实施启动会",
        "账号开通与权限配置",
        "数据迁移方案确认",
        "首次交付验收",
    ],
    "complaint": [
        "服务响应慢",
        "账单金额异议",
        "交付延期",
        "系统故障影响业务",
        "对接人频繁更换",
        "发票开具延误",
    ],
    "survey": ["年度满意度调查", "产品体验问卷", "NPS回访", "服务质量评估"],
    "care": [
        "生日祝福",
        "春节拜年",
        "中秋节问候",
        "国庆假期问候",
        "新年祝福",
        "端午节问候",
        "开业周年祝贺",
    ],
    "sale": ["增购方案介绍", "年度采购报价", "新产品推介", "升级套餐方案", "招标需求沟通", "续费优惠方案"],
    "referral": ["转介绍新客户", "推荐同行企业", "引荐合作伙伴", "介绍上下游客户"],
}
SUMMARIES: dict[str, list[str]] = {
    "followup": [
        "与{c}就{t}进行沟通，对方介绍了近期业务进展，重点关注{n}。",
        "{c}反馈目前使用情况稳定，双方确认了{t}的下一步安排。",
        "回访{c}，了解到客户正在评估{n}，约定后续提供方案。",
        "与{c}复盘上阶段合作情况，客户认可交付质量，希望加强{n}。",
    ],
    "onboarding": [
        "协助{c}完成{t}，客户团队共{k}人参加。",
        "与{c}确认实施计划与里程碑，{t}按计划推进。",
        "为客户完成{t}，{c}对流程清晰度表示认可。",
    ],
    "complaint": [
        "{c}反映{t}，情绪较为激动，已记录问题并承诺尽快处理。",
        "客户投诉{t}，经核实问题属实，已协调相关部门跟进。",
        "{c}对{t}表示不满，要求给出书面说明和改进措施。",
    ],
    "survey": [
        "开展{t}，{c}给出评分并提出改进建议。",
        "通过{t}收集客户意见，{c}认为整体服务较好，{n}仍需加强。",
    ],
    "care": ["{t}，向{c}致以问候。", "{t}，{c}表示感谢并回复祝福。"],
    "sale": [
        "向{c}介绍{t}，客户对{n}相关方案有兴趣。",
        "与{c}沟通{t}，客户要求提供详细报价和成功案例。",
        "{t}：客户预算约{b}万元，计划下季度启动采购。",
    ],
    "referral": [
        "{c}{t}，已获取对方联系方式并约定引荐。",
        "客户主动{t}，{c}表示愿意协助安排首次会面。",
    ],
}
FEEDBACK_GOOD = [
    "对响应速度表示满意",
    "认可项目团队的专业度",
    "对新功能评价较高",
    "表示会继续合作并考虑增购",
    "对培训效果满意",
    "愿意作为案例客户参与宣传",
]
FEEDBACK_MIXED = [
    "整体满意，但希望报价更灵活",
    "希望操作文档更完善",
    "希望缩短问题处理时间",
    "需要内部评估后再答复",
    "希望增加线下交流频次",
]
FEEDBACK_BAD = [
    "对处理进度不满意",
    "认为价格偏高，考虑比较其他供应商",
    "对频繁更换对接人有意见",
    "希望尽快给出书面解决方案",
    "质疑服务承诺未兑现",
]
TODO_TASKS = [
    "发送报价单",
    "安排技术工程师上门",
    "整理会议纪要并发送",
    "准备续约合同",
    "跟进发票开具",
    "提交方案初稿",
    "协调财务确认账期",
    "预约下次拜访",
    "提供成功案例资料",
    "安排产品演示",
    "回复客户书面说明",
    "更新联系人信息",
    "寄送节日礼品",
    "确认验收时间",
]

CONTACT_KINDS = ["followup", "onboarding", "complaint", "survey", "sale", "referral"]
CONTACT_KIND_WEIGHTS = [52, 2, 6, 8, 15, 4]
PROSPECT_KIND_WEIGHTS = [55, 0, 1, 3, 38, 3]


# --------------------------------------------------------------------------------------------------
# Plan objects
# --------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Customer:
    """A customer while it is being planned; turned into a record dict at the end."""

    idx: int
    type: str
    tier: str
    stage: str
    value: str
    owner: str
    since: date | None = None
    churned_on: date | None = None
    cadence: int | None = None
    no_contact: bool = False
    lo: date = date.min  # earliest allowed interaction date
    hi: date = date.min  # latest allowed interaction date
    weight: float = 1.0
    count: int = 0  # interactions allocated
    silent: bool = False
    last: date | None = None  # planned date of the last non-care contact
    nf: date | None = None  # its next_followup
    id: str = ""
    name: str = ""
    industry: str = ""
    city: int = 0
    contacts: list[dict[str, Any]] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    first_day: date | None = None  # earliest interaction actually generated
    pinyin: tuple[str, str] = ("", "")  # an individual's (surname, given name) pinyin, for the e-mail


@dataclass(slots=True)
class Skeleton:
    """One interaction before its text is written: the parts the follow-up rules depend on."""

    cust: Customer
    day: date
    role: str  # "last": the planned last contact; "contact": an earlier contact; "care"; "churned"
    kind: str
    channel: str
    seq: int  # order of creation, the final tie breaker of the id order
    clock: tuple[int, int] | None = None  # (hour, minute) when the date is a datetime
    nf: date | None = None
    late: bool = False
    resolved: date | None = None
    id: str = ""
    # What tools/synth_life.py makes of the conversation: the plan it carries out, the deal it works on, the
    # contract it concerns, and then its own topic, summary ({c}: whom it names) and owner.
    plan: SynPlan | None = None
    opportunity: SynOpportunity | None = None
    contract: SynContract | None = None
    topic: str | None = None
    summary: str | None = None
    owner: str | None = None


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _days(d: date, n: int) -> date:
    """Shift a date by n days (short name: used everywhere in the planning arithmetic)."""
    return d + timedelta(days=n)


def _rand_date(rng: random.Random, lo: date, hi: date) -> date:
    """A uniform date in [lo, hi]; the caller guarantees lo <= hi."""
    return _days(lo, rng.randint(0, (hi - lo).days))


def _pick_in(rng: random.Random, lo: date, hi: date) -> date | None:
    """A uniform date in [lo, hi], or None when the range is empty (the plan is infeasible)."""
    if lo > hi:
        return None
    return _rand_date(rng, lo, hi)


def _balanced(rng: random.Random, values: Sequence[T], weights: Sequence[int], n: int) -> list[T]:
    """n values drawn by weight, but with every value at least twice when n allows.

    Guarantees enum coverage by construction (the demo must show every type, tier, stage and value)
    while big runs still follow the realistic weights.
    """
    k = len(values)
    minimum = 2 if n >= 2 * k else (1 if n >= k else 0)
    out: list[T] = [v for v in values for _ in range(minimum)]
    if minimum == 0:
        out = list(values)
        rng.shuffle(out)
        return out[:n]
    out.extend(rng.choices(values, weights=weights, k=n - len(out)))
    rng.shuffle(out)
    return out


def _interval(c: Customer, as_of: date) -> int:
    """Follow-up interval of contract §3 with the default policy: the engine's rule, applied to the fields
    of the record this customer will become (the only ones the rule reads)."""
    record = models.Customer.model_construct(
        id=c.id,
        name=c.name,
        type=models.CustomerType(c.type),
        tier=models.Tier(c.tier),
        stage=models.Stage(c.stage),
        value=models.Value(c.value),
        owner=c.owner,
        since=c.since,
        cadence_days=c.cadence,
    )
    return interval_days(record, POLICY, as_of)


def _id_width(counts: dict[int, int]) -> int:
    """Sequence width: 3 digits, wider when a year holds more than 999 records."""
    return max([3] + [len(str(n)) for n in counts.values()])


# --------------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------------


@dataclass
class Stats:
    """What was written; the CLI prints it as its summary line."""

    customers: int = 0
    interactions: int = 0
    plans: int = 0
    opportunities: int = 0
    contracts: int = 0
    files: int = 0


class _Synth:
    """Holds the random source and the planning state of one run."""

    def __init__(self, customers: int, interactions: int, seed: int, as_of: date) -> None:
        self.rng = random.Random(seed)
        self.n_customers = customers
        self.n_interactions = interactions
        self.as_of = as_of
        self.window_start = _days(as_of, -WINDOW_DAYS)
        self.customers: list[Customer] = []
        self.skeletons: list[Skeleton] = []
        self._names: set[str] = set()
        self._phones: set[str | None] = set()

    # ---- customers --------------------------------------------------------------------------

    def plan_customers(self) -> None:
        """Choose every customer's enums, dates and intended follow-up situation."""
        rng, n, as_of = self.rng, self.n_customers, self.as_of
        types = _balanced(rng, TYPES, TYPE_WEIGHTS, n)
        tiers = _balanced(rng, TIERS, TIER_WEIGHTS, n)
        stages = _balanced(rng, STAGES, STAGE_WEIGHTS, n)
        values = _balanced(rng, VALUES, VALUE_WEIGHTS, n)
        owners = rng.choices(TEAM_KEYS, weights=TEAM_WEIGHTS, k=n)
        self.customers = [Customer(i, types[i], tiers[i], stages[i], values[i], owners[i]) for i in range(n)]
        n_prospects = 0
        n_active = 0
        for c in self.customers:
            if c.stage == "prospecting":
                n_prospects += 1
                if n_prospects == 1 and n >= 5:
                    # The deliberate brand-new customer nobody has contacted yet.
                    c.since = _days(as_of, -rng.randint(2, 5))
                    c.no_contact = True
                elif n_prospects == 2 or rng.random() < 0.5:
                    c.since = None  # some prospects are only leads, without a start date
                    c.no_contact = n >= 5 and rng.random() < 0.15
                else:
                    c.since = _days(as_of, -rng.randint(5, 150))
                    c.no_contact = n >= 5 and rng.random() < 0.15
            elif c.stage == "active":
                n_active += 1
                if n_active == 1 or rng.random() < 0.05:
                    c.since = _days(as_of, -rng.randint(35, 85))  # a new customer, with contacts
                else:
                    c.since = _days(as_of, -int(rng.triangular(20, 2190, 200)))
            elif c.stage == "churned":
                c.since = _days(as_of, -rng.randint(200, 2900))
                first = max(_days(c.since, 60), _days(as_of, -700))
                c.churned_on = _rand_date(rng, first, _days(as_of, -3))
            else:  # stable, dormant
                c.since = _days(as_of, -rng.randint(400, 2900))
            if c.stage == "churned":
                c.lo = max(c.since or as_of, self.window_start)
                c.hi = c.churned_on or as_of
            else:
                c.lo = max(c.since or _days(as_of, -240), self.window_start)
                c.hi = as_of
            tier_factor = {"strategic": 2.5, "regular": 1.0, "potential": 0.6}[c.tier]
            span = ((c.hi - c.lo).days + 1) / WINDOW_DAYS
            c.weight = min(rng.paretovariate(1.4), 12.0) * tier_factor * max(span, 0.05)
            if c.stage in ("prospecting", "churned"):
                c.weight *= 0.5
        # A couple of customers get their own cadence, overriding the policy.
        candidates = [c for c in self.customers if c.stage in ("active", "stable")]
        for c in rng.sample(candidates, min(len(candidates), max(2, round(0.02 * n)))):
            c.cadence = rng.choice(CADENCE_CHOICES)

    def assign_customer_ids(self) -> None:
        """KH-<year><seq>: year of since (as_of for prospects without one), in order of since."""

        def key(c: Customer) -> tuple[date, int]:
            return (c.since or self.as_of, c.idx)

        per_year: dict[int, int] = {}
        for c in self.customers:
            y = (c.since or self.as_of).year
            per_year[y] = per_year.get(y, 0) + 1
        width = _id_width(per_year)
        seq: dict[int, int] = {}
        for c in sorted(self.customers, key=key):
            y = (c.since or self.as_of).year
            seq[y] = seq.get(y, 0) + 1
            c.id = f"KH-{y}{seq[y]:0{width}d}"

    # ---- interactions: how many, and the plan of each customer's last contact ---------------

    def allocate(self) -> None:
        """Split the interaction total over customers: skewed, but everyone contactable gets one."""
        rng, total = self.rng, self.n_interactions
        pool = [c for c in self.customers if not c.no_contact]
        if not pool and total > 0:
            for c in self.customers:
                c.no_contact = False
            pool = list(self.customers)
        if not pool or total <= 0:
            return
        if total < len(pool):
            for c in rng.sample(pool, total):
                c.count = 1
            return
        for c in pool:
            c.count = 1
        rest = total - len(pool)
        weight_sum = sum(c.weight for c in pool)
        shares = [(rest * c.weight / weight_sum, c) for c in pool]
        given = 0
        for share, c in shares:
            c.count += int(share)
            given += int(share)
        by_fraction = sorted(shares, key=lambda sc: (-(sc[0] - int(sc[0])), sc[1].idx))
        for _, c in by_fraction[: rest - given]:
            c.count += 1

    def plan_statuses(self) -> None:
        """Give every contacted, non-churned customer an intended status and place its last contact.

        Quotas make the demo show every situation by construction: every dormant customer and a few
        more are silent; about a fifth are overdue, a sixth due soon, the rest ok.
        """
        rng, as_of = self.rng, self.as_of
        live = [c for c in self.customers if c.stage != "churned" and c.count > 0]
        silent_ok = [c for c in live if c.lo <= _days(as_of, -(SILENT_AFTER_DAYS + 2))]
        target = max(3, round(0.08 * len(live)))
        silent = [c for c in silent_ok if c.stage == "dormant"]
        others = [c for c in silent_ok if c.stage in ("stable", "active")]
        rng.shuffle(others)
        silent.extend(others[: max(0, target - len(silent))])
        for c in silent:
            c.silent = True
            self._place(c, "silent")
        rest = [c for c in live if not c.silent]
        rng.shuffle(rest)
        n_over = round(0.22 * len(rest))
        n_soon = round(0.16 * len(rest))
        for i, c in enumerate(rest):
            wanted = "overdue" if i < n_over else ("due_soon" if i < n_over + n_soon else "ok")
            order = [wanted] + [s for s in ("ok", "due_soon", "overdue") if s != wanted]
            if not any(self._place(c, s) for s in order):
                c.last, c.nf = as_of, None

    def _place(self, c: Customer, status: str) -> bool:
        """Set the last contact (and promised next_followup) so that contract §3 yields status."""
        rng, as_of = self.rng, self.as_of
        iv = _interval(c, as_of)
        lo = c.lo
        recent = max(lo, _days(as_of, -(SILENT_AFTER_DAYS - 1)))  # not silent from here on
        last: date | None
        nf: date | None = None
        if status == "silent":
            last = _pick_in(rng, lo, _days(as_of, -(SILENT_AFTER_DAYS + 2)))
            if last is not None and iv > 1 and rng.random() < 0.3:
                nf = _days(last, rng.randint(1, iv - 1))  # a promise nobody kept
        elif status == "overdue":
            last = None
            if rng.random() < 0.65:
                last = _pick_in(rng, recent, _days(as_of, -iv - 1))
            if last is None:  # promised route: a next_followup that has passed
                last = _pick_in(rng, recent, _days(as_of, -2))
                if last is not None:
                    hi = min(_days(as_of, -1), _days(last, iv - 1))
                    nf = _pick_in(rng, _days(last, 1), hi)
                    if nf is None:
                        last = None
        elif status == "due_soon":
            last = None
            if rng.random() < 0.6:
                last = _pick_in(rng, max(recent, _days(as_of, -iv)), min(as_of, _days(as_of, DUE_SOON_DAYS - iv)))
            if last is None:  # promised route: next_followup within the coming week
                nf = _days(as_of, rng.randint(0, DUE_SOON_DAYS))
                last = _pick_in(rng, max(recent, _days(nf, 1 - iv)), min(as_of, nf))
                if last is None:
                    nf = None
        else:  # ok
            last = _pick_in(rng, max(recent, _days(as_of, DUE_SOON_DAYS + 1 - iv)), as_of)
            if last is not None and rng.random() < 0.3:
                nf = _days(max(last, _days(as_of, DUE_SOON_DAYS + 1)), rng.randint(0, 30))
        if last is None:
            return False
        c.last, c.nf = last, nf
        return True

    # ---- interaction skeletons ------------------------------------------------------------------

    def build_skeletons(self) -> None:
        """Create every interaction's date, kind and channel from the customer plans."""
        rng = self.rng
        for c in self.customers:
            if c.count <= 0:
                continue
            if c.stage == "churned":
                days = sorted(_rand_date(rng, c.lo, c.hi) for _ in range(c.count))
                for i, d in enumerate(days):
                    role = "care" if i < len(days) - 1 and rng.random() < 0.1 else "churned"
                    self._add(c, d, role)
                continue
            last = c.last if c.last is not None else self.as_of
            self._add(c, last, "last", nf=c.nf)
            for _ in range(c.count - 1):
                if last > c.lo and rng.random() >= 0.12:
                    self._add(c, _rand_date(rng, c.lo, _days(last, -1)), "contact")
                else:  # greetings do not count as contacts, so they may come after the last one
                    self._add(c, _rand_date(rng, c.lo, self.as_of), "care")

    def _add(self, c: Customer, day: date, role: str, nf: date | None = None) -> None:
        """Append one skeleton, choosing kind, channel, time of day and a next_followup."""
        rng = self.rng
        if role == "care":
            kind = "care"
        else:
            weights = PROSPECT_KIND_WEIGHTS if c.stage == "prospecting" else CONTACT_KIND_WEIGHTS
            if c.since is not None and (day - c.since).days < 60 and c.stage != "prospecting":
                weights = [30, 45, 2, 3, 15, 1]  # the first weeks are about getting started
            kind = rng.choices(CONTACT_KINDS, weights=weights)[0]
            if role == "churned" and day == c.hi:
                kind = "followup"  # the retention call on the day the customer left
        channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS[kind])[0]
        clock = (rng.randint(9, 17), rng.choice((0, 10, 15, 20, 30, 40, 45, 50)))
        if rng.random() >= 0.2:
            clock_opt: tuple[int, int] | None = None
        else:
            clock_opt = clock
        if role in ("contact", "churned") and rng.random() < 0.3:
            nf = _days(day, rng.randint(7, 45))
        self.skeletons.append(Skeleton(c, day, role, kind, channel, len(self.skeletons), clock_opt, nf))
        if c.first_day is None or day < c.first_day:
            c.first_day = day

    def ensure_coverage(self) -> None:
        """Make every kind and channel appear (by conversion), plus open complaints and one late record.

        Only interactions the follow-up plan does not depend on are converted: contacts before
        the planned last contact, and records of churned customers.
        """
        rng, as_of = self.rng, self.as_of
        sk = self.skeletons
        if not sk:
            return
        mutable = [s for s in sk if s.role in ("contact", "churned")]
        minimum = {k: 2 for k in KINDS}
        minimum["complaint"] = 4
        for kind, need in minimum.items():
            have = sum(1 for s in sk if s.kind == kind)
            counts = {k: sum(1 for s in sk if s.kind == k) for k in KINDS}
            donors = [s for s in mutable if s.kind != kind and counts[s.kind] > minimum[s.kind]]
            rng.shuffle(donors)
            for s in donors[: max(0, need - have)]:
                counts[s.kind] -= 1
                s.kind = kind
                if kind == "care" and s.role == "contact":
                    s.role = "care"
                    s.nf = None
        ch_counts = {ch: sum(1 for s in sk if s.channel == ch) for ch in CHANNELS}
        for ch in CHANNELS:
            donors = [s for s in sk if ch_counts[s.channel] > 2 and s.channel != ch]
            rng.shuffle(donors)
            for s in donors[: max(0, 2 - ch_counts[ch])]:
                ch_counts[s.channel] -= 1
                s.channel = ch
                ch_counts[ch] += 1
        # Complaints: most resolved within a few weeks, the two latest still open.
        complaints = sorted((s for s in sk if s.kind == "complaint"), key=lambda s: (s.day, s.seq))
        for s in complaints[:-2]:
            if (as_of - s.day).days >= 2 and rng.random() < 0.75:
                s.resolved = min(as_of, _days(s.day, rng.randint(0, 21)))
        # Exactly one record written three days late; a timed contact, so "late" is unambiguous.
        older = [s for s in sk if (as_of - s.day).days >= 10 and s.clock is not None]
        older = older or [s for s in sk if (as_of - s.day).days >= 10]
        if older:
            rng.choice(older).late = True
        elif sk:
            sk[0].late = True

    def assign_interaction_ids(self) -> None:
        """JL-<year><seq>, numbered in date order within each year."""
        per_year: dict[int, int] = {}
        for s in self.skeletons:
            per_year[s.day.year] = per_year.get(s.day.year, 0) + 1
        width = _id_width(per_year)
        seq: dict[int, int] = {}

        def key(s: Skeleton) -> tuple[date, tuple[int, int], int]:
            return (s.day, s.clock or (0, 0), s.seq)

        for s in sorted(self.skeletons, key=key):
            y = s.day.year
            seq[y] = seq.get(y, 0) + 1
            s.id = f"JL-{y}{seq[y]:0{width}d}"

    # ---- record text ----------------------------------------------------------------------------

    def _person(self) -> tuple[str, str, str]:
        """A Chinese name with its pinyin (for the e-mail address): (name, surname pinyin, given)."""
        rng = self.rng
        sur, sur_py = rng.choice(SURNAMES)
        if rng.random() < 0.3:
            given, given_py = rng.choice(GIVEN_FULL)
        elif rng.random() < 0.5:
            given, given_py = rng.choice(GIVEN_NAMES)
        else:
            (a, a_py), (b, b_py) = rng.choice(GIVEN_NAMES), rng.choice(GIVEN_NAMES)
            given, given_py = a + b, a_py + b_py
        return sur + given, sur_py, given_py

    def _unique(self, name: str) -> str:
        """Customer names are unique, as users keep them, also as `crm validate` compares them (name_key:
        华星科技有限公司 and 华星科技股份有限公司 are one name): clashes get a branch suffix, so the demo
        shows no duplicate warning it did not mean to."""
        if name_key(name) in self._names:
            for suffix in ("（华东）", "（华南）", "（华北）", "（西南）", "（二部）", "（三部）"):
                if name_key(name + suffix) not in self._names:
                    name += suffix
                    break
            else:
                n = 2
                while name_key(f"{name}（{n}）") in self._names:
                    n += 1
                name = f"{name}（{n}）"
        self._names.add(name_key(name))
        return name

    def _phone(self, city: int) -> str:
        """A mobile number (mostly) or a landline of the customer's city; always a string, never one drawn
        before (as `crm validate` compares them, phone_key): two customers sharing a phone are a duplicate
        warning, which a large data set would otherwise show by chance."""
        rng = self.rng
        while True:
            if rng.random() < 0.8:
                phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
            else:
                phone = f"{CITIES[city][3]}-{rng.randint(2_000_0000, 8_999_9999)}"
            key = phone_key(phone)
            if key not in self._phones:
                self._phones.add(key)
                return phone

    def _address(self, city: int) -> str:
        """A street address in the customer's city."""
        rng = self.rng
        _, prefix, districts, _ = CITIES[city]
        addr = f"{prefix}{rng.choice(districts)}{rng.choice(STREETS)}{rng.randint(1, 999)}号"
        if rng.random() < 0.6:
            addr += f"{rng.choice(BUILDINGS)}{rng.randint(2, 32)}层"
        return addr

    def describe_customers(self) -> None:
        """Names, industry, contacts and needs: the text of each customer."""
        rng = self.rng
        for c in self.customers:
            c.city = rng.randrange(len(CITIES))
            city = CITIES[c.city][0]
            if c.type == "enterprise":
                industry, word = rng.choice(ENTERPRISE_INDUSTRIES)
                brand = rng.choice(BRAND_HEAD) + rng.choice(BRAND_TAIL)
                c.name = self._unique(f"{city}{brand}{word}{rng.choice(COMPANY_SUFFIXES)}")
                c.industry = industry
            elif c.type == "government":
                dept, industry = rng.choice(GOV_DEPARTMENTS)
                if rng.random() < 0.5:
                    base = f"{CITIES[c.city][1].split('省')[-1]}{rng.choice(CITIES[c.city][2])}"
                else:
                    base = CITIES[c.city][1].split("省")[-1]
                c.name = self._unique(base + dept)
                c.industry = industry
            elif c.type == "institutional_investor":
                suffix, industry = rng.choice(INVESTOR_KINDS)
                brand = rng.choice(BRAND_HEAD) + rng.choice(BRAND_TAIL)
                prefix = city if rng.random() < 0.5 else ""
                c.name = self._unique(f"{prefix}{brand}{suffix}")
                c.industry = industry
            else:
                person = self._person()
                c.name = self._unique(person[0])
                c.pinyin = (person[1], person[2])
                c.industry = rng.choice(INDIVIDUAL_INDUSTRIES)
            c.contacts = self._contacts(c)
            pool = NEEDS_BY_TYPE[c.type]
            c.needs = rng.sample(pool, rng.randint(1, min(3, len(pool))))

    def _contacts(self, c: Customer) -> list[dict[str, Any]]:
        """1-3 contacts, exactly one primary; an individual's first contact is the person."""
        rng = self.rng
        n = rng.choices((1, 2, 3), weights=(40, 40, 20))[0]
        primary = 0 if c.type == "individual" else rng.randrange(n)
        titles = rng.sample(TITLES_BY_TYPE[c.type], min(n, len(TITLES_BY_TYPE[c.type])))
        out: list[dict[str, Any]] = []
        for i in range(n):
            name, sur_py, given_py = self._person()
            contact: dict[str, Any] = {}
            if c.type == "individual" and i == 0:
                contact["name"] = c.name.split("（")[0]
                sur_py, given_py = c.pinyin
            else:
                contact["name"] = name
                if rng.random() < 0.9:
                    contact["title"] = titles[i % len(titles)]
            if rng.random() < 0.85:
                contact["phone"] = self._phone(c.city)
            if rng.random() < 0.7:
                domain = rng.choice(("example.com", "example.cn"))
                dotted = rng.random() < 0.5
                local = f"{given_py}.{sur_py}" if dotted else f"{sur_py}{given_py}{rng.randint(1, 99)}"
                contact["email"] = f"{local}@{domain}"
            if rng.random() < 0.4:
                contact["address"] = self._address(c.city)
            if rng.random() < 0.35:
                contact["birthday"] = self._birthday(rng.randint(1958, 2000), rng.randint(1, 12), rng.randint(1, 28))
            if i == primary:
                contact["primary"] = True
            out.append(contact)
        return out

    def _birthday(self, year: int, month: int, day: int) -> date:
        """A contact's birthday; every sixth one falls in the coming four weeks, so the demo has care moments.

        Uses the same random draws either way, so the rest of the data set does not shift.
        """
        self._birthdays_made = getattr(self, "_birthdays_made", 0) + 1
        if self._birthdays_made % 6 == 0:
            soon = self.as_of + timedelta(days=day)  # 1 to 28 days ahead
            month, day = soon.month, min(soon.day, 28)
        return date(year, month, day)

    def customer_records(self) -> list[dict[str, Any]]:
        """Customer dicts with keys in the contract's order; optional keys omitted, never null."""
        rng, as_of = self.rng, self.as_of
        referrable = [c for c in self.customers if c.stage != "prospecting" and c.since]
        n_refs = max(2, round(0.06 * len(self.customers))) if len(self.customers) >= 4 else 0
        referred: dict[int, str] = {}
        candidates = [c for c in self.customers if c.since and c.stage != "prospecting"]
        rng.shuffle(candidates)
        for c in candidates:
            if len(referred) >= n_refs:
                break
            since = c.since or as_of
            earlier = [r for r in referrable if r.since and r.since < since and r is not c]
            if earlier:
                referred[c.idx] = rng.choice(earlier).id
        live = [c for c in self.customers if c.stage in ("active", "stable")]
        no_consent = rng.choice(live).idx if live else self.customers[0].idx
        records: list[dict[str, Any]] = []
        for c in self.customers:
            r: dict[str, Any] = {
                "id": c.id,
                "name": c.name,
                "type": c.type,
                "tier": c.tier,
                "stage": c.stage,
                "value": c.value,
                "owner": c.owner,
            }
            if c.since is not None:
                r["since"] = c.since
            if rng.random() < 0.95:
                r["industry"] = c.industry
            if c.idx in referred:
                r["source"] = REFERRAL_SOURCE
                r["referred_by"] = referred[c.idx]
            elif rng.random() < 0.85:
                r["source"] = rng.choice(SOURCES_BY_TYPE[c.type])
            r["contacts"] = c.contacts
            if rng.random() < 0.9:
                r["needs"] = c.needs
            if rng.random() < 0.85:
                tags = (TAGS_PERSONAL if c.type == "individual" else TAGS_COMMON) + TAGS_BY_TYPE[c.type]
                r["tags"] = rng.sample(tags, rng.randint(1, 3))
            if c.idx != no_consent:
                anchor = c.since or min(c.first_day or as_of, as_of)
                r["consent"] = {
                    "given": True,
                    "date": _days(anchor, -rng.randint(0, 20)),
                    "note": rng.choice(CONSENT_NOTES),
                }
            if c.cadence is not None:
                r["cadence_days"] = c.cadence
            if c.churned_on is not None:
                r["churned_on"] = c.churned_on
                if rng.random() < 0.85:
                    r["churn_reason"] = rng.choice(CHURN_REASONS)
            if rng.random() < 0.7:
                r["notes"] = rng.choice(NOTES_INDIVIDUAL if c.type == "individual" else NOTES)
            records.append(r)
        return records

    def _addressee(self, c: Customer) -> str:
        """How a summary names the contact: 张总, 李经理, or the full name."""
        rng = self.rng
        contact = rng.choice(c.contacts)
        name = str(contact["name"])
        title = str(contact.get("title", ""))
        surname = name[:2] if name[:2] in ("欧阳", "上官") else name[:1]
        for word, honorific in (
            ("总", "总"),
            ("经理", "经理"),
            ("主任", "主任"),
            ("科长", "科长"),
            ("处长", "处长"),
            ("合伙人", "总"),
        ):
            if word in title:
                return surname + honorific
        return name

    def interaction_record(self, s: Skeleton) -> dict[str, Any]:
        """One interaction dict with keys in the contract's order; optional keys omitted, never null."""
        rng, c = self.rng, s.cust
        owner = c.owner if rng.random() < 0.88 else rng.choice(TEAM_KEYS)
        when: date | datetime = s.day
        if s.clock is not None:
            when = datetime(s.day.year, s.day.month, s.day.day, s.clock[0], s.clock[1], tzinfo=TZ)
        topic = rng.choice(TOPICS[s.kind])
        r: dict[str, Any] = {
            "id": s.id,
            "customer": c.id,
            "date": when,
            "channel": s.channel,
            "kind": s.kind,
            "owner": owner,
            "topic": topic,
        }
        care = s.kind == "care"
        if rng.random() < 0.88:
            r["summary"] = rng.choice(SUMMARIES[s.kind]).format(
                c=self._addressee(c),
                t=topic,
                n=rng.choice(c.needs),
                k=rng.randint(3, 30),
                b=rng.randint(5, 300),
            )
        satisfaction: int | None = None
        if (not care and rng.random() < 0.55) or (care and rng.random() < 0.05):
            if s.kind == "complaint":
                satisfaction = rng.choices((1, 2, 3, 4, 5), weights=(30, 35, 25, 8, 2))[0]
            else:
                satisfaction = rng.choices((1, 2, 3, 4, 5), weights=(2, 5, 18, 40, 35))[0]
        if not care and rng.random() < 0.5:
            mood = satisfaction if satisfaction is not None else rng.randint(2, 5)
            pool = FEEDBACK_BAD if mood <= 2 else (FEEDBACK_MIXED if mood == 3 else FEEDBACK_GOOD)
            r["feedback"] = rng.choice(pool)
        if not care and rng.random() < 0.2:
            r["need_changes"] = self._need_changes(c)
        if satisfaction is not None:
            r["satisfaction"] = satisfaction
        if not care and rng.random() < 0.45:
            r["todos"] = self._todos(s, owner)
        if s.nf is not None:
            r["next_followup"] = s.nf
        if s.late:
            # A date-only contact may have happened late that day: count from the day's end.
            start = when if isinstance(when, datetime) else datetime(s.day.year, s.day.month, s.day.day, tzinfo=TZ)
            start += timedelta(days=0 if isinstance(when, datetime) else 1)
            r["recorded"] = start + timedelta(days=3, hours=rng.randint(1, 8))
        elif rng.random() < 0.85:
            r["recorded"] = self._recorded(s, when)
        if s.resolved is not None:
            r["resolved"] = s.resolved
        self._life_keys(s, r)
        return r

    def _life_keys(self, s: Skeleton, r: dict[str, Any]) -> None:
        """The plan, opportunity and contract a conversation is about, and then its own words and owner."""
        if s.owner is not None:
            r["owner"] = s.owner
        if s.topic is not None:
            r["topic"] = s.topic
        if s.summary is not None:
            r["summary"] = s.summary.format(c=self._addressee(s.cust))
        for key, record in (("plan", s.plan), ("opportunity", s.opportunity), ("contract", s.contract)):
            if record is not None:
                r[key] = record.id

    def _recorded(self, s: Skeleton, when: date | datetime) -> datetime:
        """Within 1-20 hours after the contact (same day for a date-only contact), never after as_of."""
        rng = self.rng
        if isinstance(when, datetime):
            room = 20 if s.day < self.as_of else max(1, 22 - when.hour)
            return when + timedelta(hours=rng.randint(1, min(20, room)), minutes=rng.randint(0, 59))
        return datetime(s.day.year, s.day.month, s.day.day, rng.randint(9, 19), rng.randint(0, 59), tzinfo=TZ)

    def _need_changes(self, c: Customer) -> list[str]:
        """One or two changes of the customer's needs, phrased as the users write them."""
        rng = self.rng
        pool = NEEDS_BY_TYPE[c.type]
        out: list[str] = []
        for _ in range(rng.randint(1, 2)):
            form = rng.randrange(5)
            if form == 0:
                out.append(f"新增：{rng.choice(pool)}")
            elif form == 1:
                out.append(f"不再需要：{rng.choice(c.needs)}")
            elif form == 2:
                out.append(f"{rng.choice(c.needs)}优先级提高")
            elif form == 3:
                a = rng.randint(5, 200)
                out.append(f"预算由{a}万元调整为{a + rng.randint(-a + 1, 150)}万元")
            else:
                out.append(f"上线时间调整至{rng.randint(1, 12)}月")
        return out

    def _todos(self, s: Skeleton, owner: str) -> list[dict[str, Any]]:
        """1-2 todos; old ones mostly done, recent ones mostly open, some open ones overdue."""
        rng, as_of = self.rng, self.as_of
        out: list[dict[str, Any]] = []
        for task in rng.sample(TODO_TASKS, rng.randint(1, 2)):
            offset = rng.randint(2, 30)
            due = _days(s.day, offset)
            todo: dict[str, Any] = {"task": task, "due": due}
            if rng.random() < 0.3:
                todo["owner"] = owner if rng.random() < 0.5 else rng.choice(TEAM_KEYS)
            age = (as_of - due).days
            p_done = 0.9 if age > 30 else (0.55 if age >= 0 else 0.25)
            if rng.random() < p_done:
                todo["done"] = min(as_of, _days(s.day, rng.randint(0, offset + 5)))
            out.append(todo)
        return out

    def crm_record(self) -> dict[str, Any]:
        """crm.yaml: the team, language, site options and a WeCom robot to notify; the policy stays at the contract's
        defaults."""
        return {
            "team": {key: {"name": name} for key, name in TEAM},
            "language": "zh",
            "site": {"title": "客户关系看板", "redact": True},
            # `crm notify --dry-run` shows each owner's morning message; a team sets CRM_WECOM_URL to send it
            "notify": [{"kind": "wecom", "url_env": "CRM_WECOM_URL"}],
        }


class _NoAliasDumper(yaml.CSafeDumper):
    """CSafeDumper that never writes anchors/aliases.

    The same object twice in one record (e.g. the as_of date as two todos' `done`) would otherwise
    be written as `&id001` / `*id001`, which the validator rejects: records must spell values out.
    """

    def ignore_aliases(self, data: Any) -> bool:
        """Every value is written out in full."""
        return True


def _dump(data: dict[str, Any]) -> str:
    """YAML text with the C emitter: fast, and it quotes number-like strings by itself."""
    text: str = yaml.dump(
        data,
        Dumper=_NoAliasDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
    return text


class _Writer:
    """Writes files on background threads and reports progress, so large runs show they are alive.

    Creating 100,000 small files is mostly kernel time, during which Python releases the GIL; writer
    threads overlap it with the YAML dumping of the main thread, which roughly halves a large run.
    The bytes of each file do not depend on the threads, so output stays deterministic.
    """

    def __init__(self, total: int, progress: bool, threads: int = 2) -> None:
        self.total = total
        self.progress = progress
        self.files = 0
        self.errors: list[Exception] = []
        self._queue: queue.Queue[tuple[Path, str] | None] = queue.Queue(maxsize=4096)
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        """Writer thread: write queued files until the None sentinel; remember the first error."""
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self.errors:
                continue  # drain the queue so the producer never blocks
            path, text = item
            try:
                write_file(path, text.encode("utf-8"))  # never through a link at that name
            except Exception as exc:  # re-raised in the main thread by close()
                self.errors.append(exc)

    def write(self, path: Path, data: dict[str, Any]) -> None:
        """Queue one record file (UTF-8, LF line ends)."""
        if self.errors:
            raise self.errors[0]
        self._queue.put((path, _dump(data)))
        self.files += 1
        if self.progress and self.files % PROGRESS_EVERY == 0:
            print(f"synth: {self.files}/{self.total} files", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Wait until every queued file is written; raise the first write error, if any."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        if self.errors:
            raise self.errors[0]


def build(
    root: Path,
    customers: int,
    interactions: int,
    seed: int,
    as_of: date,
    *,
    clean: bool = False,
    progress: bool = False,
    core: bool = False,
) -> Stats:
    """Generate and write a data repository under root; return what was written.

    core: customers, interactions and crm.yaml only (no plans, opportunities, contracts): the v1 data set.
    """
    if customers < 1:
        raise ValueError("customers must be at least 1")
    if interactions < 0:
        raise ValueError("interactions must not be negative")
    root = Path(root)
    if clean:
        for sub in ("customers", "interactions", *LIFE_FOLDERS):
            remove_tree(root / sub)  # a link is removed, never followed
    syn = _Synth(customers, interactions, seed, as_of)
    syn.plan_customers()
    syn.assign_customer_ids()
    syn.allocate()
    syn.plan_statuses()
    syn.build_skeletons()
    syn.ensure_coverage()
    life = Life(syn.customers, syn.skeletons, seed, as_of, syn.window_start)
    if not core:
        life.run()  # may move earlier contacts onto plan days: before the ids, which follow the dates
    syn.assign_interaction_ids()
    syn.describe_customers()
    records = syn.customer_records()
    folders = {
        "plans": life.plan_records(),
        "opportunities": life.opportunity_records(),
        "contracts": life.contract_records(),
    }

    total = 1 + len(records) + len(syn.skeletons) + sum(len(rows) for rows in folders.values())
    root.mkdir(parents=True, exist_ok=True)
    cdir = make_folders(root, "customers")
    for year in sorted({s.day.year for s in syn.skeletons}):
        make_folders(root, f"interactions/{year}")
    for folder, rows in folders.items():
        if rows:
            make_folders(root, folder)
    writer = _Writer(total, progress)
    try:
        for rec in records:
            writer.write(cdir / f"{rec['id']}.yaml", rec)
        for s in sorted(syn.skeletons, key=lambda s: s.id):
            writer.write(root / "interactions" / str(s.day.year) / f"{s.id}.yaml", syn.interaction_record(s))
        for folder, rows in folders.items():
            for rec in rows:
                writer.write(root / folder / f"{rec['id']}.yaml", rec)
    finally:
        writer.close()
    # crm.yaml last: its presence marks a complete data set (benchmarks reuse a directory that has it).
    write_file(root / "crm.yaml", _dump(syn.crm_record()).encode("utf-8"))
    return Stats(
        customers=len(records),
        interactions=len(syn.skeletons),
        plans=len(folders["plans"]),
        opportunities=len(folders["opportunities"]),
        contracts=len(folders["contracts"]),
        files=writer.files + 1,
    )


def generate(root: Path, customers: int, interactions: int, seed: int, as_of: date, *, core: bool = False) -> None:
    """Write a deterministic data set under root (in-process entry point for tests and benchmarks).

    Existing files are overwritten but not removed; use a fresh directory or ``build(clean=True)``.
    core: without plans, opportunities and contracts (the v1 data set).
    """
    build(root, customers, interactions, seed, as_of, core=core)


def _positive(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative(text: str) -> int:
    """argparse type: an integer >= 0."""
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _iso_date(text: str) -> date:
    """argparse type: a YYYY-MM-DD date."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.synth",
        description="Generate deterministic, realistic (mostly Chinese) CRM data: crm.yaml, "
        "customers/<ID>.yaml and interactions/<YYYY>/<ID>.yaml. Same arguments, same bytes.",
        epilog="examples:\n"
        "  python -m tools.synth --root . --clean                 # the demo data set\n"
        "  python -m tools.synth --root /tmp/big --clean --customers 10000 "
        "--interactions 100000\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=Path, required=True, help="data repository to write into")
    parser.add_argument(
        "--customers",
        type=_positive,
        default=DEFAULT_CUSTOMERS,
        help=f"number of customers (default {DEFAULT_CUSTOMERS})",
    )
    parser.add_argument(
        "--interactions",
        type=_non_negative,
        default=DEFAULT_INTERACTIONS,
        help=f"number of interactions (default {DEFAULT_INTERACTIONS})",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--as-of",
        type=_iso_date,
        default=DEFAULT_AS_OF,
        help=f"the data's 'today', YYYY-MM-DD (default {DEFAULT_AS_OF})",
    )
    parser.add_argument(
        "--clean",
        action="store_true",
        help="delete ROOT/customers, ROOT/interactions, ROOT/plans, ROOT/opportunities and ROOT/contracts first "
        "(nothing else)",
    )
    parser.add_argument(
        "--core",
        action="store_true",
        help="customers, interactions and crm.yaml only, without plans, opportunities and contracts "
        "(the v1 data set, for comparing with older benchmark figures)",
    )
    args = parser.parse_args(argv)
    stats = build(
        args.root,
        args.customers,
        args.interactions,
        args.seed,
        args.as_of,
        clean=args.clean,
        progress=True,
        core=args.core,
    )
    print(
        f"synth: wrote {stats.customers} customers, {stats.interactions} interactions, {stats.plans} plans, "
        f"{stats.opportunities} opportunities, {stats.contracts} contracts "
        f"and crm.yaml ({stats.files} files) to {args.root} "
        f"(seed {args.seed}, as of {args.as_of.isoformat()})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
