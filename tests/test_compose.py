"""docker-compose.yml (Neo4j 5.26 with APOC and n10s, the set-up, the API, the loader) and the Dockerfile.

No Docker engine runs here: the file is parsed and its settings asserted, and Compose itself
validates it (``docker-compose config`` needs no engine; Debian's ``docker-compose`` 1.29, or the
``docker compose`` plugin when that is what the machine has).  The test fails when neither is
installed, unless REFORMKG_COMPOSE_OPTIONAL=1 (then that one test skips).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text("utf-8"))


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_neo4j_is_5_26_community_pinned_to_a_patch(compose: dict) -> None:
    image = compose["services"]["neo4j"]["image"]
    assert re.fullmatch(r"neo4j:5\.26\.\d+-community", image), image


def test_plugins_procedures_and_rdf_endpoint(compose: dict) -> None:
    env = _env(compose["services"]["neo4j"])
    plugins = yaml.safe_load(env["NEO4J_PLUGINS"])
    assert set(plugins) >= {"apoc", "n10s"}
    for key in ("NEO4J_dbms_security_procedures_unrestricted", "NEO4J_dbms_security_procedures_allowlist"):
        assert set(env[key].split(",")) >= {"apoc.*", "n10s.*"}, key
    assert env["NEO4J_server_unmanaged__extension__classes"] == "n10s.endpoint=/rdf"
    assert env["NEO4J_AUTH"].startswith("neo4j/")


def test_data_volume_ports_and_healthcheck(compose: dict) -> None:
    neo4j = compose["services"]["neo4j"]
    assert any(str(v).split(":")[0] in compose["volumes"] and str(v).endswith(":/data") for v in neo4j["volumes"])
    assert {"7474:7474", "7687:7687"} <= set(map(str, neo4j["ports"]))
    check = neo4j["healthcheck"]
    assert "cypher-shell" in " ".join(check["test"]) and "RETURN 1" in " ".join(check["test"])
    assert check["retries"] >= 10


def test_setup_runs_the_generated_script_after_neo4j_is_healthy(compose: dict) -> None:
    setup = compose["services"]["neo4j-setup"]
    assert setup["image"] == compose["services"]["neo4j"]["image"]  # its cypher-shell
    assert setup["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert any(str(v).startswith("./ontology/n10s-setup.cypher:") for v in setup["volumes"])
    assert setup["entrypoint"][0] == "cypher-shell" and "-f" in setup["entrypoint"]
    assert (ROOT / "ontology" / "n10s-setup.cypher").is_file()


@pytest.mark.parametrize("name", ["api", "loader"])
def test_reformkg_services_use_neo4j(compose: dict, name: str) -> None:
    service = compose["services"][name]
    assert service["build"] == "."
    env = _env(service)
    assert env["REFORMKG_BACKEND"] == "neo4j"
    assert env["REFORMKG_NEO4J_URI"].endswith("neo4j:7687")
    assert env["REFORMKG_NEO4J_USER"] == "neo4j" and env["REFORMKG_NEO4J_PASSWORD"]
    assert service["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert service["depends_on"]["neo4j-setup"]["condition"] == "service_completed_successfully"
    assert service["command"][0] == "reformkg"


def test_api_serves_on_all_interfaces_and_loader_is_a_profile(compose: dict) -> None:
    api, loader = compose["services"]["api"], compose["services"]["loader"]
    assert api["command"][:2] == ["reformkg", "serve"] and "0.0.0.0" in api["command"]
    assert "8000:8000" in map(str, api["ports"])
    assert loader["profiles"] == ["loader"] and loader["command"] == ["reformkg", "load"]


def test_dockerfile_builds_the_project() -> None:
    text = (ROOT / "Dockerfile").read_text("utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, re.MULTILINE)
    assert "pip install ." in text
    assert 'CMD ["reformkg", "serve", "--host", "0.0.0.0"' in text
    ignored = (ROOT / ".dockerignore").read_text("utf-8").split()
    assert ".venv" in ignored and "**/node_modules" in ignored


def _compose_command() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_validates_the_file() -> None:
    """Compose's own validation (interpolation, schema, depends_on conditions, profiles)."""
    command = _compose_command()
    if command is None:
        message = "docker-compose is not installed (apt-get install -y docker-compose)"
        if os.environ.get("REFORMKG_COMPOSE_OPTIONAL") == "1":
            pytest.skip(message)
        pytest.fail(message + "; set REFORMKG_COMPOSE_OPTIONAL=1 to skip instead")
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_PASSWORD"}
    done = subprocess.run([*command, "-f", str(COMPOSE), "--profile", "loader", "config"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == {"neo4j", "neo4j-setup", "api", "loader"}
    assert resolved["services"]["api"]["environment"]["REFORMKG_NEO4J_PASSWORD"] == "reformkg-dev"
    assert "reformkg-dev" in " ".join(resolved["services"]["neo4j"]["healthcheck"]["test"])
