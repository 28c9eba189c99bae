"""Inputs as they arrive on the queue: parse them, or at least name them."""

import hashlib
import json
import re

from pydantic import BaseModel, ValidationError

from schemas.article import RawArticle
from schemas.result import ErrorReason
from worker.errors import InvalidArticle
from worker.identity import article_id_for

# How the stages' own documents begin (pydantic keeps field order; ids use only these characters).
_DOCUMENT_HEAD = re.compile(r'\{"schema_version":\d+,"article_id":"([\w.:\-/@]{1,200})"')


def parse_raw(payload: object) -> RawArticle:
    """A RawArticle from a dict or a JSON text; InvalidArticle with a reason code otherwise."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise InvalidArticle(ErrorReason.INVALID_JSON, f"payload is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise InvalidArticle(ErrorReason.INVALID_SCHEMA, "payload is not a JSON object")
    try:
        return RawArticle.model_validate(payload)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'article'}: {e['msg']}" for e in exc.errors())
        raise InvalidArticle(ErrorReason.INVALID_SCHEMA, f"not a RawArticle: {details}") from exc


def payload_id(payload: object) -> str:
    """The best id for an input that may not even parse: its own id, else a hash of it.

    For a stage document (a CleanArticle or AnalysedArticle, as JSON or, between fused stages,
    as the object) this is its article_id, read from the document's head without parsing the
    rest (the task parses it once, later).
    """
    if isinstance(payload, BaseModel):
        given = getattr(payload, "article_id", None)
        payload = {"article_id": given} if isinstance(given, str) else payload.model_dump(mode="json")
    if isinstance(payload, str):
        head = _DOCUMENT_HEAD.match(payload)
        if head is not None:
            return head.group(1)
        try:
            parsed = json.loads(payload)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict):
            return payload_id(parsed)
    if isinstance(payload, dict):
        for field in ("article_id", "id"):
            given = payload.get(field)
            if isinstance(given, str) and given:
                return given[:200]
        try:
            return article_id_for(RawArticle.model_validate(payload))
        except ValidationError:
            pass
    text = payload if isinstance(payload, str) else json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
