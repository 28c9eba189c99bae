"""Waiting for replicas (Redis WAIT), so a failover cannot take back what was acknowledged.

Replication is asynchronous: the master answers a write before its replicas have it, and a
replica promoted by Sentinel holds the master's writes up to some moment, all of them (the
replication stream is one ordered log). WAIT after a write returns once that many replicas
hold it and everything written before it, by any client. So a task acknowledges its message
only after its publish is on a replica, and a producer returns only once its queued message is.

The write and its WAIT go on one connection, pipelined. Should the connection drop in between,
redis-py sends both again, to the new master Sentinel names: the caller's write must be safe to
repeat (the publish script writes only when the done marker is missing), and its reply says
whether it found what it expected there.
"""

from collections.abc import Callable

import redis

from worker.logging import get_logger

log = get_logger("newsflow.replication")


def write_and_wait(
    client: redis.Redis,
    write: Callable[[redis.Redis], object],
    replicas: int,
    timeout_ms: int,
    *,
    what: str,
    article_id: str,
) -> object:
    """Queue ``write`` on a pipeline, then WAIT for ``replicas`` up to ``timeout_ms`` (with no
    replicas to wait for, just ``write`` on ``client``).

    Returns the reply of the write's first command. When it wrote (a true reply) and fewer
    replicas than asked confirmed in time (one behind or absent), logs ``{what}_not_replicated``:
    a failover before the replica catches up would lose it.
    """
    if replicas == 0:
        return write(client)
    with client.pipeline(transaction=False) as pipe:
        write(pipe)
        pipe.execute_command("WAIT", replicas, timeout_ms)  # type: ignore[no-untyped-call]
        replies = pipe.execute()
    reply, confirmed = replies[0], int(replies[-1])
    if reply and confirmed < replicas:
        log.warning(f"{what}_not_replicated", article_id=article_id, replicas=confirmed, wait_ms=timeout_ms)
    return reply
