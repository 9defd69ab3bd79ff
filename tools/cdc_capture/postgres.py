"""A throwaway PostgreSQL server for the capture: initdb into a temp dir, start, stop.

Uses the Debian package binaries (``apt-get install postgresql``) and never
touches the package's own cluster. PostgreSQL refuses to run as root, so when
the capture runs as root the server runs as the ``postgres`` OS user (created
by the Debian package; created here if it is missing).
"""

from __future__ import annotations

import glob
import logging
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from local_services import free_port

log = logging.getLogger(__name__)

SERVER_OS_USER = "postgres"
SUPERUSER = "postgres"


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
    def _server_cmd(self, argv: list[str]) -> list[str]:
        # The server binaries must not run as root; the client (psql) may.
        if self._as_root:
            return ["runuser", "-u", SERVER_OS_USER, "--", *argv]
        return argv

    def start(self) -> "PostgresServer":
        self._tmp = Path(tempfile.mkdtemp(prefix="cdc-pg-"))
        if self._as_root:
            user = _ensure_os_user(SERVER_OS_USER)
            os.chown(self._tmp, user.pw_uid, user.pw_gid)
        subprocess.run(
            self._server_cmd(
                [
                    str(self.bindir / "initdb"),
                    "-D", str(self.datadir),
                    "-U", SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-locale",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
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
        subprocess.run(
            self._server_cmd(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D", str(self.datadir),
                    "-l", str(self.logfile),
                    "-w", "-t", "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            text=True,
        )
        log.info("PostgreSQL %s listening on %s:%s", self.version, self.host, self.port)
        return self

    def stop(self) -> None:
        if self._tmp is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(
                self._server_cmd(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]
                ),
                capture_output=True,
                text=True,
            )
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp = None

    def __enter__(self) -> "PostgresServer":
        return self.start()

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
