"""Rate-limit keys and the embedded default's shared store.

Limits are counted per real client (the address trusted proxies report, see proxy.py; an
IPv6 client by its /64, which one subscriber holds whole) and, where a form names an
account, per account too. Every worker and node must count together: Redis when REDIS_URL
is set, otherwise a SQLite file in the instance folder, which every worker of the one
machine the embedded default runs on opens. The `limits` library ships stores for Redis,
Memcached, MongoDB and process memory only; SQLite is in the standard library, and one
atomic UPSERT per hit keeps the count exact across processes.
"""
import hashlib
import ipaddress
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import ClassVar

from flask import request
from limits.storage import Storage


def client_key() -> str:
    """The real client's address; an IPv6 client's /64 network."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def hashed_key(kind: str, value: str) -> str:
    """A key for a personal value (an e-mail address, a phone number) that does not store it."""
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite table: `gopy+sqlite:///absolute/path.sqlite3`."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["gopy+sqlite"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self.path = (uri or "").split("://", 1)[1] or ":memory:"
        self._local = threading.local()

    @property
    def base_exceptions(self):
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS hit "
                               "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)")
            self._local.connection = connection
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        if random.random() < 0.01:  # forget ended windows now and then
            self._db().execute("DELETE FROM hit WHERE expires <= ?", (now,))
        row = self._db().execute(
            "INSERT INTO hit (key, count, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires <= ? THEN excluded.count ELSE count + excluded.count END, "
            "expires = CASE WHEN expires <= ? THEN excluded.expires ELSE expires END RETURNING count",
            (key, amount, now + expiry, now, now)).fetchone()
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT count FROM hit WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._db().execute("SELECT expires FROM hit WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        self._db().execute("SELECT 1")
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM hit").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM hit WHERE key = ?", (key,))
