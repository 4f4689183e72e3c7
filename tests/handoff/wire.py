"""The exact LINE push body a staff reply becomes, written out once for the tests that
check it (the console in a browser, the handoff service)."""

from __future__ import annotations

from typing import Any


def staff_push(to: str, text: str) -> dict[str, Any]:
    return {
        "to": to,
        "messages": [
            {
                "type": "text",
                "text": f"💬 Message from our staff:\n{text}",
                "quickReply": {
                    "items": [
                        {
                            "type": "action",
                            "action": {
                                "type": "postback",
                                "label": "Back to the bot",
                                "data": "handoff:back",
                                "displayText": "Back to the bot",
                            },
                        }
                    ]
                },
            }
        ],
        "notificationDisabled": False,
    }
