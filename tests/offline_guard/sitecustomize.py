"""Socket guard used by ``.ci/offline`` when network namespaces are unavailable.

Loaded by every Python process whose ``PYTHONPATH`` contains this folder (``.ci/offline`` sets
it, and child processes such as Jupyter kernels inherit it).  Any connection or name lookup for
a host other than loopback raises ``OSError``, so a build step that needs the network fails.
"""

import ipaddress
import os
import socket

if os.environ.get("FIVE_REPORTS_OFFLINE_GUARD") == "1":
    _LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
    _connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def _is_local(host) -> bool:
        if host is None or str(host) in _LOCAL_NAMES:
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _check(address):
        if isinstance(address, tuple) and address and not _is_local(address[0]):
            raise OSError(101, f"offline guard: connection to {address[0]} refused (network blocked)")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(address)
        return _connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            _check(address)
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not _is_local(host):
            raise socket.gaierror(socket.EAI_NONAME, f"offline guard: lookup of {host} refused (network blocked)")
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
