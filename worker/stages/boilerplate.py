"""Site boilerplate recognised as whole lines: comment prompts, share bars, notices."""

import re
from typing import Final

_MAX_WORDS: Final = 25

_SOCIAL = (
    r"(?:share|tweet|e-?mail|print|facebook|twitter|x|whatsapp|linkedin|pinterest|reddit"
    r"|telegram|copy link|messenger)"
)

PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("comment_prompt", r"(?:leave|post|add|write|submit) a (?:comment|reply)\.?"),
        ("comment_prompt", r"\d*\s*comments?|(?:view|show|load|read) (?:all )?\d*\s*comments"),
        ("comment_prompt", r"you must be logged in to post a comment\.?"),
        ("comment_prompt", r"(?:cancel reply|reply|be the first to comment\.?)"),
        ("spam_notice", r"this site uses akismet to reduce spam\..*"),
        ("spam_notice", r"learn how your comment data is processed\.?"),
        ("share_bar", rf"(?:share (?:this|on|via)\b.*|{_SOCIAL}(?:[\s|,/·•:]+{_SOCIAL})*)"),
        ("follow_prompt", r"follow (?:us|me) (?:on|at)\b.*"),
        ("newsletter", r"(?:sign up|subscribe|register) (?:for|to) (?:our|the) .*newsletters?.*"),
        ("cookie_notice", r"(?:we|this (?:site|website)) uses? cookies\b.*"),
        ("advertisement", r"(?:advertisement|advert|sponsored(?: content)?|ad|story continues below)"),
        (
            "read_more",
            r"(?:read more|continue reading|see also|related(?: articles| stories)?)"
            r"(?:\s*[:|>»›…-].{0,120})?",
        ),
        ("photo_credit", r"\(?(?:photo|image|picture)(?: credit)?:.*"),
    )
)


def boilerplate_kind(line: str) -> str | None:
    """The kind of boilerplate ``line`` is, or None when it is part of the story."""
    stripped = line.strip().strip("|·•-–— ")
    if not stripped or len(stripped.split()) > _MAX_WORDS:
        return None
    for kind, pattern in PATTERNS:
        if pattern.fullmatch(stripped):
            return kind
    return None
