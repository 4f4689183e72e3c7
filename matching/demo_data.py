"""The tables the demo directory is drawn from: products, customers, sectors, places,
company names and the sentences companies describe themselves with (en, th, ja).

All of it is fictional; `matching.demo` turns it into companies.
"""

from __future__ import annotations

Phrase = tuple[str, str, str]  # en, th, ja

# What companies of a division make: (en, th, ja).
PRODUCTS: dict[str, list[Phrase]] = {
    "22": [
        ("rubber seals and gaskets", "ซีลยางและปะเก็น", "ゴムシール・ガスケット"),
        ("injection-moulded plastic parts", "ชิ้นส่วนพลาสติกฉีดขึ้นรูป", "射出成形プラスチック部品"),
        ("plastic food packaging", "บรรจุภัณฑ์พลาสติกสำหรับอาหาร", "食品用プラスチック包装"),
        ("rubber hoses", "ท่อยาง", "ゴムホース"),
        ("anti-vibration rubber parts", "ชิ้นส่วนยางกันสั่นสะเทือน", "防振ゴム部品"),
    ],
    "25": [
        ("precision stamped metal parts", "ชิ้นส่วนโลหะปั๊มขึ้นรูปความแม่นยำสูง", "精密プレス部品"),
        (
            "injection moulds and press dies",
            "แม่พิมพ์ฉีดพลาสติกและแม่พิมพ์ปั๊มโลหะ",
            "射出成形金型・プレス金型",
        ),
        ("CNC machined parts", "ชิ้นส่วนกลึงและกัดด้วยเครื่อง CNC", "CNC切削加工部品"),
        ("forged steel parts", "ชิ้นส่วนเหล็กทุบขึ้นรูป", "鍛造部品"),
        ("bolts, nuts and fasteners", "สลักเกลียว น็อตและสกรู", "ボルト・ナット等の締結部品"),
        ("sheet-metal enclosures", "ตู้และโครงโลหะแผ่น", "板金筐体"),
    ],
    "24": [
        ("aluminium die castings", "ชิ้นส่วนอะลูมิเนียมหล่อขึ้นรูป", "アルミダイカスト部品"),
        ("steel coils and sheets", "เหล็กม้วนและเหล็กแผ่น", "鋼板・コイル"),
    ],
    "26": [
        ("printed circuit board assembly", "การประกอบแผงวงจรพิมพ์ (PCBA)", "プリント基板実装"),
        ("industrial sensors", "เซนเซอร์สำหรับอุตสาหกรรม", "産業用センサー"),
    ],
    "27": [
        ("automotive wire harnesses", "ชุดสายไฟรถยนต์", "自動車用ワイヤーハーネス"),
        ("small electric motors", "มอเตอร์ไฟฟ้าขนาดเล็ก", "小型モーター"),
        ("LED lighting", "โคมไฟ LED", "LED照明"),
    ],
    "28": [
        ("food processing machines", "เครื่องจักรแปรรูปอาหาร", "食品加工機械"),
        (
            "factory automation and robots",
            "ระบบอัตโนมัติและหุ่นยนต์สำหรับโรงงาน",
            "工場自動化設備・産業用ロボット",
        ),
        ("injection moulding machines", "เครื่องฉีดพลาสติก", "射出成形機"),
    ],
    "29": [
        ("automotive seats", "เบาะรถยนต์", "自動車用シート"),
        ("brake components", "ชิ้นส่วนระบบเบรก", "ブレーキ部品"),
        ("engine parts", "ชิ้นส่วนเครื่องยนต์", "エンジン部品"),
        ("motorcycle parts", "ชิ้นส่วนรถจักรยานยนต์", "二輪車部品"),
    ],
    "10": [
        ("frozen seafood", "อาหารทะเลแช่แข็ง", "冷凍水産物"),
        ("jasmine rice products", "ผลิตภัณฑ์ข้าวหอมมะลิ", "ジャスミンライス製品"),
        ("dried tropical fruit", "ผลไม้อบแห้ง", "ドライフルーツ"),
        ("halal ready meals", "อาหารพร้อมรับประทานฮาลาล", "ハラール認証の調理済み食品"),
        ("sauces and seasonings", "ซอสและเครื่องปรุงรส", "ソース・調味料"),
    ],
    "13": [
        ("cotton fabrics", "ผ้าฝ้าย", "綿織物"),
        (
            "technical textiles for car interiors",
            "สิ่งทอเทคนิคสำหรับภายในรถยนต์",
            "自動車内装用の産業資材繊維",
        ),
    ],
    "20": [
        ("plastic resin compounds", "เม็ดพลาสติกคอมพาวด์", "樹脂コンパウンド"),
        ("industrial paints and coatings", "สีและสารเคลือบสำหรับอุตสาหกรรม", "工業用塗料"),
    ],
    "52": [
        (
            "warehousing and cold-chain logistics",
            "บริการคลังสินค้าและโลจิสติกส์ห้องเย็น",
            "倉庫・コールドチェーン物流",
        ),
    ],
    "62": [
        (
            "factory IoT and production software",
            "ระบบ IoT และซอฟต์แวร์บริหารการผลิต",
            "工場向けIoT・生産管理システム",
        ),
    ],
    "46": [
        ("import and wholesale of food", "นำเข้าและค้าส่งสินค้าอาหาร", "食品の輸入・卸売"),
        ("distribution of industrial parts", "จัดจำหน่ายชิ้นส่วนอุตสาหกรรม", "産業部品の販売代理"),
    ],
}

