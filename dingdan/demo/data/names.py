"""Common Chinese surnames and given names (with pinyin for e-mail addresses) and English
names. Pure data and a deterministic picker."""

import random
from dataclasses import dataclass

SURNAMES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
    ("唐", "tang"), ("许", "xu"), ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"),
    ("彭", "peng"), ("曾", "zeng"), ("肖", "xiao"), ("田", "tian"), ("董", "dong"), ("潘", "pan"),
    ("欧阳", "ouyang"), ("司马", "sima"),
]  # fmt: skip

GIVEN_NAMES = [
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("军", "jun"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"),
    ("霞", "xia"), ("平", "ping"), ("刚", "gang"), ("桂英", "guiying"), ("浩然", "haoran"),
    ("子涵", "zihan"), ("欣怡", "xinyi"), ("梓萱", "zixuan"), ("宇轩", "yuxuan"), ("思远", "siyuan"),
    ("雨桐", "yutong"), ("佳怡", "jiayi"), ("俊杰", "junjie"), ("晓东", "xiaodong"), ("建华", "jianhua"),
    ("志强", "zhiqiang"), ("海燕", "haiyan"), ("文博", "wenbo"), ("一鸣", "yiming"), ("诗涵", "shihan"),
]  # fmt: skip

ENGLISH_FIRST = [
    "Emily", "James", "Olivia", "William", "Sophia", "Daniel", "Grace", "Michael", "Chloe", "David",
    "Hannah", "Thomas", "Lucy", "Benjamin", "Anna", "Lucas", "Emma", "Oliver", "Mia", "Jack",
]  # fmt: skip
ENGLISH_LAST = [
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Martin", "Chen", "Wong", "Lee", "Miller",
    "Davis", "Clark", "Walker", "Young", "King", "Wright", "Scott", "Green", "Baker", "Hall",
]  # fmt: skip

# Mail providers people use, under the reserved example.com (RFC 2606): a configured SMTP
# server never mails a real person from the demo.
MAIL_DOMAINS = [f"{provider}.example.com" for provider in ("163", "126", "qq", "sina", "outlook", "foxmail")]


@dataclass(frozen=True)
class PersonName:
    name: str
    email_local: str  # latin, for the e-mail address
    is_english: bool


def chinese_name(rng: random.Random) -> PersonName:
    surname, surname_pinyin = rng.choice(SURNAMES)
    given, given_pinyin = rng.choice(GIVEN_NAMES)
    return PersonName(f"{surname}{given}", f"{surname_pinyin}{given_pinyin}", is_english=False)


def english_name(rng: random.Random) -> PersonName:
    first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
    return PersonName(f"{first} {last}", f"{first}.{last}".lower(), is_english=True)


def email(person: PersonName, rng: random.Random) -> str:
    domain = rng.choice(MAIL_DOMAINS)
    if domain.startswith("qq.") and not person.is_english:
        return f"{rng.randint(10**7, 10**10 - 1)}@{domain}"  # QQ mail is the QQ number
    suffix = rng.choice(["", str(rng.randint(1, 99)), str(rng.randint(1970, 2005))])
    return f"{person.email_local}{suffix}@{domain}"
