"""The two registration forms, as data: Thai SME and Japanese firm.

Prompts and labels are catalogue keys (`core/messages/registration.toml`); the answer keys
are the field names, mapped onto `matching.models.Company` by `bot.registration`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from language import parse as validators
from language import reference
from registration.forms.engine import Form
from registration.forms.fields import (
    ChoiceField,
    ConsentField,
    DivisionField,
    FuncField,
    MultiChoiceField,
    NumberField,
    PlaceField,
    TextField,
)

TH_SME = "th_sme"
JP_FIRM = "jp_firm"


def _other_cert(answers: Mapping[str, Any]) -> bool:
    return "other" in (
        answers.get("certifications") or answers.get("required_certifications") or []
    )


def _has_thai_base(answers: Mapping[str, Any]) -> bool:
    return answers.get("thai_base") == "yes"


def _partners() -> tuple[reference.Choice, ...]:
    return reference.choice_list("partner_types")


def _certs() -> tuple[reference.Choice, ...]:
    return reference.choice_list("certifications")


def _yes_no() -> tuple[reference.Choice, ...]:
    return reference.choice_list("yes_no")


def _consent() -> tuple[reference.Choice, ...]:
    return reference.choice_list("consent")


THAI_SME_FORM = Form(
    name=TH_SME,
    title="reg.form.th_sme",
    fields=(
        TextField(name="name", prompt="reg.q.thai.name", label="reg.label.name_th", max_len=200,
                  aliases=("name", "company", "ชื่อ", "ชื่อบริษัท", "社名", "会社名")),
        TextField(name="name_en", prompt="reg.q.thai.name_en", label="reg.label.name_en", required=False,
                  max_len=200, aliases=("english name", "ชื่อภาษาอังกฤษ", "英語名")),
        FuncField(name="registration_number", prompt="reg.q.thai.registration_number",
                  label="reg.label.th_juristic_id", parser=validators.parse_thai_juristic_id,
                  aliases=("registration", "juristic", "เลขทะเบียน", "เลขนิติบุคคล", "登録番号")),
        DivisionField(name="sector", prompt="reg.q.sector", label="reg.label.sector",
                      aliases=("business", "industry", "ธุรกิจ", "ประเภทธุรกิจ", "業種")),
        TextField(name="offers", prompt="reg.q.thai.offers", label="reg.label.offers", max_len=1000,
                  aliases=("products", "สินค้า", "บริการ", "製品", "事業内容")),
        MultiChoiceField(name="partnership", prompt="reg.q.thai.partnership", label="reg.label.partnership",
                         options=_partners, aliases=("partner", "พันธมิตร", "パートナー")),
        TextField(name="seeks", prompt="reg.q.thai.seeks", label="reg.label.seeks", required=False,
                  max_len=1000, aliases=("needs", "ความต้องการ", "ニーズ")),
        MultiChoiceField(name="certifications", prompt="reg.q.thai.certifications",
                         label="reg.label.certifications", required=False, options=_certs,
                         aliases=("certificates", "iso", "มาตรฐาน", "ใบรับรอง", "認証")),
        TextField(name="certifications_other", prompt="reg.q.certifications_other",
                  label="reg.label.certifications_other", required=False, when=_other_cert, max_len=300),
        NumberField(name="employees", prompt="reg.q.employees", label="reg.label.employees",
                    maximum=1_000_000, unit="reg.unit.people",
                    aliases=("staff", "พนักงาน", "จำนวนพนักงาน", "従業員", "従業員数")),
        NumberField(name="revenue", prompt="reg.q.thai.revenue", label="reg.label.revenue",
                    maximum=10**13, unit="reg.unit.baht",
                    aliases=("sales", "turnover", "รายได้", "ยอดขาย", "売上", "売上高")),
        PlaceField(name="province", prompt="reg.q.thai.province", label="reg.label.province",
                   options=reference.thai_provinces, aliases=("location", "จังหวัด", "ที่ตั้ง", "県", "所在地")),
        TextField(name="export_markets", prompt="reg.q.thai.export_markets", label="reg.label.export_markets",
                  required=False, max_len=300, aliases=("export", "ส่งออก", "ตลาดส่งออก", "輸出")),
        TextField(name="contact_person", prompt="reg.q.contact_person", label="reg.label.contact_person",
                  max_len=200, aliases=("contact", "ผู้ติดต่อ", "ชื่อผู้ติดต่อ", "担当者")),
        FuncField(name="phone", prompt="reg.q.thai.phone", label="reg.label.phone",
                  parser=partial(validators.parse_phone, region="TH"),
                  aliases=("tel", "telephone", "mobile", "เบอร์", "เบอร์โทร", "โทรศัพท์", "電話", "電話番号")),
        FuncField(name="email", prompt="reg.q.email", label="reg.label.email", parser=validators.parse_email,
                  aliases=("e-mail", "mail", "อีเมล", "メール", "メールアドレス")),
        ConsentField(name="consent", prompt="reg.q.thai.consent", label="reg.label.consent", options=_consent,
                     aliases=("pdpa", "ความยินยอม", "同意")),
    ),
)  # fmt: skip

JAPAN_FIRM_FORM = Form(
    name=JP_FIRM,
    title="reg.form.jp_firm",
    fields=(
        TextField(name="name", prompt="reg.q.japan.name", label="reg.label.name", max_len=200,
                  aliases=("name", "company", "ชื่อบริษัท", "社名", "会社名")),
        # Thai readers see this name when they cannot read the Japanese one (issue 11).
        TextField(name="name_en", prompt="reg.q.japan.name_en", label="reg.label.name_en", required=False,
                  max_len=200, aliases=("english name", "ชื่อภาษาอังกฤษ", "英語名", "英文社名")),
        FuncField(name="corporate_number", prompt="reg.q.japan.corporate_number",
                  label="reg.label.jp_corporate_number", parser=validators.parse_jp_corporate_number,
                  aliases=("corporate number", "houjin bangou", "เลขนิติบุคคล", "法人番号")),
        PlaceField(name="prefecture", prompt="reg.q.japan.prefecture", label="reg.label.prefecture",
                   options=reference.jp_prefectures, aliases=("location", "จังหวัด", "都道府県", "所在地")),
        DivisionField(name="sector", prompt="reg.q.japan.sector", label="reg.label.sector", accept_jsic=True,
                      aliases=("business", "industry", "ธุรกิจ", "業種")),
        TextField(name="offers", prompt="reg.q.japan.offers", label="reg.label.offers", max_len=1000,
                  aliases=("products", "สินค้า", "製品", "事業内容")),
        MultiChoiceField(name="partnership", prompt="reg.q.japan.partnership", label="reg.label.partnership_jp",
                         options=_partners, aliases=("partner", "พันธมิตร", "パートナー")),
        TextField(name="seeks", prompt="reg.q.japan.seeks", label="reg.label.seeks", required=False,
                  max_len=1000, aliases=("needs", "ความต้องการ", "ニーズ")),
        MultiChoiceField(name="required_certifications", prompt="reg.q.japan.required_certifications",
                         label="reg.label.required_certifications", required=False, options=_certs,
                         aliases=("certificates", "iso", "มาตรฐาน", "認証")),
        TextField(name="certifications_other", prompt="reg.q.certifications_other",
                  label="reg.label.certifications_other", required=False, when=_other_cert, max_len=300),
        NumberField(name="employees", prompt="reg.q.employees", label="reg.label.employees",
                    maximum=1_000_000, unit="reg.unit.people",
                    aliases=("staff", "พนักงาน", "従業員", "従業員数")),
        ChoiceField(name="thai_base", prompt="reg.q.japan.thai_base", label="reg.label.thai_base",
                    options=_yes_no, invalid_key="form.error.yes_no",
                    aliases=("base", "ฐาน", "拠点", "タイ拠点")),
        PlaceField(name="thai_base_location", prompt="reg.q.japan.thai_base_location",
                   label="reg.label.thai_base_location", when=_has_thai_base, options=reference.thai_provinces,
                   aliases=("base location", "拠点の場所", "拠点所在地")),
        TextField(name="contact_person", prompt="reg.q.contact_person", label="reg.label.contact_person",
                  max_len=200, aliases=("contact", "ผู้ติดต่อ", "担当者")),
        FuncField(name="email", prompt="reg.q.email", label="reg.label.email", parser=validators.parse_email,
                  aliases=("e-mail", "mail", "อีเมล", "メール", "メールアドレス")),
        FuncField(name="phone", prompt="reg.q.japan.phone", label="reg.label.phone",
                  parser=partial(validators.parse_phone, region="JP"),
                  aliases=("tel", "telephone", "mobile", "เบอร์", "เบอร์โทร", "電話", "電話番号")),
        ConsentField(name="consent", prompt="reg.q.japan.consent", label="reg.label.consent", options=_consent,
                     aliases=("appi", "ความยินยอม", "同意")),
    ),
)  # fmt: skip

FORMS: dict[str, Form] = {TH_SME: THAI_SME_FORM, JP_FIRM: JAPAN_FIRM_FORM}