CUSTOMERS: dict[str, Phrase] = {
    "29": ("car and motorcycle makers", "ผู้ผลิตรถยนต์และรถจักรยานยนต์", "自動車・二輪車メーカー"),
    "27": ("electrical equipment makers", "ผู้ผลิตเครื่องใช้ไฟฟ้า", "電機メーカー"),
    "28": ("machinery makers", "ผู้ผลิตเครื่องจักร", "機械メーカー"),
    "26": ("electronics makers", "ผู้ผลิตอุปกรณ์อิเล็กทรอนิกส์", "電子機器メーカー"),
    "10": ("food manufacturers", "ผู้ผลิตอาหาร", "食品メーカー"),
    "46": ("importers and wholesalers", "ผู้นำเข้าและผู้ค้าส่ง", "輸入商社・卸売業者"),
    "22": ("rubber and plastics moulders", "โรงงานยางและพลาสติก", "ゴム・プラスチック成形メーカー"),
    "25": ("metal parts makers", "โรงงานผลิตชิ้นส่วนโลหะ", "金属部品メーカー"),
    "14": ("apparel makers", "ผู้ผลิตเสื้อผ้า", "アパレルメーカー"),
    "47": ("retail chains", "ร้านค้าปลีก", "小売チェーン"),
    "56": ("restaurant chains", "เครือร้านอาหาร", "外食チェーン"),
}

# Which divisions each side's companies are in, with weights.
TH_SECTORS = {
    "22": 14,
    "25": 18,
    "24": 4,
    "26": 5,
    "27": 7,
    "28": 5,
    "29": 10,
    "10": 18,
    "13": 5,
    "20": 4,
    "52": 4,
    "62": 3,
    "46": 3,
}
JP_SECTORS = {
    "29": 22,
    "27": 10,
    "28": 12,
    "26": 9,
    "10": 10,
    "46": 12,
    "22": 7,
    "25": 8,
    "20": 4,
    "24": 2,
    "62": 3,
    "52": 1,
}

# Who supplies whom in the demo (supplier division -> buyer divisions).
SUPPLIES: dict[str, list[str]] = {
    "22": ["29", "27", "26", "10", "28"],
    "25": ["29", "28", "27", "26", "22"],
    "24": ["25", "29", "28"],
    "26": ["29", "27", "28"],
    "27": ["29", "28", "26"],
    "28": ["10", "22", "25", "29"],
    "29": ["29"],
    "10": ["46", "47", "56"],
    "13": ["29", "14"],
    "20": ["22", "29", "25"],
    "52": ["29", "10", "46"],
    "62": ["29", "28", "25", "22"],
    "46": ["47", "56"],
}
SUPPLIED_BY: dict[str, list[str]] = {}
for _supplier, _buyers in SUPPLIES.items():
    for _buyer in _buyers:
        SUPPLIED_BY.setdefault(_buyer, []).append(_supplier)

TH_PROVINCES = {
    "Bangkok": 16,
    "Samut Prakan": 12,
    "Chonburi": 14,
    "Rayong": 10,
    "Phra Nakhon Si Ayutthaya": 8,
    "Pathum Thani": 7,
    "Chachoengsao": 5,
    "Samut Sakhon": 6,
    "Nonthaburi": 4,
    "Nakhon Ratchasima": 3,
    "Chiang Mai": 3,
    "Lamphun": 2,
    "Khon Kaen": 2,
    "Songkhla": 3,
    "Surat Thani": 2,
    "Prachinburi": 3,
}
JP_PREFECTURES = {
    "Aichi": 14,
    "Tokyo": 14,
    "Osaka": 12,
    "Kanagawa": 8,
    "Shizuoka": 7,
    "Saitama": 6,
    "Hyogo": 6,
    "Fukuoka": 5,
    "Hiroshima": 4,
    "Gunma": 4,
    "Niigata": 3,
    "Nagano": 3,
    "Gifu": 4,
    "Kyoto": 3,
    "Mie": 3,
}
THAI_BASES = [
    "Chonburi",
    "Rayong",
    "Phra Nakhon Si Ayutthaya",
    "Bangkok",
    "Samut Prakan",
    "Pathum Thani",
]

