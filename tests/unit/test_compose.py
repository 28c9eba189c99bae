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
