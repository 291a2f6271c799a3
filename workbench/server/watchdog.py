"""Kill a disposable server when its owner dies, even by SIGKILL.

Run as a separate small process (``python -I -S watchdog.py ...``, stdlib only,
so it starts in a few milliseconds). It holds the read end of a pipe whose
write end only the owner holds: when the owner exits for any reason the pipe
reaches EOF, and the watchdog stops the postmaster (SIGQUIT: immediate
shutdown, then SIGKILL to the process group), then removes the instance
directory. It also polls the owner's pid in case the pipe was inherited by a
forked child that outlives the owner.

An owner that closes its server on purpose writes ``CLOSED_ON_PURPOSE`` before
closing the pipe: it lives on and looks after its spare clusters itself. A pipe
that ends without it means the owner died, and then the watchdog also removes the
spares the owner made (``spare-<key>-<owner pid>-<token>`` beside the instance
directory) and the runtime directory if that leaves it empty: nothing stays in
``/dev/shm`` after the last owner is gone, even after SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import sys
import time
from pathlib import Path

#: What an owner writes to the pipe when it closes its server on purpose.
CLOSED_ON_PURPOSE = b"closed\n"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); treat it as dead.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def stop_postmaster(pid: int, *, grace: float = 3.0) -> None:
    """Immediate shutdown of a postmaster and everything in its process group."""
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.02)


def discard(path: Path) -> bool:
    """Remove a directory another process may be claiming by rename: rename it first.

    Whoever renames it first gets it whole; False when someone else did.
    """
    trash = path.with_name(f"trash-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        os.rename(path, trash)
    except OSError:
        return False
    shutil.rmtree(trash, ignore_errors=True)
    return True


def remove_owned_spares(base: Path, owner: int) -> None:
    """Remove the spare clusters (finished or half-copied) ``owner`` made, then ``base`` if empty."""
    try:
        entries = list(base.iterdir())
    except OSError:
        return
    for entry in entries:
        parts = entry.name.split("-")
        if len(parts) < 3 or parts[-2] != str(owner):
            continue
        if entry.name.startswith("spare-"):
            discard(entry)
        elif entry.name.startswith("tmp-spare-"):
            shutil.rmtree(entry, ignore_errors=True)
    with contextlib.suppress(OSError):
        base.rmdir()  # only when empty: another owner's instance or spare keeps it


def main(argv: list[str]) -> int:
    owner, postmaster, instance_dir = int(argv[0]), int(argv[1]), argv[2]
    # Not our job to react to the terminal: only the owner's death matters.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    received = b""
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0.25)
        if ready:
            chunk = os.read(sys.stdin.fileno(), 4096)
            if not chunk:
                break  # EOF: the owner closed the pipe or died
            received += chunk
        if not _alive(owner):
            break
    if _alive(postmaster):
        stop_postmaster(postmaster)
    shutil.rmtree(instance_dir, ignore_errors=True)
    if CLOSED_ON_PURPOSE not in received:
        # The owner died (its pipe closed as it exited): its spares have no one else.
        deadline = time.monotonic() + 5
        while _alive(owner) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not _alive(owner):
            remove_owned_spares(Path(instance_dir).parent, owner)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
