"""What a page says about its story outside the body: its headlines and its declared language."""

import re
from dataclasses import dataclass
from typing import Any, Final

_HEADLINE_PATHS: Final = (
    "//h1",
    "//title",
    "//meta[@property='og:title']/@content",
    "//meta[@name='twitter:title']/@content",
)
_LANGUAGE_PATHS: Final = (
    "/html/@lang",
    "/html/@xml:lang",
    "//meta[@http-equiv='content-language' or @http-equiv='Content-Language']/@content",
    "//meta[@property='og:locale']/@content",
)
_MAX_PER_PATH: Final = 8
_LANGUAGE_CODE = re.compile(r"^\s*([a-zA-Z]{2})(?:[-_][a-zA-Z0-9]+)*\s*$")


@dataclass(frozen=True)
class PageHints:
    """Headline candidates (``<h1>``, ``<title>``, og:/twitter: titles) and the declared language."""

    headlines: tuple[str, ...] = ()
    language: str | None = None


def _text(node: object) -> str:
    raw = node if isinstance(node, str) else getattr(node, "text_content", lambda: "")()
    return " ".join(str(raw).split())


def language_code(value: str | None) -> str | None:
    """ISO 639-1 code of a declared language ("en-GB", "pt_BR", "fr"), else None."""
    match = _LANGUAGE_CODE.match(value or "")
    return match.group(1).lower() if match else None


def page_hints(tree: Any) -> PageHints:  # an lxml HtmlElement (lxml ships no type hints)
    """Read the hints from a parsed page."""
    headlines: list[str] = []
    for path in _HEADLINE_PATHS:
        for node in tree.xpath(path)[:_MAX_PER_PATH]:
            text = _text(node)
            if text and text not in headlines:
                headlines.append(text)
    language = None
    for path in _LANGUAGE_PATHS:
        codes = [code for node in tree.xpath(path)[:1] if (code := language_code(_text(node)))]
        if codes:
            language = codes[0]
            break
    return PageHints(tuple(headlines), language)
