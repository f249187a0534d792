"""Open the configured graph store: ``open_store(backend=..., ...) -> GraphBackend``."""

from __future__ import annotations

import os
from pathlib import Path

from graph.backend import GraphBackend

DEFAULT_DATA_DIR = Path(".reformkg") / "falkordb"


def open_store(
    *,
    backend: str = "falkordb",
    data_dir: str | os.PathLike[str] | None = None,
    neo4j_uri: str = "neo4j://localhost:7687",
    user: str = "neo4j",
    password: str | None = None,
    graph_name: str = "reformkg",
    database: str | None = None,
    read_timeout_s: float = 30.0,
) -> GraphBackend:
    """A ready backend; for ``"falkordb"`` the embedded server of ``data_dir`` is
    started, or reused when it already runs (it keeps running after ``close()``).

    ``graph_name`` is the FalkorDB graph key; Neo4j uses ``database`` instead.
    The schema is not created here: call ``ensure_schema()`` before loading.
    """
    if backend == "falkordb":
        from graph.falkor import FalkorBackend
        from graph.server import EmbeddedFalkor

        server = EmbeddedFalkor(data_dir if data_dir is not None else DEFAULT_DATA_DIR).start()
        return FalkorBackend(
            server.socket_path,
            graph_name,
            read_timeout_ms=int(read_timeout_s * 1000),
            server=server,
        )
    if backend == "neo4j":
        from graph.neo4j_backend import Neo4jBackend

        if password is None:
            raise ValueError("the neo4j backend needs a password")
        return Neo4jBackend(neo4j_uri, user, password, database=database, read_timeout=read_timeout_s)
    raise ValueError(f"unknown backend {backend!r}: use 'falkordb' or 'neo4j'")
