"""Files -> `LoadedDocument` (text plus metadata) -> chunks.

Markdown and plain text may start with a YAML front matter block (`title`, `lang`,
`topic`, `source`, `as_of`, `url`). HTML is read with LangChain's BSHTMLLoader (metadata
from `<title>`, `<html lang>` and `<meta name="source|as_of|topic|url">`), PDF with
LangChain's PyPDFLoader (pypdf), DOCX with the standard library (paragraph text and the
core-properties title). Anything not given is derived: the title from the first
heading or the file name, the language from the script of the text, the "as of" date from
the file's modification time.
"""

from __future__ import annotations

import hashlib
import logging
import re
import warnings
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from language import detect as langdetect

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".docx")
LANG_CODES = ("th", "ja", "en")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_AS_OF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
SECTION_SEP = " › "
_MAX_TITLE = 120  # a first line longer than this is a paragraph, not a title


class LoaderError(ValueError):
    """The file cannot be read as a knowledge document."""


@dataclass(frozen=True)
class LoadedDocument:
    key: str
    title: str
    lang: str
    content: str
    topic: str = ""
    source: str = ""
    url: str = ""
    as_of: str = ""
    origin: str = ""
    markdown: bool = True

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for part in (
            self.title,
            self.lang,
            self.topic,
            self.source,
            self.url,
            self.as_of,
            self.content,
        ):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x00")
        return digest.hexdigest()


@dataclass(frozen=True)
class ChunkText:
    position: int
    text: str  # shown to the user
    section: str  # heading path, used with the title for matching


