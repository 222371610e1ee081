"""A PostgreSQL streaming replica of the test server, made for the test: `pg_basebackup -R` into a
temporary folder and a second cluster started from it on a free port, as the postgres user.

The base backup connects over the primary's Unix socket as `postgres` (Debian's pg_hba.conf
allows `local replication all peer`), and so does the replica's streaming connection; the
replica's own pg_hba.conf lets the app's role in over 127.0.0.1 with its password (roles and
passwords are replicated). It needs root (su) and the server's own binaries.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.replicas.cluster import NGINX_REQUIRED_VAR, free_port

SOCKETS = "/var/run/postgresql"


def _as_postgres(*command: str) -> str:
    done = subprocess.run(
        ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"
    return done.stdout


def _bindir(version: str) -> Path:
    folder = Path(f"/usr/lib/postgresql/{version}/bin")
    assert (folder / "pg_ctl").exists(), f"no PostgreSQL {version} binaries in {folder}"
    return folder


@dataclass(frozen=True)
class Standby:
    url: str  # the same database as primary_url, on the replica
    port: int
    sockets: Path
    database: str

    def sql(self, statement: str) -> str:
        """One statement on the replica's database, as the postgres superuser."""
        return _as_postgres(
            "psql", "-h", str(self.sockets), "-p", str(self.port), "-d", self.database,
            "-tAq", "-c", f'"{statement}"',
        ).strip()  # fmt: skip


@contextmanager
def streaming_replica(primary_url: str) -> Iterator[Standby]:
    if os.geteuid() != 0 or shutil.which("su") is None:
        if os.environ.get(NGINX_REQUIRED_VAR):
            pytest.fail("the read-replica test needs root (su postgres) in CI")
        pytest.skip("the read-replica test makes a cluster as the postgres user: run as root")
    primary = make_url(primary_url)
    engine = create_engine(primary)
    with engine.connect() as conn:
        version = str(conn.execute(text("SHOW server_version_num")).scalar_one())[:2]
    engine.dispose()
    bindir = _bindir(version)
    folder = Path(tempfile.mkdtemp(prefix="lc-standby-"))
    shutil.chown(folder, user="postgres")
    data = folder / "data"
    port = free_port()
    _as_postgres(
        "pg_basebackup", "-h", SOCKETS, "-p", str(primary.port or 5432),
        "-D", str(data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
    )  # fmt: skip
    (data / "postgresql.conf").write_text(
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
        "hot_standby = on\nmax_connections = 100\nshared_buffers = 32MB\n"
        "hot_standby_feedback = on\n"
    )
    (data / "pg_hba.conf").write_text(
        "local all postgres peer\nhost all all 127.0.0.1/32 scram-sha-256\n"
    )
    for name in ("postgresql.conf", "pg_hba.conf"):
        shutil.chown(data / name, user="postgres")
    log = folder / "standby.log"
    _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start")
    standby = Standby(
        url=primary.set(port=port).render_as_string(hide_password=False),
        port=port,
        sockets=folder,
        database=str(primary.database),
    )
    try:
        assert standby.sql("SELECT pg_is_in_recovery()") == "t"
        yield standby
    finally:
        _as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def wait_caught_up(primary_url: str, standby: Standby, *, timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    engine = create_engine(primary_url)
    with engine.connect() as conn:
        target = str(conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one())
    engine.dispose()
    deadline = time.monotonic() + timeout
    while standby.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t":
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.2)
