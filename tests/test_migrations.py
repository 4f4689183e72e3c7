"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from assembly import schema
from core.db import init_db, make_engine
from core.settings import Settings
from tests.postgres import reset_database


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_upgrade_head_matches_the_models(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    engine = make_engine(Settings(data_dir=tmp_path, database_url=url))
    try:
        init_db(engine)
        init_db(engine)  # a second start changes nothing
        schema.metadata()
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
            tables = set(inspect(connection).get_table_names())
        assert diff == [], f"models and migrations disagree; add a migration: {diff}"
        assert {
            "inbox_event",
            "outbox_message",
            "chat_user",
            "company",
            "company_member",
            "staff_account",
            "knowledge_document",
            "match_introduction",
            "alembic_version",
        } <= tables
    finally:
        if backend == "postgres":
            reset_database(engine)
        engine.dispose()
