"""Words and patterns registration reads in typed answers, in th/ja/en."""

from __future__ import annotations

import re

from registration.forms.definitions import JP_FIRM, TH_SME

CANCEL_WORDS = {
    "cancel",
    "stop",
    "quit",
    "ยกเลิก",
    "เลิก",
    "キャンセル",
    "中止",
    "やめる",
    "取り消し",
}
LANG_CHANGE_WORDS = {
    "change language", "switch language", "เปลี่ยนภาษา", "言語を変更", "言語変更", "言語を変える",
}  # fmt: skip
CONFIRM_WORDS = {
    "confirm",
    "yes",
    "ok",
    "okay",
    "correct",
    "ยืนยัน",
    "ใช่",
    "ตกลง",
    "ถูกต้อง",
    "確定",
    "はい",
    "登録",
    "登録する",
}
NO_WORDS = {"no", "not now", "ไม่", "ไม่ใช่", "ไม่ลบ", "いいえ", "やめる", "削除しない"}
RESUME_WORDS = {"resume", "continue", "ต่อ", "ทำต่อ", "ดำเนินการต่อ", "続ける", "再開", "続きから"}
RESTART_WORDS = {"start over", "restart", "new", "เริ่มใหม่", "最初から", "やり直す", "やり直し"}
PROFILE_WORDS = {
    "my profile",
    "profile",
    "ข้อมูลบริษัทของฉัน",
    "ข้อมูลของฉัน",
    "โปรไฟล์",
    "登録情報",
    "プロフィール",
}
REGISTER_WORDS = {
    "register",
    "sign up",
    "ลงทะเบียน",
    "ลงทะเบียนบริษัท",
    "登録したい",
    "会社を登録",
    "新規登録",
}
DELETE_PHRASES = (
    "delete my data", "delete my account", "delete my profile", "erase my data", "remove my data",
    "delete all my data", "ลบข้อมูล", "ลบบัญชี", "ลบโปรไฟล์", "データを削除", "データ削除",
    "個人情報を削除", "登録を削除", "登録削除", "データを消", "退会",
)  # fmt: skip
FORM_WORDS = {
    TH_SME: ("thai", "thai sme", "thailand", "sme", "ไทย", "sme ไทย", "เอสเอ็มอีไทย", "บริษัทไทย", "タイ", "タイ企業", "タイの中小企業"),
    JP_FIRM: ("japan", "japanese", "japanese company", "ญี่ปุ่น", "บริษัทญี่ปุ่น", "日本", "日本企業", "日本の会社"),
}  # fmt: skip
EDIT_EN = re.compile(
    r"^(?:edit|change|update|correct|fix|modify)\s+(?:my\s+|the\s+)?(.+)$", re.IGNORECASE
)
EDIT_TH = re.compile(r"^(?:ขอ)?(?:แก้ไข|แก้|เปลี่ยน|ปรับ)\s*(.+)$")
EDIT_JA_TAIL = re.compile(
    r"^(.+?)\s*(?:を)?(?:変更|修正|編集|直)(?:したい|します|してください|する|して)?$"
)
EDIT_JA_HEAD = re.compile(r"^(?:変更|修正|編集)\s*[:：]?\s*(.+)$")
_QUESTION_END = re.compile(
    r"([?？]|ไหม|มั้ย|หรือเปล่า|หรือไม่|อย่างไร|ยังไง|เท่าไร|เท่าไหร่|อะไร|ที่ไหน|เมื่อไร|เมื่อไหร่"
    r"|ですか|ますか|でしょうか|のか)\s*(คะ|ครับ|ค่ะ|นะ|かな)?\s*[?？]?$"
)
_QUESTION_START = re.compile(
    r"^(what|how|why|when|where|which|who|can|could|is|are|do|does)\b", re.IGNORECASE
)


def looks_like_question(text: str) -> bool:
    """A question to the assistant rather than an answer ("What is the SME fund?")."""
    stripped = text.strip()
    if stripped.endswith(("?", "？")) and len(stripped.rstrip("?？ ")) >= 2:
        return True  # "金利は？", "fee?"
    if len(stripped) < 6:
        return False
    return bool(_QUESTION_END.search(stripped)) or (
        bool(_QUESTION_START.match(stripped)) and len(stripped.split()) >= 4
    )


JOIN_REQUEST = re.compile(
    r"^(?:/?join|link|เข้าร่วม|เชื่อมบัญชี|参加|連携)\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9\- ]{6,14})$",
    re.IGNORECASE,
)
