"""Kill a disposable server when its owner dies, even by SIGKILL.

Run as a separate small process (``python -I -S watchdog.py ...``, stdlib only,
so it starts in a few milliseconds). It holds the read end of a pipe whose
write end only the owner holds: when the owner exits for any reason the pipe
reaches EOF, and the watchdog stops the postmaster (SIGQUIT: immediate
shutdown, then SIGKILL to the process group), then removes the instance
directory. It also polls the owner's pid in case the pipe was inherited by a
forked child that outlives the owner.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import sys
import time


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


def main(argv: list[str]) -> int:
    owner, postmaster, instance_dir = int(argv[0]), int(argv[1]), argv[2]
    # Not our job to react to the terminal: only the owner's death matters.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], 0.25)
        if ready and not os.read(sys.stdin.fileno(), 4096):
            break  # EOF: the owner closed the pipe or died
        if not _alive(owner):
            break
    if _alive(postmaster):
        stop_postmaster(postmaster)
    shutil.rmtree(instance_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
