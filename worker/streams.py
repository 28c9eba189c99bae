"""Redis Stream consumer groups: the one place that reads a Stream at least once."""

from typing import cast

import redis

Entry = tuple[str, dict[str, str]]


class StreamGroup:
    """One consumer of a consumer group on a Stream (created at id 0 on first use).

    ``read`` returns entries left pending by a dead consumer for longer than ``min_idle_ms``
    first, then new entries; each must be acknowledged with ``ack`` once handled. A group the
    master does not know (a failover promoted a replica that never saw it created) is created
    again, at id 0: entries are then delivered once more rather than missed.
    """

    def __init__(
        self, client: redis.Redis, stream: str, group: str, consumer: str, *, min_idle_ms: int
    ) -> None:
        self.client, self.stream, self.group, self.consumer = client, stream, group, consumer
        self.min_idle_ms = min_idle_ms
        self.create()

    def create(self) -> None:
        """Create the group at id 0 (and the Stream) unless it exists."""
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def claim(self, count: int) -> list[Entry]:
        """Entries other consumers left pending too long, now owned by this one."""
        reply = cast(
            "list[object]",
            self.client.xautoclaim(
                self.stream,
                self.group,
                self.consumer,
                min_idle_time=self.min_idle_ms,
                start_id="0-0",
                count=count,
            ),
        )
        claimed = cast("list[Entry]", reply[1])
        return [
            (entry_id, fields) for entry_id, fields in claimed if fields
        ]  # deleted entries come back empty

    def new(self, count: int, block_ms: int | None) -> list[Entry]:
        """Entries never delivered to this group, waiting up to ``block_ms`` for some."""
        reply = cast(
            "list[tuple[str, list[Entry]]] | None",
            self.client.xreadgroup(
                self.group, self.consumer, {self.stream: ">"}, count=count, block=block_ms
            ),
        )
        return [entry for _, entries in reply or [] for entry in entries]

    def read(self, count: int, block_ms: int | None) -> list[Entry]:
        """Stale pending entries if there are any, else new ones."""
        try:
            return self.claim(count) or self.new(count, block_ms)
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
        self.create()
        return self.claim(count) or self.new(count, block_ms)

    def ack(self, *entry_ids: str, delete: bool = False) -> None:
        """Acknowledge handled entries (and delete them from the Stream when ``delete``)."""
        if not entry_ids:
            return
        with self.client.pipeline(transaction=True) as pipe:
            pipe.xack(self.stream, self.group, *entry_ids)
            if delete:
                pipe.xdel(self.stream, *entry_ids)
            pipe.execute()
