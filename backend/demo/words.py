"""Word lists and the union namer behind the demo tree and the benchmark city: brands, industries,
villages and township names, and the names of members, their mobiles and their employers.
"""

from __future__ import annotations

import random

from backend.orgs.models import OrgCategory

# Share of base unions per assessment category (county_federation is for county nodes only).
_CATEGORY_SHARES: tuple[tuple[OrgCategory, int], ...] = (
    (OrgCategory.NON_PUBLIC, 45),
    (OrgCategory.PUBLIC_INSTITUTION, 25),
    (OrgCategory.STATE_COLLECTIVE, 12),
    (OrgCategory.TOWNSHIP_STREET, 18),
)


# --- union names -------------------------------------------------------------------------------

_BRANDS = (
    "汾河",
    "尧丰",
    "晋南",
    "华翔",
    "鑫源",
    "恒达",
    "金泰",
    "龙祥",
    "宏盛",
    "瑞通",
    "晋兴",
    "天润",
    "平阳",
    "泰和",
    "永昌",
    "安达",
    "顺通",
    "博远",
    "嘉禾",
    "德隆",
    "中和",
    "兴盛",
    "华康",
    "聚源",
)
_INDUSTRIES = (
    "建筑工程",
    "物流",
    "焦化",
    "商贸",
    "机械制造",
    "餐饮管理",
    "物业服务",
    "快递服务",
    "家政服务",
    "道路运输",
    "新材料科技",
    "食品",
    "煤业",
    "建材",
    "医药连锁",
    "汽车销售服务",
    "电子商务",
    "纺织",
    "农业开发",
    "保安服务",
    "钢铁",
    "环保科技",
)
_VILLAGES = (
    "东关",
    "西关",
    "南庄",
    "北街",
    "王家庄",
    "李家沟",
    "张村",
    "刘家堡",
    "高河",
    "柳树湾",
    "段家庄",
    "上庄",
    "下院",
    "吴村",
    "贾得",
    "新庄",
    "郭家",
    "马务",
    "杨村",
    "崔家庄",
)
_COMMUNITIES = ("向阳", "新华", "滨河", "鼓楼", "平阳", "兴业", "和平", "五一", "车站", "文化")
_TOWN_PREFIXES = (
    "城关",
    "东城",
    "西城",
    "南关",
    "北关",
    "新华",
    "河东",
    "河西",
    "桥南",
    "桥北",
    "东风",
    "向阳",
    "红旗",
    "太平",
    "永安",
    "长乐",
    "古城",
    "龙泉",
    "三里",
    "五里",
    "高新",
    "滨河",
    "金城",
    "青城",
    "柳林",
    "石门",
    "双凤",
    "白水",
)
_TOWN_SUFFIXES = ("镇", "街道", "乡")
_UNIT_SUFFIXES = ("工会委员会", "工会联合会", "联合工会", "工会")
_SMALL_EMPLOYERS = ("商贸部", "快递服务站", "物流配送站", "家政服务部", "建筑劳务队", "餐饮店", "汽修厂")


def _short(node_name: str) -> str:
    """尧庙镇总工会 → 尧庙镇, 尧都区总工会 → 尧都区."""
    for suffix in ("总工会", "工会联合会", "工会工作委员会"):
        if node_name.endswith(suffix):
            return node_name[: -len(suffix)]
    return node_name


def _unit_name(union_name: str) -> str:
    """The unit a base union belongs to: 山西某某建筑有限公司工会委员会 → 山西某某建筑有限公司."""
    for suffix in _UNIT_SUFFIXES:
        if union_name.endswith(suffix):
            return union_name[: -len(suffix)]
    return union_name


