"""One loader at a time per data directory: an exclusive ``flock`` on ``load.lock``.

``flock`` locks belong to the open file: the kernel releases them when the
holder exits, however it exits (SIGKILL included), so a lock left by a killed
``reformkg load`` never blocks the next one.  The file itself stays; it only
holds the current holder's pid, start time and command line, for the message
a second loader gets.

A second loader waits up to ``wait_s`` seconds (``REFORMKG_LOAD_LOCK_WAIT_S``,
default 0: refuse at once) and then raises :class:`LockBusy`, whose message
names the directory and the holder.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

LOCK_NAME = "load.lock"


class LockBusy(RuntimeError):
    """Another process holds the load lock of this data directory."""


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode("utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info.get("pid"):
        return "a process that is starting"
    return f"pid {info['pid']}, started {info.get('started', '?')}: {info.get('command', '?')}"


@contextmanager
def load_lock(directory: str | os.PathLike[str], wait_s: float = 0.0, poll_s: float = 0.1) -> Iterator[Path]:
    """Hold the exclusive load lock of ``directory`` for the ``with`` block.

    Raises LockBusy when another process still holds it after ``wait_s`` seconds.
    """
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by children (PEP 446)
    try:
        deadline = time.monotonic() + max(wait_s, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" after waiting {wait_s:g} s" if wait_s > 0 else ""
                    raise LockBusy(
                        f"another load is running on {directory} ({_holder(fd)}){waited}; "
                        "try again when it is done, or set REFORMKG_LOAD_LOCK_WAIT_S to wait for it "
                        f"(lock file {path}, released automatically when its holder exits)"
                    ) from None
                time.sleep(poll_s)
        info = {
            "pid": os.getpid(),
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)[:500],
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode("utf-8"), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
