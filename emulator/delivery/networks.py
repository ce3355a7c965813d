"""The networks callbacks may reach without ``--callback-host``: loopback, RFC 1918 and unique-local
IPv6. Kept apart from the sender so that the command line's help can name them without loading it."""

from __future__ import annotations

LOCAL_NETWORKS = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
