"""The layout's rules: small modules, stages free of Celery and Redis, one package per stage."""

import ast
from pathlib import Path

import pytest

from worker.checkout import checkout_root

ROOT = Path(__file__).resolve().parents[2]
STAGES = ROOT / "worker" / "stages"
SERVICE_LIBRARIES = {"celery", "redis", "kombu", "billiard"}


def _modules(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", _modules("worker", "schemas"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_300_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_no_stage_module_imports_a_service_library() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) & SERVICE_LIBRARIES)
        for path in _modules("worker/stages")
    }
    assert {name: libs for name, libs in offenders.items() if libs} == {}


def test_the_service_check_sees_an_import() -> None:
    assert "redis" in _imported_roots(ROOT / "worker" / "delivery.py")


def test_each_stage_package_exports_its_stage_function() -> None:
    from worker.stages.clean import clean
    from worker.stages.entities import analyse
    from worker.stages.summary import summarise

    assert [f.__module__ for f in (clean, analyse, summarise)] == [
        "worker.stages.clean.stage",
        "worker.stages.entities.stage",
        "worker.stages.summary.stage",
    ]


def test_no_stage_imports_another_stage() -> None:
    stages = ("clean", "entities", "summary")
    for stage in stages:
        for path in _modules(f"worker/stages/{stage}"):
            text = path.read_text(encoding="utf-8")
            for other in stages:
                if other != stage:
                    assert f"worker.stages.{other}" not in text, (path, other)


def test_checkout_root_is_found_from_the_package_and_not_elsewhere(tmp_path: Path) -> None:
    assert checkout_root() == ROOT
    package = tmp_path / "site-packages" / "worker"
    package.mkdir(parents=True)
    assert checkout_root(package) is None
    (tmp_path / "site-packages" / "bench").mkdir()
    (tmp_path / "site-packages" / "bench" / "perf.py").write_text("")
    assert checkout_root(package) is None  # a "bench" beside it, but no newsflow project


# The layers of ARCHITECTURE.md, bottom to top: a module imports only from its own layer or below.
LAYERS: dict[str, int] = {
    "schemas": 0,
    "worker": 1,
    "worker.config": 1,
    "worker.redis_url": 1,
    "worker.errors": 1,
    "worker.logging": 1,
    "worker.identity": 1,
    "worker.payloads": 1,
    "worker.inputs": 1,
    "worker.task_message": 1,
    "worker.stages": 2,
    "worker.nlp": 2,
    "worker.ner_decoder": 2,
    "worker.encoder": 2,
    "worker.matmul": 2,
    "worker.connection": 3,
    "worker.replication": 3,
    "worker.broker": 3,
    "worker.redis_qos": 3,
    "worker.inflight": 3,
    "worker.delivery": 3,
    "worker.publish_script": 3,
    "worker.eviction": 3,
    "worker.duplicates": 3,
    "worker.streams": 3,
    "worker.consume": 3,
    "worker.embedded": 3,
    "worker.overview": 3,
    "worker.fusion": 4,
    "worker.runtime": 4,
    "worker.failures": 4,
    "worker.main_process_failures": 4,
    "worker.stage_calls": 4,
    "worker.tasks": 4,
    "worker.recovery": 4,
    "worker.app": 4,
    "worker.celery_app": 4,
    "worker.pipeline": 4,
    "worker.ingest": 4,
    "worker.health": 4,
    "worker.metrics": 4,
    "worker.client": 5,
    "worker.render": 5,
    "worker.html_page": 5,
    "worker.checkout": 5,
    "worker.demo": 5,
    "worker.cli_consume": 5,
    "worker.cli_errors": 5,
    "worker.cli_top": 5,
    "worker.cli": 5,
}


def _layer(module: str) -> int:
    while module not in LAYERS:
        module = module.rpartition(".")[0]
    return LAYERS[module]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _upward_imports(name: str, source: str) -> list[str]:
    upward = []
    for node in ast.walk(ast.parse(source)):
        targets = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module]
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
            else []
        )
        upward += [
            f"{name} -> {target}"
            for target in targets
            if target.split(".")[0] in {"worker", "schemas"} and _layer(target) > _layer(name)
        ]
    return upward


def test_every_module_imports_only_from_its_layer_or_below() -> None:
    upward = [
        line
        for path in _modules("worker", "schemas")
        for line in _upward_imports(_module_name(path), path.read_text(encoding="utf-8"))
    ]
    assert upward == []


def test_the_layer_check_sees_an_upward_import() -> None:
    source = "import json\nfrom worker.config import Settings\nfrom worker.delivery import Delivery\n"
    assert _upward_imports("worker.stages.clean.stage", source) == [
        "worker.stages.clean.stage -> worker.delivery"
    ]
    assert _upward_imports("worker.tasks", source) == []
