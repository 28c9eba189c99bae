"""Lines that are only a date, a time or a "published/updated" stamp, in a few languages."""

import re
from typing import Final

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
