"""Redis URLs: plain, TLS, or a set of Sentinels that name the master (parsed, never connected).

The Sentinel form newsflow reads (``NEWSFLOW_REDIS_URL``)::

    sentinel://[[user]:password@]host[:port][,host[:port]...][/db]?master=NAME[&sentinel_password=P]

The hosts are Sentinels (default port 26379), ``master`` the name they monitor, the credentials
those of the master and its replicas; Sentinels that want a password of their own get
``sentinel_password`` (and ``sentinel_username``). Kombu's form, Sentinels separated by
``;sentinel://``, is read too; its master name may then come from ``master_name`` in
``NEWSFLOW_BROKER_TRANSPORT_OPTIONS``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

SENTINEL_SCHEME = "sentinel"
DEFAULT_SENTINEL_PORT = 26379
_SCHEMES = ("redis", "rediss", "unix", SENTINEL_SCHEME)
_QUERY = frozenset({"master", "sentinel_password", "sentinel_username"})
FORM = "sentinel://[:password@]host:port[,host:port...][/db]?master=NAME"


class InvalidRedisUrl(ValueError):
    """A Redis URL newsflow cannot use; the message says what is wrong and the form it expects."""


@dataclass(frozen=True)
class SentinelUrl:
    """What a ``sentinel://`` URL names: the Sentinels, the master's name, the database, credentials."""

    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_username: str | None = None
    sentinel_password: str | None = None

    def sentinel_auth(self) -> dict[str, str]:
        """The connection options for talking to the Sentinels themselves (empty: no auth)."""
        auth = {"username": self.sentinel_username, "password": self.sentinel_password}
        return {name: value for name, value in auth.items() if value}

    def kombu_url(self) -> str:
        """The same place as kombu's Sentinel transport spells it (one ``sentinel://`` per node)."""
        credentials = ""
        if self.password or self.username:
            credentials = f"{self.username or ''}:{self.password or ''}@"
        hosts = [(f"[{host}]" if ":" in host else host, port) for host, port in self.sentinels]
        return ";".join(f"sentinel://{credentials}{host}:{port}/{self.db}" for host, port in hosts)

    def kombu_options(self) -> dict[str, object]:
        """The broker transport options kombu needs beside ``kombu_url``."""
        options: dict[str, object] = {"master_name": self.master}
        if self.sentinel_auth():
            options["sentinel_kwargs"] = self.sentinel_auth()
        return options


def is_sentinel(url: str) -> bool:
    """Whether ``url`` names Sentinels rather than one Redis."""
    return url.strip().lower().startswith(f"{SENTINEL_SCHEME}://")


def check_redis_url(url: str) -> None:
    """Raise ``InvalidRedisUrl`` unless ``url`` has a scheme newsflow can connect with."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        raise InvalidRedisUrl(
            f"a Redis URL starts with {', '.join(s + '://' for s in _SCHEMES)} (got {scheme or 'none'})"
        )


def _host_port(item: str) -> tuple[str, int]:
    host, _, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
    if item.startswith("["):  # an IPv6 address: [::1]:26379
        host, _, port = item.partition("]")
        host, port = host[1:], port.removeprefix(":")
    if not host:
        raise InvalidRedisUrl(f"a Sentinel without a host; expected {FORM}")
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        raise InvalidRedisUrl(f"Sentinel port {port!r} is not a port number; expected {FORM}")
    return host, int(port) if port else DEFAULT_SENTINEL_PORT


def _agreed(values: Sequence[str | None], what: str) -> str | None:
    given = {value for value in values if value is not None}
    if len(given) > 1:
        raise InvalidRedisUrl(f"the Sentinels of one URL were given different {what}s")
    return next(iter(given), None)


def parse_sentinel_url(url: str, default_master: str | None = None) -> SentinelUrl:
    """The parts of a ``sentinel://`` URL (see the module's docstring); ``InvalidRedisUrl`` if it has none.

    ``default_master`` is used when the URL names no ``master`` (kombu's form).
    """
    sentinels: list[tuple[str, int]] = []
    users: list[str | None] = []
    passwords: list[str | None] = []
    dbs: list[str | None] = []
    query: dict[str, list[str]] = {}
    for part in url.strip().split(";"):
        split = urlsplit(part.strip())
        if split.scheme.lower() != SENTINEL_SCHEME:
            raise InvalidRedisUrl(f"every part of a Sentinel URL starts with sentinel://; expected {FORM}")
        credentials, _, hosts = split.netloc.rpartition("@")
        if credentials:
            user, _, password = credentials.partition(":")
            users.append(unquote(user) or None)
            passwords.append(unquote(password) or None)
        sentinels += [_host_port(item.strip()) for item in hosts.split(",") if item.strip()]
        path = split.path.strip("/")
        if path:
            if not path.isdigit():
                raise InvalidRedisUrl(f"the database must be a number, not {path!r}; expected {FORM}")
            dbs.append(path)
        for name, values in parse_qs(split.query, keep_blank_values=True).items():
            query.setdefault(name, []).extend(values)
    unknown = sorted(set(query) - _QUERY)
    if unknown:
        raise InvalidRedisUrl(
            f"unknown Sentinel URL option {unknown[0]!r} (known: {', '.join(sorted(_QUERY))})"
        )
    if not sentinels:
        raise InvalidRedisUrl(f"a Sentinel URL names at least one Sentinel; expected {FORM}")
    master = _agreed(query.get("master", []), "master name") or default_master
    if not master:
        raise InvalidRedisUrl(f"a Sentinel URL names its master (?master=NAME); expected {FORM}")
    option = {
        name: _agreed(list(query.get(name, [])), name) for name in ("sentinel_username", "sentinel_password")
    }
    return SentinelUrl(
        sentinels=tuple(dict.fromkeys(sentinels)),
        master=master,
        db=int(_agreed(dbs, "database") or 0),
        username=_agreed(users, "user"),
        password=_agreed(passwords, "password"),
        sentinel_username=option["sentinel_username"] or None,
        sentinel_password=option["sentinel_password"] or None,
    )
