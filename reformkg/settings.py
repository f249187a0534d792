"""Settings, read in one place: environment variables prefixed REFORMKG_."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "reformkg"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFORMKG_", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="data directory (REFORMKG_HOME)")
    backend: Literal["falkordb", "neo4j"] = "falkordb"
    graph_name: str = "reformkg"
    base_iri: str = "https://w3id.org/reformkg/id/"
    neo4j_uri: str = "neo4j://localhost:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None  # never printed: SecretStr shows as '**********'
    cypher_endpoint: bool = Field(True, description="serve POST /cypher (REFORMKG_CYPHER_ENDPOINT=false turns it off)")
    neo4j_database: str | None = None
    read_timeout_s: float = 30.0
    # measures per atomic write of a load: large enough that a round trip and the query's fixed work are
    # small beside it, small enough that one request stays a few MB (bench/RESULTS.md)
    write_batch_measures: int = Field(5000, ge=1)
    # answers of API reads kept until the graph changes (graph/read_cache.py); 0 turns it off
    read_cache_entries: int = Field(4096, ge=0)
    cypher_row_cap: int = Field(1000, ge=1, le=100_000, description="rows the ad-hoc Cypher endpoint returns at most")
    max_file_mb: float = 20.0
    serve_workers: int = Field(2, ge=1, le=64, description="API worker processes of `reformkg serve` "
                               "(REFORMKG_SERVE_WORKERS; 1 with --reload)")
    serve_access_log: bool = Field(True, description="log every API request (REFORMKG_SERVE_ACCESS_LOG)")
    load_lock_wait_s: float = Field(0.0, ge=0, description="seconds a second `reformkg load` on the same data directory waits for the first one before refusing (0: refuse at once)")
    max_body_kb: int = Field(256, ge=1, description="API request bodies over this many KB are refused with 413")
    max_url_kb: int = Field(8, ge=1, description="an API path and query string over this many KB is refused with 414")
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list, description="origins a browser may call the API from, comma-separated (REFORMKG_CORS_ORIGINS); empty: CORS off")

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        """REFORMKG_CORS_ORIGINS is a plain comma-separated list, not JSON."""
        return [o.strip() for o in value.split(",") if o.strip()] if isinstance(value, str) else value

    @property
    def falkordb_dir(self) -> Path:
        return self.home / "falkordb"


@cache
def get_settings() -> Settings:
    return Settings()


def open_graph(settings: Settings | None = None):
    """The configured graph backend, with its schema in place."""
    from graph.store import open_store

    s = settings or get_settings()
    store = open_store(backend=s.backend, data_dir=s.falkordb_dir, neo4j_uri=s.neo4j_uri, user=s.neo4j_user,
                       password=s.neo4j_password.get_secret_value() if s.neo4j_password else None, graph_name=s.graph_name, database=s.neo4j_database,
                       read_timeout_s=s.read_timeout_s)
    store.ensure_schema()
    return store

