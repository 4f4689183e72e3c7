"""Reads every reply the way a native reader would (issue 11).

A Thai SME owner (LINE, Thai) and a Japanese manager (Telegram, Japanese) each walk
registration (with the OSMEP size and programme hints and their sources), a question
answered from the knowledge base with its sources, partner cards with their reasons, and
an introduction request and its acceptance, through the simulator's `/api/chat`. The
test fails when

- a Thai reply has a Latin word outside the allowed names and codes, or a Western year
  (ค.ศ.);
- a Japanese reply has Thai script, or a half-width space between Japanese and a Latin
  word or number ("13 桁", "2019 年", "Pathum Thani で");

outside what the other company wrote itself (its names, contact details, and free text
shown with the label of its language).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from knowledge.loaders import load_file
from knowledge.wiring import STARTER_DIR
from server import create_app
from tests.helpers import make_settings
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS

# Names and codes a Thai reader reads in Latin letters in Thai text.
ALLOWED_LATIN = {
    *("ISO", "IATF", "SME", "SMEs", "DIP", "BOI", "JETRO", "OSMEP", "SMRJ", "J-GoodTech"),
    *("PDPA", "APPI", "OEM", "HACCP", "GMP", "JIS", "ISIC", "JSIC", "LINE", "Telegram"),
    *("Kakehashi", "FDA", "SME D Bank", "D", "Bank", "Support"),
}
THAI_NOTE = "สนใจร่วมงานด้านแม่พิมพ์ครับ"
LABELS = {
    "th": re.compile(r"\((?:ข้อความเดิม|แปลอัตโนมัติจาก)ภาษา\w+\)"),
    "ja": re.compile(r"（(?:タイ語|日本語|英語)(?:の原文|からの機械翻訳)）"),
}
JA = r"[\u3040-\u30ff\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]"


def chat(client: TestClient, channel: str, user: str, **payload: str) -> list[dict[str, Any]]:
    response = client.post("/api/chat", json={"channel": channel, "user_id": user, **payload})
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()["replies"]
    return replies


def held(client: TestClient, channel: str, user: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        got = client.get("/api/chat/held", params={"channel": channel, "user_id": user})
        replies: list[dict[str, Any]] = got.json()["replies"]
        if replies:
            return replies
        time.sleep(0.1)
    return []


def shown(replies: list[dict[str, Any]]) -> list[str]:
    """Every piece of text a reader sees: texts, card titles, subtitles, bodies, footers,
    button labels."""
    out = []
    for r in replies:
        out.append(r["text"])
        out += [b["label"] for b in r["buttons"]]
        for c in r["cards"]:
            out += [c["title"], c.get("subtitle") or "", c.get("body") or "", c.get("footer") or ""]
            out += [b["label"] for b in c["buttons"]]
    return [s for s in out if s]


def walk(client: TestClient, channel: str, user: str, steps: list[tuple[str, str]]) -> list[str]:
    seen: list[str] = []
    for kind, value in steps:
        payload = {"text": value} if kind == "text" else {"postback": value}
        seen += shown(chat(client, channel, user, **payload))
    return seen


def ask_ids(replies: list[dict[str, Any]]) -> list[int]:
    return [
        int(b["data"].rsplit(":", 1)[1])
        for r in replies
        for c in r["cards"]
        for b in c["buttons"]
        if b["data"].startswith("match:ask:")
    ]


def proposals(client: TestClient, channel: str, user: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 240  # the matcher embeds its glossary on a thread at start-up
    while time.monotonic() < deadline:
        replies = chat(client, channel, user, postback="match:find")
        if ask_ids(replies):
            return replies
        time.sleep(0.5)
    raise AssertionError("no proposal appeared")


def without_the_other_companys_words(
    text: str, lang: str, names: list[str], free_text: list[str]
) -> str:
    """The text minus what the other company wrote itself: its names and contact details
    anywhere, its free text only where a label of its language says it is quoted."""
    text = re.sub(r"\S+@\S+|\+?\d[\d\s-]{7,}\d", " ", text)
    labelled = bool(LABELS[lang].search(text))
    for words in sorted(names + (free_text if labelled else []), key=len, reverse=True):
        text = text.replace(words, " ")
    return LABELS[lang].sub(" ", text)


def thai_offences(text: str) -> list[str]:
    found = []
    if "ค.ศ." in text:
        found.append("ค.ศ.")
    for phrase in sorted(ALLOWED_LATIN, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(phrase)}(?![A-Za-z])", " ", text)
    found += re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    return found


def japanese_offences(text: str) -> list[str]:
    found = re.findall(r"[\u0e00-\u0e7f]+", text)
    found += re.findall(rf"{JA} +[A-Za-z0-9]\S*|\S*[A-Za-z0-9] +{JA}", text)
    found += re.findall(rf"\S*{JA}[:,] ", text)  # 会社名: … is written 会社名：…
    return found


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(
        tmp_path_factory.mktemp("native"),
        line_channel_secret=None,
        line_channel_access_token=None,
        telegram_bot_token=None,
        telegram_webhook_secret=None,
    )
    with TestClient(create_app(settings)) as client:
        service = client.app.state.knowledge  # type: ignore[attr-defined]
        topics = ("osmep-sme-definition", "pracharat-fund")
        paths = [p for p in sorted(STARTER_DIR.glob("*.md")) if p.name.startswith(topics)]
        service.ingest_many(load_file(p, key=f"starter/{p.name}") for p in paths)
        yield client


@pytest.fixture(scope="module")
def conversation(client: TestClient) -> dict[str, list[str]]:
    """Both walks, in the order people would take them; what each reader saw."""
    th_steps = [("postback", "reg:start"), ("postback", "reg:form:th_sme")]
    ja_steps = [("postback", "reg:start"), ("postback", "reg:form:jp_firm")]
    seen_ja = walk(client, "telegram", "jp-buyer", ja_steps + JAPAN_FIRM_SCRIPTS["ja"])
    seen_th = walk(client, "line", "th-maker", th_steps + THAI_SME_SCRIPTS["th"])
    seen_th += walk(client, "line", "th-maker", [("text", "นิยาม SME ของ สสว. ใช้เกณฑ์อะไร")])
    seen_ja += walk(client, "telegram", "jp-buyer", [("text", "プラチャラット基金の金利は？")])

    cards_th = proposals(client, "line", "th-maker")
    seen_th += shown(cards_th)
    target = ask_ids(cards_th)[0]
    seen_th += walk(
        client, "line", "th-maker", [("postback", f"match:ask:{target}"), ("text", THAI_NOTE)]
    )
    request = held(client, "telegram", "jp-buyer")
    assert request, "the Japanese firm was not told about the request"
    seen_ja += shown(request)
    seen_ja += shown(proposals(client, "telegram", "jp-buyer"))
    accept = next(
        b["data"] for r in request for b in r["buttons"] if b["data"].startswith("match:yes:")
    )
    seen_ja += walk(client, "telegram", "jp-buyer", [("postback", accept)])
    told = held(client, "line", "th-maker")
    assert told, "the Thai SME was not told of the acceptance"
    seen_th += shown(told)
    return {"th": seen_th, "ja": seen_ja}


def _names(script: list[tuple[str, str]]) -> list[str]:
    """A company's names (original and English) and contact person, as registered."""
    typed = [value for kind, value in script if kind == "text"]
    return [*typed[:2], typed[-5]]  # ..., contact person, e-mail, phone, consent, confirm


