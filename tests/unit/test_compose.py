"""docker-compose.yml agrees with the code: services, queues, commands, healthchecks."""

from pathlib import Path
from typing import Any

import yaml

from worker.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_one_worker_service_per_queue_built_from_the_dockerfile() -> None:
    services = _compose()["services"]
    for queue in Settings().queues:
        service = services[queue]
        command = service["command"]
        assert command[:2] == ["newsflow", "worker"]
        assert command[command.index("--queues") + 1] == queue
        assert service["build"] == "."
        assert "redis:6379" in service["environment"]["NEWSFLOW_REDIS_URL"]
        assert "REDIS_PASSWORD" in service["environment"]["NEWSFLOW_REDIS_URL"]
        assert service["healthcheck"]["test"][1].startswith("newsflow health --node celery@$$HOSTNAME")
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["restart"] == "unless-stopped"
        assert "container_name" not in service  # would forbid --scale
        assert service["deploy"]["resources"]["limits"]["memory"]


def test_redis_is_private_with_a_password_and_healthcheck() -> None:
    redis = _compose()["services"]["redis"]
    assert "ports" not in redis
    assert "--requirepass" in redis["command"]
    policy = redis["command"][redis["command"].index("--maxmemory-policy") + 1]
    assert policy == "noeviction" and "--maxmemory" in redis["command"]
    assert "ping" in " ".join(redis["healthcheck"]["test"])


def test_ingest_bridge_service_runs_the_ingest_command() -> None:
    ingest = _compose()["services"]["ingest"]
    assert ingest["command"] == ["newsflow", "ingest"]
    assert "REDIS_PASSWORD" in ingest["environment"]["NEWSFLOW_REDIS_URL"]
    assert "ping" in " ".join(ingest["healthcheck"]["test"])


def test_flower_is_behind_a_profile() -> None:
    assert _compose()["services"]["flower"]["profiles"] == ["monitoring"]


def test_flower_runs_only_behind_basic_auth_on_localhost() -> None:
    flower = _compose()["services"]["flower"]
    assert flower["ports"] == ["127.0.0.1:5555:5555"]
    assert flower["environment"]["FLOWER_PASSWORD"] == "${FLOWER_PASSWORD:-}"  # from .env, no default
    assert flower["entrypoint"] == [
        "sh",
        "-c",
        'test -n "$$FLOWER_PASSWORD" || { echo "flower: set FLOWER_PASSWORD in .env" >&2; exit 1; };'
        ' export FLOWER_BASIC_AUTH="$$FLOWER_USER:$$FLOWER_PASSWORD"; exec celery flower',
    ]
    assert "FLOWER_PASSWORD=" in (ROOT / ".env.example").read_text(encoding="utf-8")


def test_dockerfile_installs_the_package_with_its_model() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install ." in dockerfile
    assert f"spacy.load('{Settings().spacy_model}')" in dockerfile
    assert "USER " in dockerfile


def test_a_fused_service_on_every_queue_is_behind_a_profile() -> None:
    pipeline = _compose()["services"]["pipeline"]
    assert pipeline["profiles"] == ["fused"]
    assert pipeline["command"][:2] == ["newsflow", "worker"] and "--queues" not in pipeline["command"]
    assert pipeline["healthcheck"]["test"][1].startswith("newsflow health --node celery@$$HOSTNAME")
    assert pipeline["deploy"]["resources"]["limits"]["memory"]


def test_workers_serve_metrics_on_the_private_network_only() -> None:
    services = _compose()["services"]
    for name in (*Settings().queues, "pipeline"):
        service = services[name]
        assert service["environment"]["NEWSFLOW_METRICS_PORT"] == "9808"
        assert "ports" not in service  # reached by Prometheus over the backend network, never the host
        assert "backend" in service["networks"]


def test_prometheus_scrapes_every_worker_service_behind_the_monitoring_profile() -> None:
    compose = _compose()
    prometheus = compose["services"]["prometheus"]
    assert prometheus["profiles"] == ["monitoring"]
    assert prometheus["ports"] == ["127.0.0.1:9090:9090"]
    assert "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in prometheus["volumes"]
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    (job,) = config["scrape_configs"]
    (discovery,) = job["dns_sd_configs"]
    worker_services = {
        name
        for name, service in compose["services"].items()
        if service.get("command", [])[:2] == ["newsflow", "worker"]
    }
    assert set(discovery["names"]) == worker_services
    port = {compose["services"][name]["environment"]["NEWSFLOW_METRICS_PORT"] for name in worker_services}
    assert port == {str(discovery["port"])}


def test_grafana_has_no_default_admin_password_and_listens_on_localhost() -> None:
    grafana = _compose()["services"]["grafana"]
    assert grafana["profiles"] == ["monitoring"]
    assert grafana["ports"] == ["127.0.0.1:3000:3000"]
    environment = grafana["environment"]
    assert environment["GF_SECURITY_ADMIN_PASSWORD"] == "${GRAFANA_PASSWORD:-}"  # from .env, no default
    assert environment["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert grafana["entrypoint"] == [
        "sh",
        "-c",
        'test -n "$$GF_SECURITY_ADMIN_PASSWORD"'
        ' || { echo "grafana: set GRAFANA_PASSWORD in .env" >&2; exit 1; }; exec /run.sh',
    ]
    assert "./deploy/grafana/newsflow.json:/var/lib/grafana/dashboards/newsflow.json:ro" in grafana["volumes"]
    assert "GRAFANA_PASSWORD=" in (ROOT / ".env.example").read_text(encoding="utf-8")


def test_a_rabbitmq_broker_is_behind_a_profile_with_a_password_from_env() -> None:
    compose = _compose()
    rabbitmq = compose["services"]["rabbitmq"]
    assert rabbitmq["profiles"] == ["rabbitmq"]
    assert rabbitmq["image"].startswith("rabbitmq:3.")  # quorum queues, no default delivery limit
    assert rabbitmq["environment"]["RABBITMQ_DEFAULT_PASS"] == "${RABBITMQ_PASSWORD:-}"  # no default
    assert 'test -n "$$RABBITMQ_DEFAULT_PASS"' in rabbitmq["entrypoint"][2]
    # the management UI on localhost; AMQP itself only on the backend network
    assert rabbitmq["ports"] == ["127.0.0.1:15672:15672"]
    assert "rabbitmq-diagnostics" in rabbitmq["healthcheck"]["test"]
    assert "rabbitmq-data" in compose["volumes"]
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert "RABBITMQ_PASSWORD=" in example and "NEWSFLOW_BROKER_URL=amqp://" in example


def test_every_worker_takes_its_broker_from_env_and_waits_for_rabbitmq_only_when_it_runs() -> None:
    services = _compose()["services"]
    for name in (*Settings().queues, "pipeline", "ingest"):
        service = services[name]
        assert service["environment"]["NEWSFLOW_BROKER_URL"] == "${NEWSFLOW_BROKER_URL:-}"  # empty: Redis
        assert service["depends_on"]["rabbitmq"] == {"condition": "service_healthy", "required": False}
    assert Settings(broker_url="").broker == Settings().redis_url  # compose's empty value means Redis
    assert services["flower"]["environment"]["CELERY_BROKER_URL"].startswith(
        "${NEWSFLOW_BROKER_URL:-redis://"
    )
