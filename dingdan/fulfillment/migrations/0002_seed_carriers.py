"""The carriers every installation starts with: the major Chinese express carriers and the
international ones, with their tracking-number formats and public tracking pages."""

from django.db import migrations

CARRIERS = [
    # code, name, English name, tracking pattern, tracking URL template, services
    ("sf", "顺丰速运", "SF Express", r"SF\d{12,13}", "https://www.sf-express.com/chn/sc/waybill/waybill-detail/{number}", ["standard", "same_day", "next_morning", "economy"]),
    ("zto", "中通快递", "ZTO Express", r"(7[0-9]|6[0-9]|5[0-9])\d{10,13}", "https://www.zto.com/express/expressCheck.html?txtBill={number}", ["standard"]),
    ("yto", "圆通速递", "YTO Express", r"YT\d{13,15}", "https://www.yto.net.cn/#/query?number={number}", ["standard"]),
    ("sto", "申通快递", "STO Express", r"(77|88|55|66|22)\d{11,13}", "https://www.sto.cn/Service/CustomerService?nos={number}", ["standard"]),
    ("yunda", "韵达快递", "Yunda Express", r"(31|43|46|12)\d{11,13}", "https://www.yundaex.com/cn/index.php?number={number}", ["standard"]),
    ("jd", "京东物流", "JD Logistics", r"JD[A-Z0-9]{11,15}", "https://www.jdl.com/orderSearch/?waybillCodes={number}", ["standard", "express"]),
    ("ems", "中国邮政 EMS", "China Post EMS", r"([A-Z]{2}\d{9}CN|1\d{12})", "https://www.ems.com.cn/queryList?mailNum={number}", ["standard", "economy"]),
    ("jt", "极兔速递", "J&T Express", r"JT\d{13}", "https://www.jtexpress.com.cn/trajectoryQuery?waybillNo={number}", ["standard"]),
    ("ups", "UPS", "UPS", r"1Z[0-9A-Z]{16}", "https://www.ups.com/track?tracknum={number}", ["express", "expedited", "standard"]),
    ("fedex", "联邦快递", "FedEx", r"(\d{12}|\d{15}|\d{20})", "https://www.fedex.com/fedextrack/?trknbr={number}", ["priority", "economy"]),
    ("dhl", "DHL", "DHL Express", r"\d{10}", "https://www.dhl.com/cn-zh/home/tracking.html?tracking-id={number}", ["express_worldwide", "economy_select"]),
]


def seed(apps, schema_editor):
    Carrier = apps.get_model("fulfillment", "Carrier")
    for code, name, name_en, pattern, url, services in CARRIERS:
        Carrier.objects.update_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "tracking_pattern": pattern, "tracking_url_template": url, "services": services},
        )


def unseed(apps, schema_editor):
    apps.get_model("fulfillment", "Carrier").objects.filter(code__in=[c[0] for c in CARRIERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("fulfillment", "0001_shipping")]

    operations = [migrations.RunPython(seed, unseed)]