TH_NAME_A = [
    "Siam",
    "Chao Phraya",
    "Lanna",
    "Andaman",
    "Mekong",
    "Rattana",
    "Sukhothai",
    "Krung Thep",
    "Chaiyo",
    "Thanakorn",
    "Boonmee",
    "Somboon",
    "Charoen",
    "Pattana",
    "Suwan",
    "Udom",
]
TH_NAME_B = {
    "22": "Rubber",
    "25": "Precision",
    "24": "Metal",
    "26": "Electronics",
    "27": "Electric",
    "28": "Machinery",
    "29": "Auto Parts",
    "10": "Foods",
    "13": "Textile",
    "20": "Chemical",
    "52": "Logistics",
    "62": "Digital",
    "46": "Trading",
}
JP_NAME_A = [
    "浜松",
    "岡崎",
    "豊橋",
    "川口",
    "堺",
    "東大阪",
    "燕",
    "諏訪",
    "刈谷",
    "北九州",
    "尼崎",
    "大田",
    "四日市",
    "長岡",
    "高崎",
    "福山",
    "鈴鹿",
    "各務原",
]
JP_NAME_A_EN = [
    "Hamamatsu",
    "Okazaki",
    "Toyohashi",
    "Kawaguchi",
    "Sakai",
    "Higashiosaka",
    "Tsubame",
    "Suwa",
    "Kariya",
    "Kitakyushu",
    "Amagasaki",
    "Ota",
    "Yokkaichi",
    "Nagaoka",
    "Takasaki",
    "Fukuyama",
    "Suzuka",
    "Kakamigahara",
]
JP_NAME_B = {
    "22": ("化成", "Kasei"),
    "25": ("精工", "Seiko"),
    "24": ("金属", "Kinzoku"),
    "26": ("電子", "Denshi"),
    "27": ("電機", "Denki"),
    "28": ("機械", "Kikai"),
    "29": ("自動車部品", "Auto Parts"),
    "10": ("食品", "Foods"),
    "13": ("繊維", "Seni"),
    "20": ("化学", "Kagaku"),
    "52": ("物流", "Logistics"),
    "62": ("システム", "Systems"),
    "46": ("商事", "Shoji"),
}

TH_OFFER = {
    "th": ["ผลิต{p}สำหรับ{c}", "เราเป็นผู้ผลิต{p} ส่งให้{c} มากว่า {y} ปี", "รับผลิต{p}ตามแบบของลูกค้า สำหรับ{c}"],
    "en": [
        "We manufacture {p} for {c}.",
        "Maker of {p}, supplying {c} for {y} years.",
        "Made-to-order {p} for {c}.",
    ],
}
TH_SEEK = {
    "buyer": {"th": "หาลูกค้าญี่ปุ่นที่ต้องการซื้อ{p}", "en": "Looking for Japanese buyers of our {p}."},
    "oem": {
        "th": "หาบริษัทญี่ปุ่นที่ต้องการจ้างผลิต{p}แบบ OEM",
        "en": "Looking for Japanese companies to make {p} for under OEM contracts.",
    },
    "technology": {
        "th": "หาพันธมิตรญี่ปุ่นเพื่อรับถ่ายทอดเทคโนโลยีการผลิต{p}",
        "en": "Looking for Japanese technology partners to upgrade our {p} production.",
    },
    "joint_venture": {
        "th": "หาบริษัทญี่ปุ่นร่วมลงทุนขยายโรงงานผลิต{p}",
        "en": "Looking for a Japanese joint-venture partner to expand our {p} plant.",
    },
    "distribution": {
        "th": "หาตัวแทนจำหน่าย{p}ในญี่ปุ่น",
        "en": "Looking for a distributor of our {p} in Japan.",
    },
    "investment": {
        "th": "หานักลงทุนญี่ปุ่นสำหรับธุรกิจ{p}",
        "en": "Looking for Japanese investors in our {p} business.",
    },
}
JP_OFFER = {
    "ja": [
        "{p}を製造しています。",
        "{p}の製造を行い、{c}に納入しています。",
        "{p}を製造・販売しています（創業{y}年）。",
    ],
    "en": [
        "We make {p}.",
        "Manufacturer of {p} for {c}.",
        "We produce and sell {p}, founded {y} years ago.",
    ],
}
JP_SEEK = {
    "supplier": {
        "ja": "タイで{p}を供給できる会社を探しています。",
        "en": "Looking for a Thai supplier of {p}.",
    },
    "oem": {
        "ja": "タイで{p}を受託生産できる会社を探しています。",
        "en": "Looking for a Thai contract manufacturer for {p}.",
    },
    "distribution": {
        "ja": "タイで当社の{p}を販売できる代理店を探しています。",
        "en": "Looking for a distributor of our {p} in Thailand.",
    },
    "technology": {
        "ja": "{p}の技術を供与できるタイの提携先を探しています。",
        "en": "Looking for a Thai partner to license our {p} technology.",
    },
    "joint_venture": {
        "ja": "{p}の分野でタイの合弁パートナーを探しています。",
        "en": "Looking for a Thai joint-venture partner in {p}.",
    },
    "investment": {
        "ja": "{p}の分野で出資先となるタイ企業を探しています。",
        "en": "Looking for Thai companies in {p} to invest in.",
    },
}
