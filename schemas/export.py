"""Export the contracts as JSON Schema files: ``python -m schemas.export [DIR]``."""

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.article import CleanArticle, RawArticle
from schemas.entities import AnalysedArticle
from schemas.result import ArticleResult, ErrorEvent

EXPORTED: dict[str, type[BaseModel]] = {
    "raw_article": RawArticle,
    "clean_article": CleanArticle,
    "analysed_article": AnalysedArticle,
    "article_result": ArticleResult,
    "error_event": ErrorEvent,
}

SCHEMA_DIR = Path(__file__).parent / "json"


def render(model: type[BaseModel]) -> str:
    """The JSON Schema of one model, as the text stored in ``schemas/json/``."""
    return json.dumps(model.model_json_schema(mode="serialization"), indent=2, sort_keys=True) + "\n"


def export(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every exported schema into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in EXPORTED.items():
        path = directory / f"{name}.schema.json"
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR
    for written_path in export(target):
        print(written_path)
