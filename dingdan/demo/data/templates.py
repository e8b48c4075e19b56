"""What the demo shop sells: product templates per category, their brands and variant axes.

A template becomes several products (brand × edition); each product has one SKU per
combination of the options picked on its axes. Option price factors scale the base price.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    label: str  # the spec value customers see, e.g. 黑色
    code: str  # the SKU code part, e.g. BK
    factor: float = 1.0  # price and weight relative to the base


@dataclass(frozen=True)
class Axis:
    name: str  # the spec key, e.g. 颜色
    options: tuple[Option, ...]
    pick: tuple[int, int] = (1, 1)  # how many options a product offers
    contiguous: bool = False  # sizes: a run such as M, L, XL
    scales_weight: bool = False  # the option factor scales the weight too (5 kg vs 10 kg)


@dataclass(frozen=True)
class Template:
    name: str
    name_en: str
    category: str
    price: tuple[float, float]  # tax-inclusive retail price range in CNY
    weight_grams: int
    axes: tuple[Axis, ...] = ()
    unit: str = "pcs"
    tax_rate: str = "vat13"
    feature: str = ""


@dataclass(frozen=True)
class Category:
    prefix: str  # product codes: AP0001
    count: int  # products generated
    brands: tuple[tuple[str, str], ...]  # (name, latin name)
    editions: tuple[tuple[str, str], ...]  # appended to product names
    templates: tuple[Template, ...]


def _options(*pairs: str) -> tuple[Option, ...]:
    return tuple(Option(label, code) for label, code in zip(pairs[::2], pairs[1::2], strict=True))


COLOURS = Axis(
    "颜色",
    _options(
        "黑色", "BK", "白色", "WH", "藏青", "NV", "灰色", "GY", "卡其", "KH", "酒红", "BG", "浅蓝", "LB"
    ),
    pick=(2, 3),
)
GADGET_COLOURS = Axis("颜色", _options("黑色", "BK", "白色", "WH", "深空灰", "GY", "雾蓝", "BL"), pick=(1, 3))
SIZES = Axis(
    "尺码", _options("S", "S", "M", "M", "L", "L", "XL", "XL", "XXL", "XXL"), (3, 4), contiguous=True
)
WAIST = Axis(
    "腰围", _options(*(v for w in range(28, 35) for v in (str(w), f"W{w}"))), (3, 4), contiguous=True
)
ONE_SIZE = Axis("尺码", _options("均码", "F"))


def _steps(
    name: str, *steps: tuple[str, str, float], pick: tuple[int, int] = (2, 2), weight: bool = True
) -> Axis:
    return Axis(
        name, tuple(Option(*step) for step in steps), pick=pick, contiguous=True, scales_weight=weight
    )


APPAREL = Category(
    prefix="AP",
    count=70,
    brands=(("云织", "Yunzhi"), ("简屿", "Jianyu"), ("拾光", "Shiguang"), ("北纬", "Beiwei")),
    editions=(("男款", "Men"), ("女款", "Women")),
    templates=(
        Template("纯棉圆领T恤", "Cotton Crew-neck T-shirt", "服装/T恤", (59, 129), 200, (COLOURS, SIZES),
                 feature="新疆长绒棉，亲肤透气"),
        Template("珠地棉Polo衫", "Pique Polo Shirt", "服装/Polo衫", (99, 199), 250, (COLOURS, SIZES),
                 feature="珠地网眼面料，挺括有型"),
        Template("免烫商务衬衫", "Non-iron Business Shirt", "服装/衬衫", (149, 299), 280, (COLOURS, SIZES),
                 feature="液氨免烫工艺，出差不皱"),
        Template("连帽卫衣", "Hooded Sweatshirt", "服装/卫衣", (129, 259), 550, (COLOURS, SIZES),
                 feature="加厚毛圈，秋冬保暖"),
        Template("修身牛仔裤", "Slim-fit Jeans", "服装/裤装", (159, 329), 650, (COLOURS, WAIST),
                 feature="弹力丹宁，久穿不变形"),
        Template("弹力休闲裤", "Stretch Chinos", "服装/裤装", (129, 249), 450, (COLOURS, WAIST),
                 feature="四面弹面料，通勤百搭"),
        Template("轻薄羽绒服", "Lightweight Down Jacket", "服装/外套", (299, 699), 400, (COLOURS, SIZES),
                 feature="90% 白鸭绒，可收纳便携"),
        Template("防晒皮肤衣", "UV-protection Jacket", "服装/外套", (99, 199), 200, (COLOURS, SIZES),
                 feature="UPF50+，轻薄速干"),
        Template("羊毛针织开衫", "Wool Knit Cardigan", "服装/针织衫", (199, 459), 380, (COLOURS, SIZES),
                 feature="澳洲美利奴羊毛，柔软不扎"),
        Template("速干运动短裤", "Quick-dry Sports Shorts", "服装/运动", (69, 139), 150, (COLOURS, SIZES),
                 feature="冰感速干，跑步健身"),
        Template("精梳棉中筒袜 5双装", "Combed Cotton Crew Socks, 5 Pairs", "服装/袜子", (29, 59), 180,
                 (COLOURS, ONE_SIZE), unit="pack", feature="抗菌防臭，5 双装"),
        Template("纯棉家居服套装", "Cotton Loungewear Set", "服装/家居服", (129, 239), 500, (COLOURS, SIZES),
                 unit="set", feature="A 类纯棉，宽松舒适"),
    ),
)  # fmt: skip

ELECTRONICS = Category(
    prefix="EL",
    count=90,
    brands=(("极客派", "GeekPai"), ("速联", "SuLink"), ("声悦", "Shengyue"), ("电小满", "Dianxiaoman")),
    editions=(("", ""), ("Pro", "Pro"), ("Lite", "Lite"), ("二代", "Gen 2"), ("Max", "Max")),
    templates=(
        Template("氮化镓快充充电器 65W", "65W GaN Fast Charger", "数码配件/充电", (99, 199), 120,
                 (GADGET_COLOURS,), feature="三口快充，笔记本手机通用"),
        Template("USB-C 编织数据线", "Braided USB-C Cable", "数码配件/充电", (29, 69), 50,
                 (_steps("长度", ("1米", "1M", 1.0), ("2米", "2M", 1.3)),), feature="100W PD 快充，耐弯折"),
        Template("快充移动电源", "Fast-charging Power Bank", "数码配件/充电", (99, 199), 220,
                 (_steps("容量", ("10000mAh", "10K", 1.0), ("20000mAh", "20K", 1.5)),),
                 feature="22.5W 双向快充，可带上飞机"),
        Template("真无线蓝牙耳机", "True Wireless Earbuds", "数码配件/耳机", (199, 599), 60,
                 (GADGET_COLOURS,),
                 feature="主动降噪，续航 30 小时"),
        Template("头戴式降噪耳机", "Noise-cancelling Headphones", "数码配件/耳机", (399, 999), 260,
                 (GADGET_COLOURS,), feature="40dB 深度降噪，Hi-Res 认证"),
        Template("iPhone 15 液态硅胶手机壳", "Silicone Case for iPhone 15", "数码配件/手机壳", (39, 89), 40,
                 (GADGET_COLOURS,), feature="全包防摔，磁吸兼容"),
        Template("无线静音鼠标", "Silent Wireless Mouse", "数码配件/键鼠", (59, 129), 80, (GADGET_COLOURS,),
                 feature="静音微动，双模连接"),
        Template("87键机械键盘", "87-key Mechanical Keyboard", "数码配件/键鼠", (199, 499), 850,
                 (Axis("轴体", _options("红轴", "RED", "青轴", "BLU", "茶轴", "BRN"), pick=(2, 3)),),
                 feature="热插拔轴座，三模连接"),
        Template("便携蓝牙音箱", "Portable Bluetooth Speaker", "数码配件/音箱", (149, 399), 450,
                 (GADGET_COLOURS,), feature="IPX7 防水，户外派对"),
        Template("USB 3.2 高速U盘", "USB 3.2 Flash Drive", "数码配件/存储", (39, 89), 15,
                 (_steps("容量", ("64GB", "64G", 1.0), ("128GB", "128G", 1.6), ("256GB", "256G", 2.6),
                         pick=(2, 3), weight=False),), feature="读取 400MB/s，金属机身"),
        Template("铝合金笔记本支架", "Aluminium Laptop Stand", "数码配件/支架", (79, 199), 700,
                 (Axis("颜色", _options("银色", "SV", "深空灰", "GY"), pick=(1, 2)),),
                 feature="六档调节，散热护颈"),
        Template("智能手环", "Smart Band", "数码配件/智能穿戴", (149, 299), 30, (GADGET_COLOURS,),
                 feature="血氧心率监测，14 天续航"),
    ),
)  # fmt: skip

HOME = Category(
    prefix="HM",
    count=75,
    brands=(("木之本", "Muzhiben"), ("栖居", "Qiju"), ("净屋", "Jingwu"), ("暖阁", "Nuange")),
    editions=(("经典款", "Classic"), ("升级款", "Plus"), ("北欧风", "Nordic"), ("", "")),
    templates=(
        Template("纯棉四件套", "Cotton Bedding Set, 4 Pieces", "家居/床品", (199, 599), 2500,
                 (_steps("规格", ("1.5米床", "150", 1.0), ("1.8米床", "180", 1.2)), COLOURS), unit="set",
                 feature="60 支长绒棉，贡缎工艺"),
        Template("泰国乳胶枕", "Thai Latex Pillow", "家居/床品", (99, 299), 1200,
                 feature="天然乳胶，护颈回弹"),
        Template("长绒棉毛巾 3条装", "Long-staple Cotton Towels, 3-pack", "家居/毛巾", (49, 99), 350,
                 (COLOURS,),
                 unit="pack", feature="吸水速干，不易掉毛"),
        Template("不粘炒锅 32cm", "Non-stick Wok 32 cm", "家居/厨具", (149, 399), 1800,
                 feature="麦饭石涂层，燃气电磁通用"),
        Template("陶瓷餐具套装 16件", "Ceramic Dinnerware Set, 16 Pieces", "家居/厨具", (159, 399), 4500,
                 unit="set", feature="釉下彩，可进微波炉"),
        Template("可折叠收纳箱", "Foldable Storage Box", "家居/收纳", (39, 99), 900,
                 (_steps("规格", ("中号", "MD", 1.0), ("大号", "LG", 1.3)),), feature="加厚牛津布，可叠放"),
        Template("超细纤维平板拖把", "Microfibre Flat Mop", "家居/清洁", (59, 129), 1300,
                 feature="免手洗，360° 旋转"),
        Template("LED 护眼台灯", "LED Eye-care Desk Lamp", "家居/灯具", (129, 299), 1100, (GADGET_COLOURS,),
                 feature="国 AA 级照度，无频闪"),
        Template("无火香薰 200ml", "Reed Diffuser 200 ml", "家居/香薰", (59, 139), 450,
                 (Axis("香型", _options("白茶", "WT", "雪松", "CD", "柑橘", "CT"), pick=(2, 3)),),
                 unit="bottle",
                 feature="植物精油，持香 60 天"),
        Template("316 不锈钢保温杯 500ml", "316 Stainless Steel Vacuum Flask 500 ml", "家居/杯壶",
                 (79, 199), 350,
                 (GADGET_COLOURS,), feature="12 小时保温，一键开盖"),
        Template("硅藻泥浴室地垫", "Diatomite Bath Mat", "家居/浴室", (39, 89), 1500,
                 feature="秒吸水，防滑底"),
        Template("遮光窗帘", "Blackout Curtain", "家居/窗帘", (99, 299), 1600,
                 (_steps("尺寸", ("2.0×2.7米", "200", 1.0), ("3.0×2.7米", "300", 1.4)), COLOURS),
                 feature="遮光率 99%，静音滑轨"),
    ),
)  # fmt: skip

FOOD = Category(
    prefix="FD",
    count=85,
    brands=(("禾田", "Hetian"), ("山野", "Shanye"), ("川味坊", "Chuanweifang"), ("茶语", "Chayu")),
    editions=(("", ""), ("家庭装", "Family Pack"), ("礼盒装", "Gift Box"), ("有机", "Organic")),
    templates=(
        Template("五常稻花香大米", "Wuchang Daohuaxiang Rice", "食品/粮油", (49, 89), 5000,
                 (_steps("规格", ("5kg", "5KG", 1.0), ("10kg", "10KG", 1.9)),), unit="pack", tax_rate="vat9",
                 feature="黑龙江五常核心产区，当季新米"),
        Template("压榨一级花生油", "First-grade Pressed Peanut Oil", "食品/粮油", (69, 139), 4600,
                 (_steps("规格", ("1.8L", "1L8", 0.45), ("5L", "5L", 1.0)),), unit="bottle", tax_rate="vat9",
                 feature="物理压榨，浓香型"),
        Template("明前龙井绿茶 250g", "Pre-Qingming Longjing Green Tea 250 g", "食品/茶叶", (199, 599), 300,
                 unit="pack", tax_rate="vat9", feature="西湖产区，明前手工炒制"),
        Template("正山小种红茶", "Lapsang Souchong Black Tea", "食品/茶叶", (99, 299), 280,
                 (_steps("规格", ("125g", "125G", 1.0), ("250g", "250G", 1.8)),),
                 unit="pack", tax_rate="vat9",
                 feature="武夷山桐木关，松烟香"),
        Template("黄小米", "Yellow Millet", "食品/杂粮", (29, 59), 2500, unit="pack", tax_rate="vat9",
                 feature="山西沁州，熬粥出油"),
        Template("古田香菇", "Gutian Shiitake Mushrooms", "食品/干货", (39, 99), 500,
                 unit="pack", tax_rate="vat9",
                 feature="福建古田，肉厚味香"),
        Template("每日坚果 30包", "Daily Mixed Nuts, 30 Packs", "食品/零食", (99, 169), 750, unit="box",
                 feature="六种坚果果干，独立小包"),
        Template("手撕风干牛肉干", "Air-dried Shredded Beef Jerky", "食品/零食", (39, 89), 250,
                 (Axis("口味", _options("原味", "ORG", "香辣", "SPC", "五香", "FIV"), pick=(2, 3)),),
                 unit="pack",
                 feature="内蒙古草原牛，手工风干"),
        Template("郫县豆瓣酱", "Pixian Chili Bean Paste", "食品/调味品", (12, 29), 520, unit="bottle",
                 feature="三年陈酿，川菜之魂"),
        Template("特级头道生抽", "Premium First-press Light Soy Sauce", "食品/调味品", (15, 35), 560,
                 unit="bottle", feature="酿造 180 天，氨基酸态氮≥1.2g"),
        Template("挂耳咖啡 10包", "Drip-bag Coffee, 10 Bags", "食品/冲调", (39, 89), 150,
                 (Axis("烘焙度", _options("中烘", "MED", "深烘", "DRK"), pick=(1, 2)),), unit="box",
                 feature="云南保山小粒咖啡，新鲜烘焙"),
        Template("蜂蜜黄油薯片", "Honey Butter Potato Chips", "食品/零食", (9.9, 19.9), 120,
                 (Axis("规格", _options("70g", "70G", "135g", "135G"), pick=(1, 1)),), unit="pack",
                 feature="非油炸，酥脆香甜"),
        Template("秦岭土蜂蜜 500g", "Qinling Raw Honey 500 g", "食品/冲调", (49, 129), 650, unit="bottle",
                 feature="秦岭深山，一年一采"),
    ),
)  # fmt: skip

CATEGORIES = (APPAREL, ELECTRONICS, HOME, FOOD)
