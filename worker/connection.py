"""The one place a redis-py client is made from a URL: plain, TLS (rediss://) or through Sentinel.

A Sentinel client asks the Sentinels for the master's address whenever it connects, so a
connection lost in a failover is made again to the new master; a command that meets the old
master demoted to a replica (READONLY) does the same.
"""

from typing import Any, cast

import redis
from redis.sentinel import Sentinel

from worker.config import Settings
from worker.redis_url import SentinelUrl, is_sentinel, parse_sentinel_url

# What redis-py raises when Redis cannot be reached, does not answer in time, or what answers
# is not Redis (for callers that explain it to a person without importing redis-py themselves).
REDIS_UNREACHABLE: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.InvalidResponse,
)
REDIS_REFUSED_CREDENTIALS: tuple[type[Exception], ...] = (redis.AuthenticationError,)


class SentinelRedis(redis.Redis):
    """A client of the master a set of Sentinels name; ``close`` also closes the Sentinel links."""

    def close(self) -> None:
        super().close()
        manager = getattr(self.connection_pool, "sentinel_manager", None)
        if isinstance(manager, Sentinel):
            manager.close()


def _timeouts(timeout_s: float | None) -> dict[str, Any]:
    return {} if timeout_s is None else {"socket_connect_timeout": timeout_s, "socket_timeout": timeout_s}


def sentinel_client(
    target: SentinelUrl, *, timeout_s: float | None = None, decode_responses: bool = True
) -> redis.Redis:
    """A client of ``target``'s master, found through its Sentinels."""
    timeouts = _timeouts(timeout_s)
    # Called through Any: redis-py before 8 has no hints here, 8 and later do (both pass mypy).
    sentinels: Any = cast(Any, Sentinel)(
        list(target.sentinels),
        sentinel_kwargs={**timeouts, **target.sentinel_auth()},
        **timeouts,
    )
    credentials = {"username": target.username, "password": target.password}
    client: redis.Redis = sentinels.master_for(
        target.master,
        redis_class=SentinelRedis,
        db=target.db,
        decode_responses=decode_responses,
        **{name: value for name, value in credentials.items() if value},
    )
    return client


def client_for_url(
    url: str,
    *,
    timeout_s: float | None = None,
    tls: dict[str, object] | None = None,
    master: str | None = None,
    decode_responses: bool = True,
) -> redis.Redis:
    """A client for ``url``: ``timeout_s`` bounds connecting and each reply (None: no bound).

    ``tls``: redis-py's ssl options for a rediss:// URL; ``master``: the Sentinel master's name
    when a sentinel:// URL does not give one.
    """
    if is_sentinel(url):
        target = parse_sentinel_url(url, default_master=master)
        return sentinel_client(target, timeout_s=timeout_s, decode_responses=decode_responses)
    options: dict[str, Any] = {**(tls or {}), **_timeouts(timeout_s)}
    return redis.Redis.from_url(url, decode_responses=decode_responses, **options)


def redis_client(settings: Settings, *, timeout_s: float | None = None) -> redis.Redis:
    """The client of the Redis that ``settings`` name (results, status, channels, Streams)."""
    if settings.sentinel is not None:
        return sentinel_client(settings.sentinel, timeout_s=timeout_s)
    return client_for_url(settings.redis_url, timeout_s=timeout_s, tls=settings.redis_tls)
