"""Site boilerplate recognised as whole lines: comment prompts, share bars, notices, credits, datelines.

Shared by two stages: the clean stage drops these lines, the summary never picks them.

Each pattern must match the *whole* line (after trimming bullets and bars), so a story sentence
that merely mentions comments, cookies or newsletters stays: the patterns describe the short,
formulaic lines sites add around a story, never free prose.
"""

import re
from typing import Final

# Datelines: lines that are only a date, a time or a "published/updated" stamp, in a few languages.
_MONTHS: Final = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro "
    "enero febrero marzo mayo junio julio septiembre octubre noviembre diciembre "
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
    "januar februar märz juni juli oktober dezember "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre"
)
_DAYS: Final = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat sun "
    "segunda terça quarta quinta sexta sábado domingo feira lunes martes miércoles jueves viernes "
    "lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag freitag "
    "samstag sonntag lunedì martedì mercoledì giovedì venerdì sabato"
)
_STAMP_WORDS: Final = (
    "am pm a p m gmt utc bst est edt cst cdt pst pdt cet cest ist jst amt et pt "
    "updated published posted last modified at on by de às a las um le à le h hrs uhr ore alle "
    "atualizado publicado actualizado publié mis jour aggiornato pubblicato aktualisiert "
    "veröffentlicht am ago hours hour minutes minute days day yesterday today"
)
DATE_WORDS: Final = frozenset(f"{_MONTHS} {_DAYS} {_STAMP_WORDS}".split())

_TOKEN = re.compile(r"\w+")
_YEAR_OR_TIME = re.compile(r"\b(?:19|20)\d\d\b|\b\d{1,2}[:.h]\d\d\b")
_MAX_TOKENS: Final = 14
_MIN_SHARE: Final = 0.75


def is_dateline(line: str) -> bool:
    """True when a short line is made of dates, times and stamp words ("Updated at 1:23 p.m.").

    At least one number is required, and three quarters of the tokens must be numbers or
    date words, so "On Monday 5 people died" (a sentence) stays.
    """
    tokens = _TOKEN.findall(line.casefold())
    if not tokens or len(tokens) > _MAX_TOKENS or not any(t.isdigit() for t in tokens):
        return False
    words = sum(1 for t in tokens if t in DATE_WORDS)
    if not words and not _YEAR_OR_TIME.search(line):
        return False  # only numbers: a score line or a table row, not a date
    datey = words + sum(1 for t in tokens if t.isdigit())
    return datey >= _MIN_SHARE * len(tokens) and not line.rstrip().endswith(("?", "!"))


_MAX_WORDS: Final = 40
_MAX_CHARS: Final = 600

_SOCIAL = (
    r"(?:share|tweet|e-?mail|print|facebook|twitter|x|whatsapp|linkedin|pinterest|reddit"
    r"|telegram|copy link|messenger|instagram|youtube|flipboard|tumblr|sms)"
)
_NETWORK = r"(?:twitter|facebook|instagram|youtube|linkedin|tiktok|threads|bluesky|mastodon|flipboard)"
_COMMENTS_WORD = (
    r"(?:comments?|comentários?|comentarios?|commenti|kommentare?|commentaires?|комментарии|reacties)"
)
_HANDLE_OR_MAIL = rf"(?:@\w{{2,}}|\S+@\S+\.\w+|(?:https?://)?(?:www\.)?{_NETWORK}\.com/\w+)"

# A comment section starts here: everything after it is readers' talk, not the story.
COMMENT_HEADINGS: Final = re.compile(
    rf"(?:{_COMMENTS_WORD}(?: \(\d+\))?|\d+ (?:thoughts?|responses?|replies|reactions?) (?:on|to) .+"
    rf"|(?:leave|post|add|write|submit) a (?:comment|reply)|comments? (?:are|is) closed\.?"
    rf"|join (?:the )?discussion|want to join the discussion\??"
    rf"|(?:show|view|load|read) (?:all )?\d*\s*comments"
    rf"|loading comments(?:\.\.\.|…)?|comments? powered by \w+|comment on this (?:story|article|post))",
    re.IGNORECASE,
)

