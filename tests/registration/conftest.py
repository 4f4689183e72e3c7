from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from core.db import init_db, make_engine
from core.settings import Settings


@pytest.fixture
def db_engine(tmp_path) -> Iterator[Engine]:
    engine = make_engine(Settings(data_dir=tmp_path))
    init_db(engine)
    yield engine
    engine.dispose()
