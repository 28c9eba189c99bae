"""Waiting for replicas (Redis WAIT), so a failover cannot take back what was acknowledged.

Replication is asynchronous: the master answers a write before its replicas have it, and a
replica promoted by Sentinel holds the master's writes up to some moment, all of them (the
replication stream is one ordered log). WAIT after a write returns once that many replicas
hold it and everything written before it, by any client.

With replicas to wait for, a publish is three steps: the publish script writes the done
marker, the stored result and the Stream entry but sends nothing on the channel; WAIT; then
``announce`` sends the channel message once per revision (a flag in the done marker). A write
no replica confirmed raises ``NotReplicated`` before anything is announced or acknowledged: in
the seconds a demoted master still takes writes after Sentinel promoted its replica, or while
a new master has no replica yet, the task is retried rather than lose its result, and no
subscriber hears of a result that the failover then takes back.

The write and its WAIT go on one connection, pipelined. Should the connection drop in between,
redis-py sends both again, to the master Sentinel names then: the write must be safe to repeat
(the publish script writes only when the done marker is missing, and otherwise touches the
marker, so that the WAIT covers it either way).
"""

from collections.abc import Callable

import redis

# Send the channel message of the marker's revision unless it was sent: at most once per revision.
_ANNOUNCE_ONCE = """
if redis.call('HGET', KEYS[1], 'revision') ~= ARGV[3] then
  return 0
end
if redis.call('HSETNX', KEYS[1], 'announced', '1') == 0 then
  return 0
end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
"""


class NotReplicated(redis.ConnectionError):
    """Fewer replicas than asked confirmed a write in time: a failover could take it back."""


class Replicas:
    """Writes that ``replicas`` replicas must confirm within ``timeout_ms`` before they count."""

    def __init__(self, client: redis.Redis, replicas: int, timeout_ms: int) -> None:
        self.client, self.replicas, self.timeout_ms = client, replicas, timeout_ms
        self._announce = client.register_script(_ANNOUNCE_ONCE)

    def write(self, write: Callable[[redis.Redis], object], *, what: str) -> object:
        """Queue ``write`` on a pipeline, then WAIT; the reply of its first command.

        Raises ``NotReplicated`` (naming ``what``) when fewer replicas confirmed in time.
        """
        with self.client.pipeline(transaction=False) as pipe:
            write(pipe)
            pipe.execute_command("WAIT", self.replicas, self.timeout_ms)  # type: ignore[no-untyped-call]
            replies = pipe.execute()
        confirmed = int(replies[-1])
        if confirmed < self.replicas:
            raise NotReplicated(
                f"{what} was confirmed by {confirmed} of {self.replicas} replicas within"
                f" {self.timeout_ms} ms: no replica in sync, or this master was replaced"
            )
        return replies[0]

    def touch(self, key: str, ttl_s: int, *, what: str) -> bool:
        """Set ``key``'s TTL again (a write) and WAIT for it: once the replicas confirm, they
        hold everything written before, by any client. False when ``key`` does not exist."""
        return bool(self.write(lambda pipe: pipe.expire(key, ttl_s), what=what))

    def announce(self, done_key: str, channel: str, document: str, revision: int) -> bool:
        """Publish ``document`` on ``channel`` unless this revision was announced; True if sent."""
        return bool(self._announce(keys=[done_key], args=[channel, document, revision]))
