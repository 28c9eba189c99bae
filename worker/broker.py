"""The stage queues as the broker holds them: their declarations, and how many messages wait.

On Redis (kombu's Redis transport) a queue is a list and its length is read with LLEN (see
``delivery.Delivery.queued``). On RabbitMQ each stage queue is a quorum queue with a delivery
limit whose dead letters go to ``queue_dead_letters``, and its length is read with a passive
``queue.declare``, which reports the messages ready for delivery (not those a worker holds).
"""

from typing import Any

from kombu.connection import Connection
from kombu.entity import Exchange, Queue
from kombu.exceptions import OperationalError

from worker.config import Settings


def stage_queue(settings: Settings, name: str) -> Queue:
    """The kombu declaration of one stage queue for ``settings``' broker."""
    if not settings.broker_is_amqp:
        return Queue(name, Exchange(name, type="direct"), routing_key=name)
    # A topic exchange, so that Celery's native delayed delivery can route retries back in.
    arguments: dict[str, Any] = {
        "x-queue-type": "quorum",
        # The broker's own limit, one delivery beyond the workers' check (failures.py): it only
        # trips when that check could not dead-letter the article (Redis down, the worker died).
        "x-delivery-limit": settings.max_deliveries,
        "x-dead-letter-exchange": settings.queue_dead_letters,
        "x-dead-letter-routing-key": settings.queue_dead_letters,
        # Kept in the source queue until the dead-letter queue confirms it (RabbitMQ >= 3.10).
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    return Queue(name, Exchange(name, type="topic"), routing_key=name, queue_arguments=arguments)


def dead_letter_queue(settings: Settings) -> Queue:
    """RabbitMQ's dead-letter queue for the stage queues (a quorum queue without a limit)."""
    return dead_letters_named(settings.queue_dead_letters)


def dead_letters_named(name: str) -> Queue:
    """The dead-letter queue called ``name``."""
    arguments = {"x-queue-type": "quorum"}
    return Queue(name, Exchange(name, type="topic"), routing_key=name, queue_arguments=arguments)


def with_dead_letters(declare: list[Queue]) -> list[Queue]:
    """The dead-letter queues of the queues a publish declares that are not among them.

    A stage queue must not exist without its dead-letter queue: a message dead-lettered to a
    queue nobody declared yet would have nowhere to go.
    """
    names = {queue.name for queue in declare}
    extra = []
    for queue in declare:
        target = (getattr(queue, "queue_arguments", None) or {}).get("x-dead-letter-routing-key")
        if target and target not in names:
            extra.append(dead_letters_named(target))
            names.add(target)
    return extra


def declarations(settings: Settings) -> list[Queue]:
    """Every queue the Celery app declares: the stage queues, and on RabbitMQ the dead letters."""
    queues = [stage_queue(settings, name) for name in settings.all_queues]
    return [*queues, dead_letter_queue(settings)] if settings.broker_is_amqp else queues


class RabbitQueues:
    """Reads and removes RabbitMQ queues over one connection of its own (reopened when lost)."""

    def __init__(self, settings: Settings, timeout_s: float = 5.0) -> None:
        self.settings = settings
        self.connection = Connection(settings.broker, connect_timeout=timeout_s)
        self._channel: Any = None

    def _channel_open(self) -> Any:
        if self._channel is None or not self.connection.connected:
            self.connection.ensure_connection(max_retries=1)
            self._channel = self.connection.channel()
        return self._channel

    def depth(self, queue: str) -> int:
        """Messages ready in ``queue``; 0 when it was not declared yet."""
        try:
            _, count, _ = self._channel_open().queue_declare(queue=queue, passive=True)
        except self.connection.channel_errors:  # NOT_FOUND closes the channel
            self._channel = None
            return 0
        except (*self.connection.connection_errors, OperationalError):
            self._channel = None
            raise
        return int(count)

    def depths(self, queues: list[str]) -> dict[str, int]:
        """``depth`` of each queue."""
        return {queue: self.depth(queue) for queue in queues}

    def delete(self, queues: list[str]) -> None:
        """Delete these queues and their exchanges (the ones missing are skipped)."""
        for name in queues:
            for delete in ("queue_delete", "exchange_delete"):
                try:
                    getattr(self._channel_open(), delete)(name)
                except self.connection.channel_errors:
                    self._channel = None

    def close(self) -> None:
        """Close the connection."""
        self._channel = None
        self.connection.release()
