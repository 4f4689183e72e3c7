from __future__ import annotations

from pathlib import Path

from core.db import init_db, make_engine
from core.settings import Settings
from matching import wiring

from .conftest import CountingEmbedder


def test_demo_directory_loaded_once_and_embeddings_cached_on_disk(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        embedder="tests.matching.conftest:CountingEmbedder",
        load_demo_content=True,
        database_url=None,
    )
    engine = make_engine(settings)
    init_db(engine)
    assert wiring.ensure_demo_directory(settings, engine, thai=40, japanese=80) == 120
    assert wiring.ensure_demo_directory(settings, engine, thai=40, japanese=80) == 0

    before = CountingEmbedder.texts_embedded
    first = wiring.build_matcher(settings, engine)
    embedded = CountingEmbedder.texts_embedded - before
    assert len(first.snapshot) == 120 and embedded > 0
    assert wiring.embedding_cache_path(settings).exists()
    # A restart reads the vectors from disk: nothing is embedded again.
    second = wiring.build_matcher(settings, engine)
    assert CountingEmbedder.texts_embedded - before == embedded
    profile = first.snapshot.profiles[0]
    assert profile is not None
    ref = profile.id
    assert [m.ref for m in second.match(ref, k=5)] == [m.ref for m in first.match(ref, k=5)]
    engine.dispose()


def test_no_demo_when_switched_off(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", load_demo_content=False, database_url=None)
    engine = make_engine(settings)
    init_db(engine)
    assert wiring.ensure_demo_directory(settings, engine) == 0
    engine.dispose()


def test_background_load(tmp_path: Path, embedder) -> None:
    from sqlmodel import Session

    from bot.dialogue import Dialogue
    from matching.engine import Matcher
    from matching.skill import MatchingSkill

    from .conftest import turn

    settings = Settings(data_dir=tmp_path / "data", load_demo_content=True, database_url=None)
    engine = make_engine(settings)
    init_db(engine)
    wiring.ensure_demo_directory(settings, engine, thai=20, japanese=20)
    matcher = Matcher(embedder)
    with Session(engine) as session:
        # Not loaded yet: the chat says so instead of answering from an empty directory.
        out, _ = turn(
            Dialogue(skills=[MatchingSkill(matcher)]), session, "line", "U1", postback="match:find"
        )
        assert not matcher.ready and "เริ่มทำงาน" in out.replies[0].text
    matcher.refresh_in_background(engine).join(timeout=60)
    assert matcher.ready and len(matcher.snapshot) == 40
    engine.dispose()


def test_schema_has_the_introduction_tables(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from core.db import init_db

    settings = Settings(data_dir=tmp_path / "data", load_demo_content=False, database_url=None)
    engine = make_engine(settings)
    init_db(engine)  # the migrations, as at start-up
    wiring.ensure_demo_directory(settings, engine)
    names = set(sa.inspect(engine).get_table_names())
    assert {"match_introduction", "match_introduction_event", "match_not_interested"} <= names
    engine.dispose()
