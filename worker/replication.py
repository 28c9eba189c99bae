"""Waiting for replicas (Redis WAIT), so a failover cannot take back what was acknowledged.

Replication is asynchronous: the master answers a write before its replicas have it, and a
replica promoted by Sentinel holds the master's writes up to some moment, all of them (the
replication stream is one ordered log). WAIT after a write returns once that many replicas
hold it and everything written before it, by any client.

With replicas to wait for, a publish is three steps: the publish script writes the done
marker, the stored result and the Stream entry but sends nothing on the channel; WAIT; then
``announce`` sends the channel message once per revision: it sets a flag in the done marker,
WAITs for that too, and only then publishes, so a failover cannot take back the flag of a
message subscribers already heard (a redelivered task would announce it again). A write
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

# Claim the channel message of the marker's revision: 1 for the first caller, at most once per
# revision (the caller publishes once the replicas hold the claim).
_CLAIM_ANNOUNCEMENT = """
if redis.call('HGET', KEYS[1], 'revision') ~= ARGV[1] then
  return 0
end
return redis.call('HSETNX', KEYS[1], 'announced', '1')
"""


class NotReplicated(redis.ConnectionError):
    """Fewer replicas than asked confirmed a write in time: a failover could take it back."""


class Replicas:
    """Writes that ``replicas`` replicas must confirm within ``timeout_ms`` before they count."""

    def __init__(self, client: redis.Redis, replicas: int, timeout_ms: int) -> None:
        self.client, self.replicas, self.timeout_ms = client, replicas, timeout_ms
        self._claim = client.register_script(_CLAIM_ANNOUNCEMENT)

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
        """Publish ``document`` on ``channel`` unless this revision was announced; True if sent.

        The claim is confirmed by the replicas before the message goes out (``NotReplicated``
        otherwise, nothing sent): pub/sub is at most once, so a claim whose message never went
        out (the worker died in between) leaves that revision unannounced; the Stream has it.
        """

        def claim(pipe: redis.Redis) -> object:
            return self._claim(keys=[done_key], args=[revision], client=pipe)

        if not self.write(claim, what=f"the announcement of {done_key}"):
            return False
        self.client.publish(channel, document)
        return True
