from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loaders import Chunker, LoaderError, build_document, load_file, split_front_matter
from tests.knowledge.conftest import FIXTURES
from tests.knowledge.pdfgen import write_pdf


def test_markdown_front_matter_gives_the_metadata() -> None:
    document = load_file(FIXTURES / "subsidy.md", key="k1")
    assert (document.key, document.title, document.lang, document.topic) == (
        "k1",
        "Booth subsidy for trade fairs",
        "en",
        "booth-subsidy",
    )
    assert (document.source, document.as_of, document.url) == (
        "Test leaflet",
        "2024-03-01",
        "https://example.org/booth",
    )
    assert document.content.startswith("# Booth subsidy")
    assert "---" not in document.content


def test_plain_text_derives_language_title_and_date() -> None:
    document = load_file(FIXTURES / "notes.txt")
    assert document.lang == "th"
    # The first line is short enough to be the title; the file name is the last resort.
    assert document.title == "ศูนย์บริการธุรกิจเปิดให้คำปรึกษาฟรีทุกวันจันทร์ถึงวันศุกร์ค่ะ"
    assert document.source == "notes.txt"
    assert len(document.as_of) == 10  # the file's modification date
    assert "ศูนย์บริการธุรกิจ" in document.content
    assert document.key == str((FIXTURES / "notes.txt").resolve())


def test_html_text_and_meta_tags() -> None:
    document = load_file(FIXTURES / "page.html")
    assert document.title == "展示会出展支援"
    assert document.lang == "ja"
    assert (document.source, document.as_of, document.topic) == (
        "テスト機関ウェブサイト",
        "2025-01",
        "booth-subsidy",
    )
    assert "ブース料金の半額を補助します" in document.content


def test_pdf_text_and_title(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "guide.pdf",
        ["Export credit insurance guide.", "The premium is 0.5% of the invoice value."],
        title="Export credit guide",
    )
    document = load_file(path, overrides={"source": "Agency PDF", "as_of": "2024"})
    assert document.title == "Export credit guide"
    assert document.lang == "en"
    assert "premium is 0.5% of the invoice value" in document.content
    assert (document.source, document.as_of) == ("Agency PDF", "2024")


def test_overrides_win_over_the_file() -> None:
    document = load_file(FIXTURES / "subsidy.md", overrides={"title": "New title", "lang": None})
    assert document.title == "New title"
    assert document.lang == "en"  # None does not override


def test_unsupported_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(LoaderError, match="unsupported"):
        load_file(path)


def test_broken_pdf_is_a_loader_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 this is not a pdf")
    with pytest.raises(LoaderError):
        load_file(path)


@pytest.mark.parametrize("value", ["last year", "2024/05/01", "24-5"])
def test_bad_as_of_is_refused(value: str) -> None:
    with pytest.raises(LoaderError, match="as_of"):
        build_document(key="k", content="text", meta={"as_of": value}, fallback_title="t")


def test_bad_language_is_refused() -> None:
    with pytest.raises(LoaderError, match="lang"):
        build_document(key="k", content="text", meta={"lang": "fr"}, fallback_title="t")


def test_front_matter_must_be_a_mapping() -> None:
    with pytest.raises(LoaderError):
        split_front_matter("---\n- a\n- b\n---\nbody")


def test_chunker_splits_by_section_and_numbers_positions() -> None:
    document = load_file(FIXTURES / "subsidy.md")
    chunks = Chunker(chunk_size=600, chunk_overlap=50).split(document)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert [c.section for c in chunks] == ["Who can apply", "How much"]
    assert chunks[1].text == "Half of the booth rent, up to 200,000 baht a year."


def test_long_thai_text_is_split_below_the_chunk_size() -> None:
    sentence = "กองทุนนี้ให้กู้ดอกเบี้ยร้อยละหนึ่งต่อปี ไม่ต้องใช้หลักประกัน "
    document = build_document(
        key="k", content=sentence * 40, meta={}, fallback_title="t", markdown=False
    )
    chunks = Chunker(chunk_size=300, chunk_overlap=30).split(document)
    assert len(chunks) > 3
    assert all(len(c.text) <= 300 for c in chunks)


def _write_docx(path: Path, paragraphs: list[str], *, title: str) -> Path:
    import zipfile

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        f"<w:p><w:r><w:t>{p[:10]}</w:t></w:r><w:r><w:t>{p[10:]}</w:t></w:r></w:p>"
        for p in paragraphs
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
        )
        archive.writestr(
            "docProps/core.xml",
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title></cp:coreProperties>',
        )
    return path


def test_docx_paragraphs_and_title(tmp_path: Path) -> None:
    path = _write_docx(
        tmp_path / "visit.docx",
        ["工場見学は毎週木曜日に行います。", "申込みは県の工業事務所へ。"],
        title="工場見学の案内",
    )
    document = load_file(path)
    assert document.title == "工場見学の案内"
    assert document.lang == "ja"
    assert document.content == "工場見学は毎週木曜日に行います。\n\n申込みは県の工業事務所へ。"


def test_broken_docx_is_a_loader_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(LoaderError, match="DOCX"):
        load_file(path)
