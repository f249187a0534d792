"""Fixtures: one real embedded FalkorDB per test session, a fresh graph per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from graph.falkor import FalkorBackend
from graph.server import EmbeddedFalkor


@pytest.fixture(scope="session")
def falkor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedFalkor]:
    server = EmbeddedFalkor(tmp_path_factory.mktemp("falkordb")).start()
    yield server
    server.stop()


@pytest.fixture
def falkor(falkor_server: EmbeddedFalkor) -> Iterator[FalkorBackend]:
    backend = FalkorBackend(falkor_server.socket_path, f"test_{uuid.uuid4().hex[:12]}", server=falkor_server)
    backend.ensure_schema()
    yield backend
    backend.delete_graph()
    backend.close()


@pytest.fixture(scope="session")
def seed_graph(falkor_server: EmbeddedFalkor) -> Iterator[FalkorBackend]:
    """The bundled corpus loaded once (lineage links included), shared read-only by the tests."""
    from reformkg.load import Loader, bundled_corpus
    from reformkg.settings import Settings

    backend = FalkorBackend(falkor_server.socket_path, "seed", server=falkor_server)
    backend.delete_graph()
    backend.ensure_schema()
    report = Loader(backend, Settings()).load(bundled_corpus())
    assert not report.errors, report.errors
    yield backend
    backend.close()
