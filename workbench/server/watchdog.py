"""Kill a disposable server when its owner dies, even by SIGKILL.

Run as a separate small process (``python -I -S watchdog.py ...``, stdlib only,
so it starts in a few milliseconds). It holds the read end of a pipe whose
write end only the owner holds: when the owner exits for any reason the pipe
reaches EOF, and the watchdog stops the postmaster (SIGQUIT: immediate
shutdown, then SIGKILL to the process group), then removes the instance
directory. It also polls the owner's pid in case the pipe was inherited by a
forked child that outlives the owner.

With ``--spares OWNER BASE`` it is the owner process's spare keeper instead (one
per owner process, for its whole life): when the owner's pipe closes or the owner
dies, it removes the spare clusters the owner made (``spare-<key>-<owner pid>-*``,
and a half-made ``tmp-spare-<owner pid>-*``) and then ``BASE`` if that leaves it
empty, so nothing stays in ``/dev/shm`` after the last owner is gone, even after
SIGKILL.
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
    # The owner's own instances are going too (their watchdogs remove them): wait a little
    # for them, so the directory goes with the last owner rather than staying behind empty.
    deadline = time.monotonic() + 5
    while any(base.glob(f"i-{owner}-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    with contextlib.suppress(OSError):
        base.rmdir()  # only when empty: another owner's instance or spare keeps it


def wait_for_owner(owner: int) -> None:
    """Return when the owner's pipe (our stdin) closes or the owner is gone."""
    # Not our job to react to the terminal: only the owner's death matters.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0.25)
        if ready and not os.read(sys.stdin.fileno(), 4096):
            return  # EOF: the owner closed the pipe or died
        if not _alive(owner):
            return


def main(argv: list[str]) -> int:
    if argv[0] == "--spares":
        owner, base = int(argv[1]), Path(argv[2])
        wait_for_owner(owner)
        remove_owned_spares(base, owner)
        return 0
    owner, postmaster, instance_dir = int(argv[0]), int(argv[1]), argv[2]
    wait_for_owner(owner)
    if _alive(postmaster):
        stop_postmaster(postmaster)
    shutil.rmtree(instance_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
