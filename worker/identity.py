"""Article identity: the producer's id, else a hash of the content."""

import hashlib
import re

from schemas.article import RawArticle

_QUOTES = str.maketrans({"‘": "'", "’": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"'})
_SPACE = re.compile(r"\s+")


def fingerprint(text: str) -> str:
    """The form of a text that its identity hashes: quotes folded, whitespace collapsed."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


def content_hash(text: str) -> str:
    """sha256 (hex) of the fingerprint of ``text``."""
    return hashlib.sha256(fingerprint(text).encode("utf-8", "surrogatepass")).hexdigest()


def article_id_for(raw: RawArticle) -> str:
    """The producer's id when it gave one, else the first 32 hex digits of the body's hash."""
    return raw.id if raw.id is not None else content_hash(raw.body)[:32]
