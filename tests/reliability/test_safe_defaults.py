"""Safe defaults of the embedded database: unix socket only, owner-only socket and data directory."""

from __future__ import annotations

import os
import stat

from graph.server import EmbeddedFalkor


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_no_tcp_port_and_owner_only_files(falkor_server):
    conn = falkor_server.connection()
    try:
        assert conn.config_get("port") == {"port": "0"}  # no TCP listener
        assert conn.config_get("unixsocketperm") == {"unixsocketperm": "700"}
    finally:
        conn.close()
    assert _mode(falkor_server.data_dir) == 0o700
    assert _mode(falkor_server.socket_path) & 0o077 == 0
    for name in ("falkordb.log", "falkordb.pid"):
        assert _mode(falkor_server.data_dir / name) & 0o077 == 0, name
    aof = falkor_server.data_dir / "appendonlydir"
    assert _mode(aof) & 0o077 == 0
    for f in aof.iterdir():
        assert _mode(f) & 0o077 == 0, f.name
    pid = falkor_server.pid()
    listening = open("/proc/net/tcp").read() + open("/proc/net/tcp6").read()
    inodes = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
    sockets = {i[len("socket:["):-1] for i in inodes if i.startswith("socket:[")}
    tcp = [line.split()[9] for line in listening.splitlines()[1:] if line.split()[3] == "0A"]  # LISTEN
    assert not sockets & set(tcp), "the embedded server listens on a TCP port"


def test_an_open_data_directory_is_made_private(tmp_path):
    data = tmp_path / "db"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    server = EmbeddedFalkor(data).start()
    try:
        assert _mode(data) == 0o700
    finally:
        server.stop()


def test_load_lock_and_marker_are_private(tmp_path):
    from reformkg.lock import load_lock

    with load_lock(tmp_path / "home") as path:
        assert _mode(path) == 0o600
        assert _mode(tmp_path / "home") == 0o700
