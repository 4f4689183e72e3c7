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


def test_background_load_waits_for_the_database(tmp_path: Path, embedder, caplog) -> None:
    """The database away during the start-up load: a warning, and the load runs again."""
    import logging

    from sqlalchemy.exc import OperationalError

    from matching.engine import Matcher

    settings = Settings(data_dir=tmp_path / "data", load_demo_content=True, database_url=None)
    engine = make_engine(settings)
    init_db(engine)
    wiring.ensure_demo_directory(settings, engine, thai=5, japanese=5)
    matcher = Matcher(embedder)
    real_refresh, calls = matcher.refresh, []

    def refresh_once_away(session) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        real_refresh(session)

    matcher.refresh = refresh_once_away  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING, logger="matching.engine"):
        matcher.refresh_in_background(engine, retry_s=0.01).join(timeout=60)
    assert len(calls) == 2 and matcher.ready and len(matcher.snapshot) == 10
    said = [r.levelname for r in caplog.records if r.name == "matching.engine"]
    assert [level for level in said if level != "INFO"] == ["WARNING"]
    engine.dispose()
