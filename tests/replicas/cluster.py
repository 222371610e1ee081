"""What the multi-replica tests run: a fresh PostgreSQL database, `lc-health serve` replicas on
free loopback ports and nginx in front of them with the configuration docs/deployment.md shows.

The nginx configuration is read from the ```nginx block of docs/deployment.md, never copied. Only
what must differ on a test machine is substituted, and every substitution must find its text
(a changed document fails here instead of being tested half):

- the upstream's `server 127.0.0.1:8501 ...;` lines become one line per test replica, with the
  document's parameters (max_fails, fail_timeout) kept;
- the port-80 server that redirects to HTTPS is dropped, and the HTTPS server listens on
  127.0.0.1:<free port> without TLS (no certificate on a test machine): `listen 443 ...` becomes
  `listen 127.0.0.1:<port>;`, `listen [::]:443 ...` and the `ssl_*` lines go;
- the access log is written in the test's own folder instead of /var/log/nginx;
- `spread=True` also drops `ip_hash;`. Every test client comes from 127.0.0.1, and ip_hash would
  send all of them to one replica; without it nginx spreads them round-robin, which a page
  survives because its websocket is one long-lived connection. The sticky (documented) variant
  is what the sign-in test goes through.

nginx runs unprivileged (as `nobody` when the tests run as root), with its own prefix folder and
configuration, in the foreground.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_COOKIE_SECRET, _postgres_url

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENT = ROOT / "docs" / "deployment.md"
NGINX_REQUIRED_VAR = "LC_HEALTH_TEST_REQUIRE_NGINX"
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        if os.environ.get(NGINX_REQUIRED_VAR):
            pytest.fail(f"nginx is not installed but {NGINX_REQUIRED_VAR} is set")
        pytest.skip("multi-replica tests need nginx (apt-get install nginx-light)")
    return found


def documented_nginx() -> str:
    """The ```nginx block of docs/deployment.md, as written."""
    blocks = re.findall(r"```nginx\n(.*?)```", DEPLOYMENT.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "docs/deployment.md must show exactly one nginx configuration"
    return str(blocks[0])


def _sub(pattern: str, replacement: str, site: str, *, count: int = 1) -> str:
    new, made = re.subn(pattern, replacement, site, flags=re.M | re.S)
    assert made == count, f"docs/deployment.md's nginx block changed: {pattern!r} {made}x"
    return new


def render_site(ports: Sequence[int], *, listen: int, logs: Path, spread: bool = False) -> str:
    """The documented site for these replica ports, on 127.0.0.1:listen (module docstring)."""
    site = documented_nginx()
    upstreams = re.findall(r"^(\s*)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n", site, re.M)
    assert len(upstreams) >= 2, "the documented upstream lists its replicas"
    indent, params = upstreams[0]
    lines = "".join(f"{indent}server 127.0.0.1:{port}{params};\n" for port in ports)
    site = _sub(r"^\s*server 127\.0\.0\.1:\d+[^;\n]*;\n", "", site, count=len(upstreams))
    site = _sub(
        r"(upstream lc_health \{\n(?:\s*#[^\n]*\n|\s*ip_hash;[^\n]*\n)*)", r"\g<1>" + lines, site
    )
    site = _sub(r"^server \{\n    listen 80;.*?\n\}\n", "", site)
    site = _sub(r"^(\s*)listen 443 [^\n]*\n", rf"\g<1>listen 127.0.0.1:{listen};\n", site)
    site = _sub(r"^\s*listen \[::\]:443 [^\n]*\n", "", site)
    site = _sub(r"^\s*ssl_[a-z_]+ [^\n]*\n", "", site, count=3)
    site = _sub(r"/var/log/nginx/", f"{logs}/", site)
    if spread:
        site = _sub(r"^\s*ip_hash;[^\n]*\n", "", site)
    return site


def nginx_conf(site: str, prefix: Path) -> str:
    """A whole nginx.conf around the site: everything nginx writes stays in prefix."""
    temps = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"pid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\nworker_processes 1;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n{temps}\n{site}\n}}\n"
    )


@dataclass
class Nginx:
    url: str
    conf: Path
    proc: subprocess.Popen[bytes]


@contextmanager
def run_nginx(ports: Sequence[int], folder: Path, *, spread: bool = False) -> Iterator[Nginx]:
    """nginx in front of the replica ports; its prefix (config, logs, temp files) is a folder of
    its own that the unprivileged user can enter, copied into folder afterwards."""
    binary = nginx_binary()
    prefix = Path(tempfile.mkdtemp(prefix="lc-nginx-"))
    listen = free_port()
    conf = prefix / "nginx.conf"
    conf.write_text(
        nginx_conf(render_site(ports, listen=listen, logs=prefix, spread=spread), prefix)
    )
    user = "nobody" if os.geteuid() == 0 else None
    if user is not None:
        prefix.chmod(0o755)
        shutil.chown(prefix, user=user)
    command = [binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
    check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True, user=user)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen(command, user=user, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{listen}"
    try:
        wait_healthy(url, timeout=20)
        yield Nginx(url=url, conf=conf, proc=proc)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.copytree(prefix, folder / ("nginx-spread" if spread else "nginx"))
        shutil.rmtree(prefix, ignore_errors=True)


def health(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
            return int(answer.status)
    except OSError:
        return 0


def wait_healthy(url: str, *, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while health(url) != 200:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not become healthy in {timeout:.0f} s")
        time.sleep(0.3)


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database next to the test one (dropped afterwards): replicas
    start on a database that was never migrated."""
    base = make_url(_postgres_url())
    name = f"lc_replicas_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Replica:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def replica_env(database_url: str, *, code: Path = ROOT, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_HEALTH_")}
    env |= {
        "PYTHONPATH": str(code),
        "LC_HEALTH_DATABASE_URL": database_url,
        "LC_HEALTH_COOKIE_SECRET": TEST_COOKIE_SECRET,
        "LC_HEALTH_PUBLIC_URL": "https://lc.example.test",
        "LC_HEALTH_LOG_LEVEL": "INFO",
        "LC_HEALTH_SCHEDULE_MINUTES": "0",
    }
    return env | extra


def start_replicas(
    database_url: str, folder: Path, count: int, *, code: Path = ROOT, **extra: str
) -> list[Replica]:
    """`lc-health serve` `count` times, started in one loop (the same moment), not waited for."""
    env = replica_env(database_url, code=code, **extra)
    home = folder / "home"
    home.mkdir(parents=True, exist_ok=True)
    env["LC_HEALTH_HOME"] = str(home)
    ports = [free_port() for _ in range(count)]
    replicas = []
    for port in ports:
        log = folder / f"replica-{port}.log"
        command = [sys.executable, "-m", "lc_health.runtime.cli", "serve"]
        command += ["--address", "127.0.0.1", "--port", str(port)]
        with log.open("wb") as out:
            proc = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=out)
        replicas.append(Replica(port=port, proc=proc, log=log))
    return replicas


def stop_replicas(replicas: Sequence[Replica]) -> None:
    for replica in replicas:
        if replica.proc.poll() is None:
            replica.proc.terminate()
    for replica in replicas:
        try:
            replica.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            replica.proc.kill()
            replica.proc.wait()


def run_async(start: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to its end in a thread of its own. The browser tests' synchronous
    Playwright keeps an event loop running in the main thread of a test worker, where
    asyncio.run refuses to start another; the coroutine is made in that thread, so a failure
    cannot leave one un-awaited here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(start())).result()