def _free_text(script: list[tuple[str, str]]) -> list[str]:
    typed = [value for kind, value in script if kind == "text"]
    return [v for v in typed if len(v) >= 8] + [THAI_NOTE]


def test_the_walk_covers_every_kind_of_reply(conversation: dict[str, list[str]]) -> None:
    th, ja = "\n".join(conversation["th"]), "\n".join(conversation["ja"])
    assert "สสว." in th and "ถือรายได้เป็นเกณฑ์" in th  # size, revenue decides
    assert "ที่มา" in th and "พ.ศ." in th  # programme hints with sources, Buddhist era
    assert "ไอจิ" in th or "ระยอง" in th  # the Japanese firm's place, in Thai
    assert "Test Kanagata Co., Ltd." in th  # its English name: kanji is not shown
    assert THAI_NOTE in "\n".join(conversation["ja"])
    assert "（タイ語の原文）" in ja  # the Thai note and offer, labelled
    assert "チョンブリー" in ja  # the Thai SME's province, in Japanese
    assert "Siam Plastic Parts Co., Ltd." in ja  # its English name: Thai script is not shown
    assert "somchai@siamplastic.co.th" in ja and "tanaka@test-kanagata.co.jp" in th


def test_a_thai_reader_reads_thai(conversation: dict[str, list[str]]) -> None:
    names = _names(JAPAN_FIRM_SCRIPTS["ja"]) + _names(THAI_SME_SCRIPTS["th"])  # own names too
    free = _free_text(JAPAN_FIRM_SCRIPTS["ja"])
    offences = {
        text: found
        for text in conversation["th"]
        if (found := thai_offences(without_the_other_companys_words(text, "th", names, free)))
    }
    assert not offences, offences


def test_a_japanese_reader_reads_japanese(conversation: dict[str, list[str]]) -> None:
    names = _names(THAI_SME_SCRIPTS["th"]) + _names(JAPAN_FIRM_SCRIPTS["ja"])
    free = _free_text(THAI_SME_SCRIPTS["th"])
    offences = {
        text: found
        for text in conversation["ja"]
        if (found := japanese_offences(without_the_other_companys_words(text, "ja", names, free)))
    }
    assert not offences, offences


def test_the_checks_can_fail() -> None:
    assert thai_offences("ตั้งอยู่ที่Samut Prakan ครับ") == ["Samut", "Prakan"]
    assert thai_offences("ข้อมูล ณ ปี ค.ศ. 2017 ตามมาตรฐาน ISO 9001") == ["ค.ศ."]
    assert japanese_offences("法人登録番号は 13桁です。") == ["は 13桁です。"]
    assert japanese_offences("法人登録番号は13 桁です。") == ["法人登録番号は13 桁"]
    assert japanese_offences("所在地はปทุมธานีです。") == ["ปทุมธานี"]
    assert japanese_offences("1. 会社名: 株式会社テスト") == ["会社名: "]
    quoted = "提供内容：ชิ้นส่วนพลาสติก（タイ語の原文）"
    assert japanese_offences(without_the_other_companys_words(quoted, "ja", [], [])) == [
        "ชิ้นส่วนพลาสติก"
    ]
    assert not japanese_offences(
        without_the_other_companys_words(quoted, "ja", [], ["ชิ้นส่วนพลาสติก"])
    )
    unlabelled = "提供内容：ชิ้นส่วนพลาสติก"  # their words, but not said to be theirs
    assert japanese_offences(
        without_the_other_companys_words(unlabelled, "ja", [], ["ชิ้นส่วนพลาสติก"])
    )
