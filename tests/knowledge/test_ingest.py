from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlmodel import Session, select

from knowledge.models import KnowledgeChunk, KnowledgeDocument
from knowledge.service import KnowledgeService
from tests.knowledge.conftest import FIXTURES, SMALL_DOCS
from tests.knowledge.pdfgen import write_pdf


def _chunks_in_store(service: KnowledgeService) -> list[KnowledgeChunk]:
    with Session(service._engine) as session:
        return list(session.exec(select(KnowledgeChunk)))


def _vector_ids(service: KnowledgeService) -> set[str]:
    return set(service.index._collection.get(include=[])["ids"])


def test_store_vectors_and_keyword_index_agree(make_small_service) -> None:
    service = make_small_service()
    stored = {c.id for c in _chunks_in_store(service)}
    assert len(stored) == 3  # two sections + one paragraph
    assert _vector_ids(service) == stored
    assert {r.id for r in service.index.records()} == stored
    record = next(r for r in service.index.records() if r.document_id == 1 and r.position == 0)
    assert (record.title, record.lang, record.source, record.as_of, record.version) == (
        "Export credit insurance for SMEs",
        "en",
        "Test agency leaflet",
        "2024-05",
        1,
    )


def test_unchanged_document_is_a_no_op(make_small_service) -> None:
    service = make_small_service()
    before = _vector_ids(service)
    result = service.ingest(SMALL_DOCS[0])
    assert result.status == "unchanged"
    assert result.version == 1
    assert _vector_ids(service) == before
    assert service.get_document(result.document_id).version == 1


def test_changed_document_replaces_its_chunks(make_small_service) -> None:
    service = make_small_service()
    old_ids = {r.id for r in service.index.records() if r.document_id == 1}
    changed = dataclasses.replace(
        SMALL_DOCS[0], content="The export credit premium is now 0.3% of the invoice."
    )
    result = service.ingest(changed)
    assert (result.status, result.version, result.chunks) == ("updated", 2, 1)
    new_ids = {r.id for r in service.index.records() if r.document_id == 1}
    assert new_ids == {"1-2-0"}
    assert not old_ids & _vector_ids(service)
    assert {c.id for c in _chunks_in_store(service) if c.document_id == 1} == new_ids
    assert service.search("export credit premium", 1)[0].text == changed.content


def test_metadata_change_alone_makes_a_new_version(make_small_service) -> None:
    service = make_small_service()
    result = service.ingest(dataclasses.replace(SMALL_DOCS[1], as_of="2025"))
    assert (result.status, result.version) == ("updated", 2)
    assert all(
        r.as_of == "2025" for r in service.index.records() if r.document_id == result.document_id
    )


def test_deleted_document_leaves_no_chunk(make_small_service) -> None:
    service = make_small_service()
    assert service.delete_document(1) is True
    assert all(c.document_id != 1 for c in _chunks_in_store(service))
    assert all(not i.startswith("1-") for i in _vector_ids(service))
    assert all(r.document_id != 1 for r in service.index.records())
    assert all(p.document_id != 1 for p in service.search("export credit insurance", 5))
    assert service.delete_document(1) is False


def test_directory_ingest_is_idempotent_and_prunes_removed_files(
    make_small_service, tmp_path: Path
) -> None:
    service = make_small_service([])
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("subsidy.md", "notes.txt", "page.html"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    write_pdf(folder / "guide.pdf", ["Export credit insurance guide."], title="Guide")
    first = service.ingest_paths([folder])
    assert sorted(r.status for r in first) == ["added"] * 4
    second = service.ingest_paths([folder])
    assert [r.status for r in second] == ["unchanged"] * 4
    (folder / "notes.txt").unlink()
    third = service.ingest_paths([folder], prune=True)
    assert sorted(r.status for r in third) == ["deleted", "unchanged", "unchanged", "unchanged"]
    with Session(service._engine) as session:
        origins = {d.origin for d in session.exec(select(KnowledgeDocument))}
    assert str((folder / "notes.txt").resolve()) not in origins
    assert len(origins) == 3
    assert {r.document_id for r in service.index.records()} == {
        r.document_id for r in first if r.key != str((folder / "notes.txt").resolve())
    }


def test_restart_reuses_stored_vectors(make_small_service) -> None:
    service = make_small_service()
    fresh = KnowledgeService(
        engine=service._engine, index=_new_index_like(service), settings=service.settings
    )
    assert fresh.load_index() == 0  # nothing had to be embedded again
    assert fresh.index.size == service.index.size
    assert fresh.search("trade fair booth rent", 1)[0].title == "Trade fair subsidy"


def test_restart_re_embeds_what_the_vector_store_lost(make_small_service) -> None:
    service = make_small_service()
    service.index._collection.delete(ids=["2-1-0"])
    fresh = KnowledgeService(
        engine=service._engine, index=_new_index_like(service), settings=service.settings
    )
    assert fresh.load_index() == 1
    assert "2-1-0" in _vector_ids(fresh)


def _new_index_like(service: KnowledgeService):
    from knowledge.index import HybridIndex
    from language.tokenize import get_tokenizer

    return HybridIndex(
        embedder=service.index.embedder,
        tokenizer=get_tokenizer(),
        collection=service.index._collection,
    )


def test_health_passes_then_fails_when_the_vector_store_is_gone(make_small_service) -> None:
    import pytest

    service = make_small_service()
    service.health()

    class Gone:
        def count(self) -> int:
            raise ConnectionError("chroma server down")

    service.index._collection = Gone()
    with pytest.raises(ConnectionError):
        service.health()


def test_a_change_made_by_another_process_is_picked_up(make_small_service) -> None:
    from core.settings import Settings
    from tests.knowledge.conftest import doc

    service = make_small_service()
    # A second service on the same store and vector collection: another app process.
    other = KnowledgeService(
        engine=service._engine,
        index=_new_index_like(service),
        settings=Settings(kb_refresh_interval_s=0),
    )
    other.load_index()
    assert other.refresh_if_stale() is False
    service.ingest(doc("visits", "Factory visits", "Factory visits for buyers run every Friday."))
    assert other.search("factory visits for buyers", 1)[0].title == "Factory visits"
    service.delete_document(1)
    assert other.refresh_if_stale() is True
    assert all(r.document_id != 1 for r in other.index.records())


def test_reindex_rebuilds_every_document_as_a_new_version(make_small_service) -> None:
    service = make_small_service()
    before = {r.id for r in service.index.records()}
    assert service.reindex() == 2
    after = {r.id for r in service.index.records()}
    assert after == {"1-2-0", "1-2-1", "2-2-0"}
    assert not before & after
    assert _vector_ids(service) == after
