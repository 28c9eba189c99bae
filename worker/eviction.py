"""The check that keeps a worker off a Redis that would evict its queued articles."""

import redis

from worker.config import Settings
from worker.connection import redis_client

# Policies under which Redis deletes no key to make room: anything else may drop a queued
# article (allkeys-*) or a done marker and a stored result (volatile-*).
SAFE_EVICTION_POLICIES = frozenset({"noeviction"})


def eviction_policy(client: redis.Redis) -> str | None:
    """Redis's maxmemory-policy, or None when the server does not say (CONFIG disabled)."""
    try:
        answer: dict[str, str] = client.config_get("maxmemory-policy")  # type: ignore[assignment]
    except redis.ResponseError:
        return None
    return answer.get("maxmemory-policy")


def eviction_refusal(client: redis.Redis, settings: Settings) -> str | None:
    """Why a worker must not run on this Redis (an evicting policy), or None when it may."""
    policy = eviction_policy(client)
    if policy is None or policy in SAFE_EVICTION_POLICIES or settings.allow_eviction:
        return None
    return (
        f"Redis evicts keys under memory pressure (maxmemory-policy {policy}), which would drop queued"
        " articles and done markers: set maxmemory-policy noeviction (redis-server --maxmemory-policy"
        " noeviction, or CONFIG SET maxmemory-policy noeviction), or NEWSFLOW_ALLOW_EVICTION=true"
    )


def refusal_for(settings: Settings) -> str | None:
    """``eviction_refusal`` of the Redis ``settings`` name; None when it cannot be reached yet
    (the worker waits for the broker and reports it: nothing to check yet)."""
    client = redis_client(settings)
    try:
        return eviction_refusal(client, settings)
    except (redis.ConnectionError, redis.TimeoutError):
        return None
    finally:
        client.close()