class _UnionNamer:
    """Plausible, unique base-union names per category."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.serial: dict[str, int] = {}

    def _numbered(self, stem: str, tail: str) -> str:
        n = self.serial.get(stem + tail, 0) + 1
        self.serial[stem + tail] = n
        return f"{stem}第{_cn_number(n)}{tail}"

    def _candidate(self, category: str, county: str, town: str) -> str:
        r = self.rng
        if category == OrgCategory.NON_PUBLIC:
            local = county.removesuffix("区").removesuffix("县").removesuffix("市")
            plain = len(local) < 2 or local.startswith(("第", "临汾"))  # 古县 → 古…有限公司 reads oddly
            prefix = r.choice(("山西", "临汾") if plain else ("山西", "临汾", local))
            return f"{prefix}{r.choice(_BRANDS)}{r.choice(_INDUSTRIES)}有限公司工会委员会"
        if category == OrgCategory.PUBLIC_INSTITUTION:
            fixed = (
                f"{county}人民医院工会",
                f"{county}中医医院工会",
                f"{county}妇幼保健院工会",
                f"{county}人民法院工会",
                f"{county}教育局机关工会",
                f"{county}人力资源和社会保障局工会",
                f"{county}疾病预防控制中心工会",
                f"{county}实验小学工会",
                f"{county}职业中学工会",
                f"{town}中心学校工会",
                f"{town}卫生院工会",
                f"{town}便民服务中心工会",
            )
            pick = r.randrange(len(fixed) + 2)
            if pick < len(fixed):
                return fixed[pick]
            return self._numbered(county, "中学工会" if pick == len(fixed) else "小学工会")
        if category == OrgCategory.STATE_COLLECTIVE:
            fixed = (
                f"国网{county}供电公司工会",
                f"{county}自来水公司工会",
                f"{county}公共交通有限公司工会",
                f"{county}粮食储备库工会",
                f"{county}国有林场工会",
                f"{county}供销合作社工会",
                f"中国邮政集团有限公司{county}分公司工会",
                f"{county}城市建设投资有限公司工会",
                f"{town}农村信用合作社工会",
                f"霍州煤电集团{town.removesuffix('镇').removesuffix('街道')}煤矿工会",
            )
            pick = r.randrange(len(fixed) + 1)
            if pick < len(fixed):
                return fixed[pick]
            return self._numbered(f"{county}交通运输集团", "分公司工会")
        return r.choice(
            (
                f"{town}{r.choice(_VILLAGES)}村工会",
                f"{town}{r.choice(_COMMUNITIES)}社区工会",
                f"{town}联合工会",
                f"{town}快递物流行业联合工会",
                f"{town}货车司机工会联合会",
                f"{town}建筑业农民工联合工会",
                f"{town}流动会员工会委员会",
                f"{town}小微企业联合工会",
            )
        )

    def name(self, category: str, county: str, town: str) -> str:
        for _ in range(12):
            candidate = self._candidate(category, county, town)
            if candidate not in self.used:
                break
        else:
            candidate = self._numbered(town, "联合工会")
        while candidate in self.used:
            candidate = self._numbered(town, "联合工会")
        self.used.add(candidate)
        return candidate


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 35 → 三十五; plain digits beyond 99."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return (_CN_DIGITS[tens] if tens > 1 else "") + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)


def _spread_categories(count: int, rng: random.Random) -> list[str]:
    """Exactly proportional category quotas (largest remainder), shuffled."""
    total = sum(share for _, share in _CATEGORY_SHARES)
    quotas = [(count * share // total, count * share % total, cat) for cat, share in _CATEGORY_SHARES]
    missing = count - sum(q for q, _, _ in quotas)
    by_remainder = sorted(range(len(quotas)), key=lambda i: -quotas[i][1])
    extra = set(by_remainder[:missing])
    categories = [str(cat) for i, (q, _, cat) in enumerate(quotas) for _ in range(q + (i in extra))]
    rng.shuffle(categories)
    return categories


_MOBILE_PREFIXES = (
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
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
)
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
_GIVEN = "建国军伟强磊洋勇杰涛明超秀英娟敏静丽艳芳霞平刚华志红玉兰桂凤文斌辉鹏飞宇浩晨欣怡婷雪梅海燕亮"