def normalise_as_of(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if isinstance(value, int) or _AS_OF.match(text):
        return text
    raise LoaderError(f"as_of must be YYYY, YYYY-MM or YYYY-MM-DD, got {text!r}")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoaderError(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise LoaderError("front matter must be a mapping of names to values")
    return meta, text[match.end() :]


def build_document(
    *,
    key: str,
    content: str,
    meta: dict[str, Any],
    fallback_title: str,
    origin: str = "",
    markdown: bool = True,
    default_as_of: str = "",
) -> LoadedDocument:
    content = content.strip()
    if not content:
        raise LoaderError(f"{fallback_title}: the document has no text")
    title = str(meta.get("title") or _title_from_text(content, markdown) or fallback_title).strip()
    lang = str(meta.get("lang") or langdetect.detect(content) or "en").strip().lower()
    if lang not in LANG_CODES:
        raise LoaderError(f"lang must be one of {', '.join(LANG_CODES)}, got {lang!r}")
    return LoadedDocument(
        key=key,
        title=title,
        lang=lang,
        content=content,
        topic=str(meta.get("topic") or "").strip(),
        source=str(meta.get("source") or "").strip(),
        url=str(meta.get("url") or "").strip(),
        as_of=normalise_as_of(meta.get("as_of")) or default_as_of,
        origin=origin,
        markdown=markdown,
    )


def _title_from_text(content: str, markdown: bool) -> str:
    """The first Markdown heading; for other text, its first line when it is short enough
    to be a heading."""
    if markdown:
        heading = _HEADING.search(content)
        if heading:
            return heading.group(1)
    first = next((line.strip(" #\t") for line in content.splitlines() if line.strip()), "")
    return first if 0 < len(first) <= _MAX_TITLE else ""


def load_file(
    path: Path,
    *,
    key: str | None = None,
    overrides: dict[str, Any] | None = None,
    file_name: str | None = None,
) -> LoadedDocument:
    """Read one file; `overrides` (e.g. from an upload form) win over what the file says.
    `file_name` is the name the file had for its owner (an upload is stored under a
    temporary name); the title falls back to it only when the document names none."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoaderError(
            f"{path.name}: unsupported file type (use {', '.join(SUPPORTED_SUFFIXES)})"
        )
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()
    if suffix in {".md", ".markdown", ".txt"}:
        markdown = suffix != ".txt"
        meta, content = split_front_matter(_load_text(path))
    elif suffix in {".html", ".htm"}:
        content, meta = _load_html(path)
        markdown = False
    elif suffix == ".docx":
        content, meta = _load_docx(path)
        markdown = False
    else:
        content, meta = _load_pdf(path)
        markdown = False
    meta = {**meta, **{k: v for k, v in (overrides or {}).items() if v not in (None, "")}}
    if not meta.get("source"):
        meta["source"] = file_name or path.name
    return build_document(
        key=key or str(path.resolve()),
        content=content,
        meta=meta,
        fallback_title=Path(file_name or path.name).stem.replace("_", " ").replace("-", " "),
        origin=str(path.resolve()),
        markdown=markdown,
        default_as_of=mtime,
    )


def _community_loaders() -> Any:
    # langchain-community warns on import that it is being sunset; its loaders still work
    # and nothing else here depends on it, so the warning is silenced for this import only.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", category=DeprecationWarning, message=".*langchain-community.*"
        )
        from langchain_community import document_loaders
    return document_loaders


def _load_text(path: Path) -> str:
    TextLoader = _community_loaders().TextLoader

    try:
        docs = TextLoader(str(path), encoding="utf-8").load()
    except RuntimeError as exc:  # TextLoader wraps decoding errors
        raise LoaderError(f"{path.name}: not UTF-8 text") from exc
    return "\n".join(doc.page_content for doc in docs)


def _load_html(path: Path) -> tuple[str, dict[str, Any]]:
    from bs4 import BeautifulSoup

    BSHTMLLoader = _community_loaders().BSHTMLLoader

    docs = BSHTMLLoader(
        str(path), open_encoding="utf-8", bs_kwargs={"features": "html.parser"}
    ).load()
    text = "\n".join(doc.page_content for doc in docs)
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    meta: dict[str, Any] = {}
    if docs and docs[0].metadata.get("title"):
        meta["title"] = docs[0].metadata["title"]
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    html = soup.find("html")
    if html is not None and html.get("lang"):
        meta["lang"] = str(html.get("lang")).split("-")[0]
    for tag in soup.find_all("meta"):
        name, value = tag.get("name"), tag.get("content")
        if name in {"source", "as_of", "topic", "url"} and value:
            meta[str(name)] = str(value)
    return text, meta


def _load_pdf(path: Path) -> tuple[str, dict[str, Any]]:
    PyPDFLoader = _community_loaders().PyPDFLoader

    try:
        pages = PyPDFLoader(str(path)).load()
    except Exception as exc:  # pypdf raises many types for a broken file
        raise LoaderError(f"{path.name}: cannot read PDF ({exc})") from exc
    text = "\n\n".join(page.page_content for page in pages)
    meta: dict[str, Any] = {}
    if pages:
        title = pages[0].metadata.get("title")
        if title:
            meta["title"] = title
    return text, meta


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC = "{http://purl.org/dc/elements/1.1/}"


def _load_docx(path: Path) -> tuple[str, dict[str, Any]]:
    """Paragraph text of a Word document (no DOCX library: the text is in one XML part)."""
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as archive:
            body = ElementTree.fromstring(archive.read("word/document.xml"))
            names = set(archive.namelist())
            core = (
                ElementTree.fromstring(archive.read("docProps/core.xml"))
                if "docProps/core.xml" in names
                else None
            )
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise LoaderError(f"{path.name}: cannot read DOCX ({exc})") from exc
    paragraphs = []
    for paragraph in body.iter(f"{_W}p"):
        text = "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))
        if text.strip():
            paragraphs.append(text.strip())
    meta: dict[str, Any] = {}
    title = core.find(f"{_DC}title") if core is not None else None
    if title is not None and title.text:
        meta["title"] = title.text
    return "\n\n".join(paragraphs), meta


class Chunker:
    """Markdown sections first, then LangChain's recursive splitter on sentence marks."""

    def __init__(self, *, chunk_size: int = 600, chunk_overlap: int = 80) -> None:
        self._headers = MarkdownHeaderTextSplitter(
            headers_to_split_on=[("#", "h1"), ("##", "h2"), ("###", "h3")], strip_headers=True
        )
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=["\n\n", "\n", "。", ". ", " ", ""],
            keep_separator="end",
        )

    def split(self, document: LoadedDocument) -> list[ChunkText]:
        sections: list[tuple[str, str]]
        if document.markdown:
            sections = []
            for part in self._headers.split_text(document.content):
                # The heading path under the document's own heading (an h1 that is the
                # title, or one with sub-headings under it): "Loan terms › Interest".
                meta = part.metadata
                path = [meta[h] for h in ("h2", "h3") if meta.get(h)]
                if meta.get("h1") and not path and meta["h1"] != document.title:
                    path = [meta["h1"]]
                sections.append((SECTION_SEP.join(path), part.page_content))
        else:
            sections = [("", document.content)]
        chunks: list[ChunkText] = []
        for section, body in sections:
            for piece in self._splitter.split_text(tables_as_rows(body)):
                piece = piece.strip()
                if piece:
                    chunks.append(ChunkText(position=len(chunks), text=piece, section=section))
        return chunks


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def tables_as_rows(text: str) -> str:
    """Markdown tables become one line per row, each cell with its column header
    ("size: micro · employees: up to 5"), so a row is understood on its own and is never
    cut from its header."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        rule = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if line.startswith("|") and _TABLE_RULE.match(rule):
            header = _cells(line)
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = _cells(lines[i])
                out.append(" · ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=False)))
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def with_overrides(document: LoadedDocument, **changes: Any) -> LoadedDocument:
    return replace(document, **{k: v for k, v in changes.items() if v is not None})


def iter_files(paths: list[Path]) -> list[Path]:
    """The supported files among `paths`, walking directories."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise LoaderError(f"{path}: no such file or directory")
    return files
