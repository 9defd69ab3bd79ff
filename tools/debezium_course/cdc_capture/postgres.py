"""A throwaway PostgreSQL server for the capture: initdb into a temp dir, start, stop.

Uses the Debian package binaries (``apt-get install postgresql``) and never
touches the package's own cluster. PostgreSQL refuses to run as root, so when
the capture runs as root the server runs as the ``postgres`` OS user (created
by the Debian package; created here if it is missing).

The server is the ``postgres`` process itself, a child of the capture (not
daemonized by pg_ctl), so it dies with the capture even when that is killed.
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NoReturn

from debezium_course.local_services import free_port, service_preexec, stop_service

log = logging.getLogger(__name__)

SERVER_OS_USER = "postgres"
SUPERUSER = "postgres"
STARTUP_TIMEOUT = 60.0
# SIGINT is PostgreSQL's fast shutdown: open sessions (Debezium's replication
# connection among them) are disconnected, not waited for as SIGTERM would.
STOP_SIGNAL = signal.SIGINT


class PostgresError(RuntimeError):
    """initdb or the server failed; the message carries their output."""


def find_bindir() -> Path:
    """Newest /usr/lib/postgresql/<major>/bin, or $PG_BINDIR when set."""
    override = os.environ.get("PG_BINDIR")
    if override:
        return Path(override)
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        raise RuntimeError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; "
            "install them with: apt-get install -y postgresql"
        )
    newest = max(candidates, key=lambda p: int(Path(p).parent.parent.name))
    return Path(newest).parent


def _ensure_os_user(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
        )
        return pwd.getpwnam(name)


class PostgresServer:
    """Context manager: a fresh cluster on 127.0.0.1:<free port>, socket in its temp dir."""

    def __init__(self, settings: dict[str, str] | None = None):
        self.bindir = find_bindir()
        self.port = free_port()
        self.host = "127.0.0.1"
        self.settings = settings or {}
        self._as_root = os.geteuid() == 0
        self._tmp: Path | None = None
        self._process: subprocess.Popen | None = None
        self._log = None

    # -- paths -----------------------------------------------------------
    @property
    def datadir(self) -> Path:
        return self._tmp / "data"

    @property
    def socket_dir(self) -> Path:
        return self._tmp

    @property
    def logfile(self) -> Path:
        return self._tmp / "postgres.log"

    @property
    def version(self) -> str:
        out = subprocess.run(
            [str(self.bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
        ).stdout
        # "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        return re.search(r"\) (\d+(?:\.\d+)*)", out).group(1)

    # -- process control -------------------------------------------------
    def log_tail(self, lines: int = 40) -> str:
        if self._tmp is None or not self.logfile.exists():
            return "(no server log)"
        return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])

    def _fail(self, what: str) -> NoReturn:
        raise PostgresError(f"PostgreSQL {what}.\n--- tail of {self.logfile} ---\n{self.log_tail()}")

    def start(self) -> "PostgresServer":
        self._tmp = Path(tempfile.mkdtemp(prefix="cdc-pg-"))
        # initdb and the server run in the temp dir (the server user may not
        # enter the caller's directory) and die with this process.
        server_options = {"cwd": self._tmp, "stdin": subprocess.DEVNULL, "preexec_fn": service_preexec()}
        if self._as_root:
            user = _ensure_os_user(SERVER_OS_USER)
            os.chown(self._tmp, user.pw_uid, user.pw_gid)
            # Popen switches to this user before it calls preexec_fn; the order
            # matters, as a change of credentials clears the death signal.
            server_options.update(user=user.pw_uid, group=user.pw_gid,
                                  extra_groups=os.getgrouplist(user.pw_name, user.pw_gid))
        initdb = subprocess.run(
            [
                str(self.bindir / "initdb"),
                "-D", str(self.datadir),
                "-U", SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],
            capture_output=True,
            text=True,
            **server_options,
        )
        if initdb.returncode != 0:
            raise PostgresError(
                f"initdb failed (exit {initdb.returncode}):\n{initdb.stdout[-2000:]}{initdb.stderr[-2000:]}"
            )
        conf = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "timezone": "'UTC'",
            # Logical decoding (pgoutput) needs these.
            "wal_level": "logical",
            "max_replication_slots": "4",
            "max_wal_senders": "4",
            # A throwaway cluster: durability buys nothing and costs time.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            **self.settings,
        }
        with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as f:
            f.write("\n# cdc_capture\n")
            for key, value in conf.items():
                f.write(f"{key} = {value}\n")
        # Without logging_collector the server logs to stderr, into this file.
        self._log = open(self.logfile, "ab")
        self._process = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(self.datadir)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            **server_options,
        )
        self._wait_until_ready()
        log.info("PostgreSQL %s listening on %s:%s", self.version, self.host, self.port)
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if self._process.poll() is not None:
                self._fail(f"exited during start-up (exit code {self._process.returncode})")
            ready = subprocess.run(
                [str(self.bindir / "pg_isready"), "-q", "-h", str(self.socket_dir), "-p", str(self.port)],
            )
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                self._fail(f"did not accept connections within {STARTUP_TIMEOUT:.0f} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self._process is not None:
            stop_service(self._process, STOP_SIGNAL, timeout=60)
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> "PostgresServer":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- SQL -------------------------------------------------------------
    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL through psql over the unix socket; stop at the first error."""
        result = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-h", str(self.socket_dir),
                "-p", str(self.port),
                "-U", SUPERUSER,
                "-d", dbname,
                "-v", "ON_ERROR_STOP=1",
                "-X", "-q", "-A", "-t",
                "-f", "-",
            ],
            input=sql,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout
