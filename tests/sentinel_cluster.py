"""A private Redis master, its replica and three Sentinels on free ports, for failover tests."""

import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import redis

from worker.embedded import free_port, redis_server_binary, stop_process

MASTER_NAME = "mymaster"
PASSWORD = "sentinel-test-pass"
QUORUM = 2


@dataclass
class SentinelCluster:
    """One master, one replica, three Sentinels (quorum 2), all on 127.0.0.1, nothing on disk."""

    workdir: Path
    down_after_ms: int = 1000
    failover_timeout_ms: int = 5000
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def _server(self, name: str, *extra: str) -> None:
        binary = redis_server_binary()
        assert binary is not None, "no redis-server"
        port = self.ports.setdefault(name, free_port())
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
        self.processes[name] = subprocess.Popen(
            [binary, *extra, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(self.workdir)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def _data_node(self, name: str, replica_of: int | None = None) -> None:
        follow = ["--replicaof", "127.0.0.1", str(replica_of)] if replica_of else []
        auth = ["--requirepass", PASSWORD, "--masterauth", PASSWORD]
        self._server(name, "--save", "", "--appendonly", "no", *auth, *follow)

    def start(self) -> "SentinelCluster":
        """Start every process and wait until the Sentinels know the replica and each other."""
        self._data_node("a")
        self._data_node("b", replica_of=self.ports["a"])
        # Each Sentinel is told its id, the replica and its peers up front (what Sentinels write
        # into their own config files), rather than finding them over the next ten seconds.
        names = [f"sentinel{index}" for index in range(3)]
        ids = {name: f"{index + 1:040x}" for index, name in enumerate(names)}
        for name in names:
            self.ports[name] = free_port()
        for name in names:
            peers = "".join(
                f"sentinel known-sentinel {MASTER_NAME} 127.0.0.1 {self.ports[peer]} {ids[peer]}\n"
                for peer in names
                if peer != name
            )
            config = self.workdir / f"{name}.conf"
            config.write_text(
                f"sentinel myid {ids[name]}\n"
                f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.ports['a']} {QUORUM}\n"
                f"sentinel auth-pass {MASTER_NAME} {PASSWORD}\n"
                f"sentinel down-after-milliseconds {MASTER_NAME} {self.down_after_ms}\n"
                f"sentinel failover-timeout {MASTER_NAME} {self.failover_timeout_ms}\n"
                f"sentinel parallel-syncs {MASTER_NAME} 1\n"
                f"sentinel known-replica {MASTER_NAME} 127.0.0.1 {self.ports['b']}\n" + peers
            )
            self._server(name, str(config), "--sentinel")
        self.wait_until_ready()
        return self

    def client(self, name: str) -> redis.Redis:
        """A direct client of one process (data nodes with the password)."""
        password = None if name.startswith("sentinel") else PASSWORD
        return redis.Redis(port=self.ports[name], password=password, socket_timeout=2, decode_responses=True)

    @property
    def sentinel_names(self) -> list[str]:
        return [name for name in self.ports if name.startswith("sentinel")]

    def url(self, db: int = 0) -> str:
        """The newsflow URL of this cluster."""
        hosts = ",".join(f"127.0.0.1:{self.ports[name]}" for name in self.sentinel_names)
        return f"sentinel://:{PASSWORD}@{hosts}/{db}?master={MASTER_NAME}"

    def master_port(self) -> int | None:
        """The master's port as the Sentinels agree on it (None while they disagree or fail)."""
        seen = set()
        for name in self.sentinel_names:
            try:
                address = cast(
                    "tuple[str, int] | None",
                    self.client(name).sentinel_get_master_addr_by_name(MASTER_NAME),
                )
            except redis.RedisError:
                return None
            seen.add(int(address[1]) if address else None)
        return seen.pop() if len(seen) == 1 else None

    def master_name(self) -> str:
        """Which data node ("a" or "b") the Sentinels name master."""
        port = self.master_port()
        return next(name for name in ("a", "b") if self.ports[name] == port)

    def _ready(self) -> bool:
        try:
            for name in self.sentinel_names:
                state = cast("dict[str, object]", self.client(name).sentinel_master(MASTER_NAME))
                if int(str(state["num-other-sentinels"])) < 2 or int(str(state["num-slaves"])) < 1:
                    return False
            master = self.master_name()
            replica = self.client("b" if master == "a" else "a").info("replication")
            if replica.get("master_link_status") != "up":
                return False
            # The replica acknowledges what it holds: a write now is confirmed (WAIT) in time.
            return int(self.client(master).wait(1, 1000)) >= 1
        except (redis.RedisError, KeyError, StopIteration):
            return False

    def wait_until_ready(self, timeout_s: float = 30.0) -> None:
        """Until each Sentinel sees the other two and the replica, and the replica is in sync and
        acknowledges writes."""
        deadline = time.monotonic() + timeout_s
        while not self._ready():
            if time.monotonic() > deadline:
                raise AssertionError(f"the Sentinel cluster did not come up; logs in {self.workdir}")
            time.sleep(0.2)

    def kill_master(self) -> str:
        """SIGKILL the current master (no goodbye to clients or replica); returns its name."""
        name = self.master_name()
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait()
        return name

    def ask_failover(self) -> str:
        """Ask a Sentinel for a failover (the master is demoted to a replica); returns its name."""
        name = self.master_name()
        self.client(self.sentinel_names[0]).execute_command("SENTINEL FAILOVER", MASTER_NAME)  # type: ignore[no-untyped-call]
        return name

    def wait_for_failover(self, old: str, timeout_s: float = 30.0) -> str:
        """Until the Sentinels agree on a master other than ``old``; returns the new one's name."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            port = self.master_port()
            if port is not None and port != self.ports[old]:
                new = self.master_name()
                if self.client(new).info("replication").get("role") == "master":
                    return new
            time.sleep(0.1)
        raise AssertionError(f"no failover within {timeout_s} s; logs in {self.workdir}")

    def restart_as_replica(self, name: str, of: str, timeout_s: float = 10.0) -> None:
        """Start a killed data node again (empty), as a replica of ``of``, as an operator would,
        and wait until it answers."""
        self._data_node(name, replica_of=self.ports[of])
        deadline = time.monotonic() + timeout_s
        while self.processes[name].poll() is None and time.monotonic() < deadline:
            try:
                if self.client(name).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        last = (self.workdir / f"{name}.log").read_text(errors="replace").splitlines()[-5:]
        raise AssertionError(f"{name} did not start again on port {self.ports[name]}: " + "\n".join(last))

    def stop(self) -> None:
        """Stop every process this cluster started."""
        for process in self.processes.values():
            stop_process(process, timeout_s=5)


def start_cluster() -> tuple[SentinelCluster, tempfile.TemporaryDirectory[str]]:
    """A running cluster and the directory its files live in (remove it after ``stop``)."""
    workdir = tempfile.TemporaryDirectory(prefix="newsflow-sentinel-")
    cluster = SentinelCluster(Path(workdir.name))
    try:
        return cluster.start(), workdir
    except BaseException:
        cluster.stop()
        workdir.cleanup()
        raise
