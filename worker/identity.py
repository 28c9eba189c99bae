"""Article identity: the producer's id, else a hash of the content."""

import hashlib
import re
import unicodedata

from schemas.article import RawArticle

_FOLD: dict[str, str] = {
    **dict.fromkeys("‘’‚‛`´′‹›", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
# One regex pass finds the few characters to fold (str.translate looks up every character).
_FOLDED = re.compile("[" + re.escape("".join(_FOLD)) + "]")


def fingerprint(text: str) -> str:
    """The form of a text that its identity hashes.

    NFKC, quotes, dashes and ellipses folded, invisible characters dropped, whitespace collapsed:
    the same story typed or scraped differently has the same fingerprint.
    """
    folded = _FOLDED.sub(lambda found: _FOLD[found.group()], unicodedata.normalize("NFKC", text))
    return " ".join(folded.split())  # str.split splits on exactly the characters \s matches


def content_hash(text: str) -> str:
    """sha256 (hex) of the fingerprint of ``text``."""
    return hashlib.sha256(fingerprint(text).encode("utf-8", "surrogatepass")).hexdigest()


def article_id_for(raw: RawArticle) -> str:
    """The producer's id when it gave one, else the first 32 hex digits of the body's hash."""
    return raw.id if raw.id is not None else content_hash(raw.body)[:32]
