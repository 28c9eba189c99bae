"""Settings from the environment, and the Celery app built from them."""

import ssl

import pytest

from worker.app import create_app
from worker.config import Settings
from worker.logging import redact_url
from worker.tasks import TASK_NAMES


def test_settings_come_from_newsflow_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_REDIS_URL", "rediss://:secret@redis.example:6380/2")
    monkeypatch.setenv("NEWSFLOW_SUMMARY_SENTENCES", "5")
    monkeypatch.setenv("NEWSFLOW_LANGUAGES", '["en", "de"]')
    monkeypatch.setenv("NEWSFLOW_KEY_PREFIX", "nf")
    settings = Settings()
    assert settings.redis_url.startswith("rediss://")
    assert settings.summary_sentences == 5
    assert settings.languages == ("en", "de")
    assert settings.keys.result("a1") == "nf:result:a1"
    assert settings.keys.results_channel == "nf:results"
    assert settings.keys.results_log == "nf:results:log"
    assert settings.keys.dead == "nf:dead"


def test_rediss_url_turns_on_certificate_checks() -> None:
    plain = Settings(redis_url="redis://h:6379/0")
    assert plain.redis_tls is None and "broker_use_ssl" not in create_app(plain).conf.changes
    tls = Settings(redis_url="rediss://:pw@h:6380/0", redis_tls_ca_certs="/etc/ca.pem")
    assert tls.redis_tls == {"ssl_cert_reqs": "required", "ssl_ca_certs": "/etc/ca.pem"}
    broker_ssl = create_app(tls).conf.broker_use_ssl
    assert broker_ssl["ssl_cert_reqs"] is ssl.CERT_REQUIRED and broker_ssl["ssl_ca_certs"] == "/etc/ca.pem"


def test_redis_password_is_redacted() -> None:
    assert redact_url("rediss://:secret@host:6380/0") == "rediss://:***@host:6380/0"
    assert redact_url("redis://user:pw@h/0") == "redis://user:***@h/0"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"


def test_app_has_the_reliability_options_and_one_queue_per_stage() -> None:
    settings = Settings(
        redis_url="redis://127.0.0.1:1/0",
        soft_time_limits_s={"clean": 30, "entities": 50, "summarise": 10},
        hard_time_limits_s={"clean": 40, "entities": 70, "summarise": 20},
    )
    app = create_app(settings)
    conf = app.conf
    assert conf.accept_content == ["json"] and conf.task_serializer == "json"
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > sum(settings.hard_time_limits_s.values())
    limits = {name: (app.tasks[name].soft_time_limit, app.tasks[name].time_limit) for name in TASK_NAMES}
    assert limits == {
        "newsflow.clean": (30, 40),
        "newsflow.entities": (50, 70),
        "newsflow.summarise": (10, 20),
    }
    assert conf.worker_max_memory_per_child == settings.max_memory_per_child_kb
    assert conf.worker_proc_alive_timeout >= 60  # a replacement process loads spaCy before it is up
    queues = {q.name: q for q in conf.task_queues}
    assert set(queues) == {"clean", "entities", "summarise"}
    for name, queue in queues.items():
        # each queue has its own exchange and key: a message reaches exactly one queue
        assert queue.exchange.name == name and queue.routing_key == name
    routes = {task: route["queue"] for task, route in conf.task_routes.items()}
    assert routes == dict(zip(TASK_NAMES, ("clean", "entities", "summarise"), strict=True))
    assert set(TASK_NAMES) <= set(app.tasks)


@pytest.mark.parametrize(
    "bad",
    [
        {"soft_time_limits_s": {"clean": 50, "entities": 50, "summarise": 10}},  # soft above hard
        {"hard_time_limits_s": {"clean": 45, "entities": 90}},  # a stage missing
        {"visibility_timeout_s": 60},  # below the entities hard limit
    ],
)
def test_inconsistent_limits_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"limit|visibility"):
        Settings.model_validate(bad)


def test_the_broker_is_the_redis_url_unless_broker_url_names_rabbitmq(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSFLOW_REDIS_URL", "redis://store:6379/2")
    assert (Settings().broker, Settings().broker_is_amqp) == ("redis://store:6379/2", False)
    monkeypatch.setenv("NEWSFLOW_BROKER_URL", "amqp://u:p@rabbit:5672/newsflow")
    settings = Settings()
    assert (settings.broker, settings.broker_is_amqp) == ("amqp://u:p@rabbit:5672/newsflow", True)
    assert settings.redis_url == "redis://store:6379/2"  # results, status and Streams stay there


def test_on_rabbitmq_the_stage_queues_are_quorum_queues_dead_lettering_to_one_queue() -> None:
    settings = Settings(
        redis_url="rediss://:pw@127.0.0.1:1/0",
        broker_url="amqp://guest:guest@127.0.0.1:1//",
        max_deliveries=4,
    )
    conf = create_app(settings).conf
    queues = {q.name: q for q in conf.task_queues}
    assert set(queues) == {"clean", "entities", "summarise", settings.queue_dead_letters}
    for name in settings.queues:
        arguments = queues[name].queue_arguments
        assert arguments["x-queue-type"] == "quorum" and arguments["x-delivery-limit"] == 4
        assert arguments["x-dead-letter-routing-key"] == settings.queue_dead_letters
        assert queues[name].exchange.type == "topic"  # Celery's native delayed delivery needs it
    assert queues[settings.queue_dead_letters].queue_arguments == {"x-queue-type": "quorum"}
    assert conf.task_acks_late and conf.worker_detect_quorum_queues
    assert conf.broker_transport_options == {"confirm_publish": True}  # no Redis visibility timeout
    assert not conf.broker_use_ssl  # Redis's TLS options are not RabbitMQ's
