from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from server import create_app
from tests.helpers import make_settings
from tests.standin import PlatformStandIn

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def standin() -> Iterator[PlatformStandIn]:
    server = PlatformStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path, standin):
    return make_settings(tmp_path, standin.url)


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    from tests.postgres import postgres_cluster

    try:
        with postgres_cluster() as url:
            yield url
    except RuntimeError as exc:
        if os.environ.get("CI"):
            raise  # CI must run the PostgreSQL contract tests, not skip them
        pytest.skip(str(exc))
