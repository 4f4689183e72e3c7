"""'Back to the bot' typed in th/ja/en, while a conversation is with staff.

The intent layer has no such intent (it would be a request nobody makes at the menu), so
the handoff reads these few wordings itself: a short message that contains one of them.
"""

from __future__ import annotations

from language.normalize import fold

_BACK_TO_BOT = (
    # English
    "backtothebot",
    "backtobot",
    "returntothebot",
    "returntobot",
    "talktothebot",
    "talktobot",
    "endstaffchat",
    "endchatwithstaff",
    "stoptalkingtostaff",
    # Thai
    "กลับไปคุยกับบอท",
    "กลับไปคุยกับบอต",
    "กลับไปที่บอท",
    "กลับไปที่บอต",
    "กลับไปบอท",
    "กลับไปบอต",
    "กลับสู่บอท",
    "กลับสู่บอต",
    "คุยกับบอทต่อ",
    "คุยกับบอตต่อ",
    "จบการคุยกับเจ้าหน้าที่",
    # Japanese
    "ボットに戻",  # 戻る, 戻して, 戻ります, 戻りたい
    "ボットと話",
    "自動応答に戻",
    "担当者との会話を終",
)
_MAX_LENGTH = 40  # a longer message is something said to staff, even if it names the bot


def is_back_to_bot(text: str) -> bool:
    folded = fold(text)
    if not folded or len(folded) > _MAX_LENGTH:
        return False
    return any(phrase in folded for phrase in _BACK_TO_BOT)
