"""``free_port``: a port nothing listens on, outside the kernel's range for outgoing connections."""

import socket
from pathlib import Path

import pytest

from worker import embedded


def test_the_port_is_free_and_below_the_range_for_outgoing_connections() -> None:
    low = embedded._ephemeral_low()
    ports = {embedded.free_port() for _ in range(20)}
    assert all(1024 <= port < low for port in ports)
    assert len(ports) > 1  # picked at random, not the same one each time
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # nothing holds it


def test_a_port_something_listens_on_is_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        taken = server.getsockname()[1]
        # the whole range is the one port that is taken: the kernel gives another
        monkeypatch.setattr(embedded, "_ephemeral_low", lambda: taken + 1)
        monkeypatch.setattr(embedded, "_SERVER_PORTS", 1)
        assert embedded.free_port() != taken


def test_the_range_is_read_from_the_kernel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ranges = tmp_path / "ip_local_port_range"
    ranges.write_text("40000\t60999\n")
    monkeypatch.setattr(embedded, "_EPHEMERAL_RANGE", ranges)
    assert embedded._ephemeral_low() == 40000
    monkeypatch.setattr(embedded, "_EPHEMERAL_RANGE", tmp_path / "missing")
    assert embedded._ephemeral_low() == 32768
