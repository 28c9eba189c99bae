"""The Grafana dashboard queries only metrics the worker serves, and every one of them."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from worker.metrics import SPECS, served_names

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "newsflow.json"
METRIC = re.compile(r"\bnewsflow_[a-z0-9_]+")


def _expressions(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            else:
                yield from _expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from _expressions(item)


def _queried() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return {name for expr in _expressions(dashboard) for name in METRIC.findall(expr)}


def test_every_metric_the_dashboard_queries_is_served() -> None:
    queried = _queried()
    assert queried, "the dashboard queries no newsflow metric"
    assert queried - served_names() == set()


def test_the_dashboard_shows_every_metric_the_worker_serves() -> None:
    queried = _queried()
    assert [spec.name for spec in SPECS if not set(spec.samples()) & queried] == []


def test_served_names_follow_the_metric_kinds() -> None:
    names = served_names()
    assert "newsflow_published_total" in names and "newsflow_stage_total" in names
    assert {"newsflow_stage_duration_seconds_bucket", "newsflow_stage_duration_seconds_count"} <= names
    assert "newsflow_queue_length" in names
    assert not any(name.endswith("_total_total") for name in names)


def test_the_datasource_the_dashboard_uses_is_provisioned() -> None:
    provisioned = (ROOT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text(
        encoding="utf-8"
    )
    dashboard = DASHBOARD.read_text(encoding="utf-8")
    assert '"uid": "prometheus"' in dashboard and "uid: prometheus" in provisioned
