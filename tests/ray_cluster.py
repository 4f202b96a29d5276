"""A real two-node Ray cluster on 127.0.0.1 for tests: a head and a second node, each one
`ray start` process group of its own with one CPU, in a temp folder of its own.

`ray stop` would stop every Ray on the machine (other jobs' included), so the fixture stops
exactly what it started: each `ray start` runs in a new session, its daemons (GCS, raylet,
agents, and the workers the raylet spawns) stay in that process group, and teardown kills
the groups.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

RAY_CLI = Path(sys.executable).with_name("ray")
START_TIMEOUT = 240


@dataclass(frozen=True)
class RayCluster:
    """A running local cluster: the head's address and the environment to reach it with."""

    address: str
    env: dict[str, str]


def free_port() -> int:
    """A TCP port nothing listens on now."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cluster_env() -> dict[str, str]:
    """This process's environment for Ray processes of a private test cluster: no token
    authentication (the nodes share no token file), no usage statistics, and no PYTHONPATH,
    so that the workers run the code the driver ships them (`ray_ship_code`), not this
    checkout through the environment."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {**env, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}


def _node_ports() -> list[str]:
    """Every port a node would otherwise take at a fixed default, free ones instead (a second
    node on this machine, or another job's Ray, would hold the defaults)."""
    options = (
        "--node-manager-port",
        "--object-manager-port",
        "--dashboard-agent-listen-port",
        "--dashboard-agent-grpc-port",
        "--metrics-export-port",
        "--runtime-env-agent-port",
    )
    return [f"{option}={free_port()}" for option in options]


def _start(arguments: list[str], env: dict[str, str], groups: list[int]) -> None:
    """Runs one `ray start` in a session of its own; records its process group."""
    process = subprocess.Popen(
        [str(RAY_CLI), "start", *arguments, "--num-cpus=1", "--disable-usage-stats"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    groups.append(process.pid)
    output, _ = process.communicate(timeout=START_TIMEOUT)
    if process.returncode != 0:
        raise RuntimeError(f"ray start {arguments[0]} failed:\n{output[-3000:]}")


def _stop(groups: list[int]) -> None:
    """Kills the process groups, politely first."""
    for sig, pause in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 0.5)):
        for group in groups:
            with suppress(ProcessLookupError):
                os.killpg(group, sig)
        time.sleep(pause)


class LocalRayCluster:
    """Ray nodes on 127.0.0.1, each a `ray start` of one CPU in its own process group, all
    under one temp folder; `stop` kills exactly those groups."""

    def __init__(self) -> None:
        self.env = cluster_env()
        self.groups: list[int] = []
        # Short: Ray's unix socket paths live below it.
        self.temp_dir = tempfile.mkdtemp(prefix="ray", dir="/tmp")
        self.address = f"127.0.0.1:{free_port()}"

    def start_head(self) -> None:
        """Starts the head node (GCS, the first raylet)."""
        head = [
            "--head",
            f"--port={self.address.rsplit(':', 1)[1]}",
            "--node-ip-address=127.0.0.1",
            "--include-dashboard=false",
            f"--dashboard-port={free_port()}",
            f"--ray-client-server-port={free_port()}",
            f"--temp-dir={self.temp_dir}",
        ]
        _start(head + _node_ports(), self.env, self.groups)

    def add_node(self) -> None:
        """Starts one more node joining the head."""
        node = [f"--address={self.address}", "--node-ip-address=127.0.0.1"]
        _start(node + _node_ports(), self.env, self.groups)

    def stop(self) -> None:
        """Kills every process the nodes started and removes the temp folder."""
        _stop(self.groups)
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def two_node_cluster() -> Iterator[RayCluster]:
    """Starts the head and a second node; yields the cluster; always stops both.

    The second node starts as soon as the head's GCS port answers, while the head's own
    `ray start` is still starting its other daemons (each a Python process: on a loaded
    machine, tens of seconds)."""
    cluster = LocalRayCluster()
    try:
        with ThreadPoolExecutor(max_workers=1) as background:
            head = background.submit(cluster.start_head)
            _wait_for_port(cluster.address, head)
            cluster.add_node()
            head.result()
        yield RayCluster(cluster.address, cluster.env)
    finally:
        cluster.stop()


def _wait_for_port(address: str, starting: Future) -> None:
    """Returns once `address` accepts TCP connections; raises what `starting` raised if it
    ends first."""
    host, port = address.rsplit(":", 1)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if starting.done():
            starting.result()  # raises the head's failure, if any
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            if probe.connect_ex((host, int(port))) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"The Ray head did not open {address} within {START_TIMEOUT} s")
