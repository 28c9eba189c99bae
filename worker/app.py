"""The Celery application: queues, routes and the reliability options, from Settings."""

import ssl

from celery import Celery
from kombu.entity import Exchange, Queue
from kombu.exceptions import OperationalError

from worker.config import Settings
from worker.tasks import TASK_NAMES, register_tasks

# What sending a task or a control message raises when the broker cannot be reached.
BROKER_UNREACHABLE: tuple[type[Exception], ...] = (OperationalError,)


def broker_connection(settings: Settings) -> tuple[str, dict[str, object]]:
    """The broker URL kombu is given, and the transport options that go with it.

    A sentinel:// URL becomes kombu's form (one ``sentinel://`` per node) with the master's name
    and the Sentinels' own credentials as transport options.
    """
    options: dict[str, object] = {
        **settings.broker_transport_options,
        "visibility_timeout": settings.visibility_timeout_s,
    }
    if settings.sentinel is None:
        return settings.redis_url, options
    return settings.sentinel.kombu_url(), {**options, **settings.sentinel.kombu_options()}


def create_app(settings: Settings | None = None) -> Celery:
    """A Celery app for ``settings`` with the stage tasks registered."""
    settings = settings or Settings()
    broker_url, transport_options = broker_connection(settings)
    app = Celery("newsflow", broker=broker_url, set_as_current=False)
    routes = dict(zip(TASK_NAMES, settings.queues, strict=True))
    tls = settings.redis_tls
    if tls is not None:
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
        # A new pool process loads its spaCy models before it reports up (worker_process_init):
        # on a busy machine that takes longer than Celery's 4 s, and a process killed for it is
        # replaced by one that starts over (seen after a Sentinel failover replaced the pool).
        worker_proc_alive_timeout=60.0,
        task_queues=[
            Queue(name, Exchange(name, type="direct"), routing_key=name) for name in settings.all_queues
        ],
        task_default_queue=settings.queue_clean,
        task_routes={name: {"queue": queue} for name, queue in routes.items()},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    register_tasks(app, settings)
    return app