PATTERNS: Final[tuple[tuple[str, re.Pattern[str]], ...]] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("comment_prompt", COMMENT_HEADINGS.pattern),
        ("comment_prompt", rf"\d*\s*{_COMMENTS_WORD}"),
        ("comment_prompt", r"you must be logged in to post a comment\.?"),
        ("comment_prompt", r"(?:cancel reply|reply|be the first to comment\.?|feel free to contribute!?)"),
        ("comment_prompt", r"tell us what you think(?:\.\.\.|…|[.!])?|(?:link permanente|permalink)"),
        ("spam_notice", r"this site uses akismet to reduce spam\..*"),
        ("spam_notice", r"learn how your comment data is processed\.?"),
        (
            "share_bar",
            r"(?:share (?:this(?: article| story| post| page| video)?|on \w+(?: \w+)?|via \w+)\s*:?"
            rf"|{_SOCIAL}(?:[\s|,/·•:]+{_SOCIAL})*)",
        ),
        ("share_bar", r"(?:like|enjoy(?:ed)?|love) this (?:story|article|post)\? share it\b.*"),
        ("follow_prompt", r"follow (?:us|me) (?:on|at)\b.*"),
        ("follow_prompt", rf"follow \S+(?: \S+){{0,6}} on {_NETWORK}\b.*"),
        ("follow_prompt", rf"follow @\w+ on {_NETWORK}\b.*"),
        ("contact", rf"(?:e-?mail|contact|reach) .{{0,80}}\bat {_HANDLE_OR_MAIL}.*"),
        ("contact", rf"have a (?:news )?tip\? .*\b(?:reached|contact|e-?mail)\b.*{_HANDLE_OR_MAIL}.*"),
        ("contact", rf"(?:{_HANDLE_OR_MAIL}|(?:https?://)?(?:www\.)?{_NETWORK}\.com/\w+)"),
        ("newsletter", r"(?:sign up|subscribe|register) (?:for|to) (?:our|the) .*newsletters?.*"),
        (
            "newsletter",
            r"(?:get|start your day with|there's plenty more|there’s plenty more)\b.{0,160}"
            r"\b(?:newsletters?|inbox)\b.*",
        ),
        ("newsletter", r"subscribe to [\w’'.& ]{1,60} newsletters?\.?"),
        ("cookie_notice", r"(?:we|this (?:site|website)) uses? cookies\b.*"),
        ("advertisement", r"(?:advertisement|advert|sponsored(?: content)?|ad|story continues below)"),
        (
            "read_more",
            r"\[?(?:read more|read also|continue reading|see also|related(?: articles| stories| coverage)?"
            r"|more|also|leggi anche|lesen sie auch|leia também|lea también|à lire aussi"
            r"|you (?:may|might) also like|most read(?: in [\w ]+)?|see more photos|more from \S+)"
            r"(?:\.\.\.)?(?:\s*[:|>»›…-].{0,160})?\]?",
        ),
        ("read_more", r"also on [\w-]+\.\w+\b.{0,160}"),
        ("photo_credit", r"\(?(?:main |top )?(?:photo|image|picture|foto|fotó|사진)(?: credit)?\s*[:=].*"),
        ("photo_credit", r"\[(?:photo|image|foto|사진)\s*[:=][^\]]*\]"),
        ("photo_credit", r"\|? ?.{0,400}\((?:photo )?credits?: [^)]{1,80}\)"),
        ("credit", r"(?:additional )?reporting by .{1,200}|edit(?:ed|ing) by [^.]{1,80}\.?"),
        ("credit", r"(?:contributing|source|sources|fonte|fuente|quelle): [^.]{1,80}\.?"),
        ("credit", r"(?:with )?(?:\w+ )?wires?(?: services)?\.?|(?:staff|wire) reports?"),
        ("credit", r"[^.]{1,200}\bcontributed (?:reporting )?to this (?:report|story|article)\.?"),
        ("shortcode", r"\[\w+(?:\s[^\]]*)?\].*\[/\w+\]"),
        ("promo", r".{0,200}\bclick here for (?:more )?(?:information|details)\.?"),
        (
            "promo",
            r"scroll (?:down|up) (?:for|to (?:see|watch|read))(?: the)? (?:videos?|more|full story)\.?",
        ),
        ("link_label", r"[\w ]{1,30}: https?://\S+(?:,? (?:and )?https?://\S+)*"),
        (
            "reading_time",
            r"(?:reading time|tempo de leitura|tiempo de lectura|temps de lecture|lesezeit)"
            r"\s*:?\s*\d+\s*\w+|\d+\s*min(?:ute)?s? read",
        ),
        (
            "byline",
            r"(?:[\d/.:\s-]{6,20}[-–|]\s*)?(?:published|posted|publicado|publié|pubblicato|veröffentlicht)"
            r" (?:by|por|par|da|von)\b.{0,120}",
        ),
        (
            "tags",
            r"(?:tags?|filed under|categories|category|categoria|etiquetas|schlagwörter)(?:\s*:.{0,300})?",
        ),
        ("separator", r"[\W_]+"),
    )
)


def boilerplate_kind(line: str) -> str | None:
    """The kind of boilerplate ``line`` is, or None when it is part of the story."""
    stripped = line.strip().strip("|·•-–— ")
    if not stripped:
        return "separator" if line.strip() else None
    if len(stripped) > _MAX_CHARS or len(stripped.split()) > _MAX_WORDS:
        return None
    for kind, pattern in PATTERNS:
        if pattern.fullmatch(stripped):
            return kind
    return "dateline" if is_dateline(stripped) else None


def is_comment_heading(line: str) -> bool:
    """True for a line that opens a comment thread ("Comments", "6 thoughts on ...")."""
    return COMMENT_HEADINGS.fullmatch(line.strip().strip("|·•-–— ")) is not None
