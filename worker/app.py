"""The Celery application: queues, routes and the reliability options, from Settings."""

import ssl
from typing import Any

from celery import Celery
from celery.signals import before_task_publish
from kombu.exceptions import OperationalError

from worker.broker import declarations, with_dead_letters
from worker.config import Settings
from worker.recovery import connect as connect_recovery
from worker.redis_qos import install as keep_unrecorded_messages
from worker.redis_url import is_sentinel, parse_sentinel_url
from worker.tasks import TASK_NAMES, register_tasks

# What sending a task or a control message raises when the broker cannot be reached.
BROKER_UNREACHABLE: tuple[type[Exception], ...] = (OperationalError,)
# How long the worker waits for a new pool process to start (load what it has not inherited from
# the main process: the language detector, a model the main process did not load) before killing it.
PROCESS_START_TIMEOUT_S = 120.0


def broker_connection(settings: Settings) -> tuple[str, dict[str, object]]:
    """The broker URL kombu is given, and the transport options that go with it.

    RabbitMQ gets publisher confirms: a task sends the next stage's message before its own ack,
    and with confirms the send returns once RabbitMQ has the message, so the ack never comes
    before it is safe. Redis gets the visibility timeout; a sentinel:// URL becomes kombu's form
    (one ``sentinel://`` per node) with the master's name and the Sentinels' own credentials as
    transport options.
    """
    if settings.broker_is_amqp:
        return settings.broker, {**settings.broker_transport_options, "confirm_publish": True}
    options: dict[str, object] = {
        **settings.broker_transport_options,
        "visibility_timeout": settings.visibility_timeout_s,
    }
    if not is_sentinel(settings.broker):
        return settings.broker, options
    master = settings.broker_transport_options.get("master_name")
    sentinel = parse_sentinel_url(settings.broker, default_master=None if master is None else str(master))
    return sentinel.kombu_url(), {**options, **sentinel.kombu_options()}


def create_app(settings: Settings | None = None) -> Celery:
    """A Celery app for ``settings`` with the stage tasks registered."""
    settings = settings or Settings()
    if not settings.broker_is_amqp:
        keep_unrecorded_messages()
    broker_url, transport_options = broker_connection(settings)
    app = Celery("newsflow", broker=broker_url, set_as_current=False)
    routes = dict(zip(TASK_NAMES, settings.queues, strict=True))
    tls = settings.redis_tls
    if tls is not None and not settings.broker_is_amqp:
        verify = ssl.CERT_REQUIRED if tls["ssl_cert_reqs"] == "required" else ssl.CERT_NONE
        app.conf.broker_use_ssl = {**tls, "ssl_cert_reqs": verify}
    app.conf.update(
        # JSON only: a pickled message would be code execution.
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        # Late acks and rejection on worker loss: a task whose worker dies runs again.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options=transport_options,
        broker_connection_retry_on_startup=True,
        # On a lost broker connection, stop the tasks in flight instead of letting their results
        # cross the pool's pipes while the consumer restarts (their messages are redelivered).
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_max_memory_per_child=settings.max_memory_per_child_kb,
        # A new pool process warms up (the detector, any model not loaded before the fork) before
        # it reports up; on a busy host that can take longer than Celery's 4 s, and a replacement
        # killed for it is replaced forever.
        worker_proc_alive_timeout=PROCESS_START_TIMEOUT_S,
        task_queues=declarations(settings),
        task_default_queue=settings.queue_clean,
        task_routes={name: {"queue": queue} for name, queue in routes.items()},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    if settings.broker_is_amqp:
        # Quorum queues: a queue Celery creates on its own is one too; the worker sees them and
        # uses per-consumer prefetch (quorum queues have no global QoS) and native delayed
        # delivery for retries' countdowns (an ETA held in the worker would hold a prefetch slot).
        app.conf.update(task_default_queue_type="quorum", worker_detect_quorum_queues=True)
    register_tasks(app, settings)
    connect_recovery(app, settings)
    return app


@before_task_publish.connect(weak=False)
def _declare_dead_letters(declare: list[Any] | None = None, **_: object) -> None:
    """A publish that declares a RabbitMQ stage queue declares its dead-letter queue as well."""
    if declare:
        declare.extend(with_dead_letters(declare))
