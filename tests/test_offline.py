"""The offline runner really cuts the network, and leaves loopback working.

``make test`` runs the strict book build through ``.ci/offline``; these tests make sure that
wrapper is not a no-op (both the namespace mode and the socket-guard fallback).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OFFLINE = ROOT / ".ci" / "offline"

PROBE = r"""
import socket, sys
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
c = socket.create_connection(srv.getsockname(), timeout=2); c.close()   # loopback must work
for target in (("198.51.100.7", 80), ("pypi.org", 443)):
    try:
        socket.create_connection(target, timeout=2)
    except OSError as exc:
        print("blocked", target[0], type(exc).__name__)
    else:
        print("REACHED", target[0]); sys.exit(1)
"""


def _run(env=None):
    return subprocess.run([str(OFFLINE), sys.executable, "-c", PROBE], capture_output=True, text=True,
                          timeout=60, env=env)


def test_offline_runner_blocks_other_hosts_but_not_loopback():
    r = _run()
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("blocked") == 2


def test_socket_guard_fallback_blocks_other_hosts():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests" / "offline_guard"), FIVE_REPORTS_OFFLINE_GUARD="1")
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("blocked") == 2


def test_guard_on_the_path_stays_inactive_unless_asked():
    """The guard patches sockets only when FIVE_REPORTS_OFFLINE_GUARD=1, so it can never leak into
    a normal run; with the flag it does patch them (the probe shows which function is in place)."""
    show = "import socket; print(socket.getaddrinfo.__module__)"
    env = {k: v for k, v in os.environ.items() if k != "FIVE_REPORTS_OFFLINE_GUARD"}
    env["PYTHONPATH"] = str(ROOT / "tests" / "offline_guard")
    off = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True, timeout=60, env=env)
    on = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True, timeout=60,
                        env=dict(env, FIVE_REPORTS_OFFLINE_GUARD="1"))
    assert off.stdout.strip() == "socket"
    assert on.stdout.strip() == "sitecustomize"
