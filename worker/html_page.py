"""One self-contained HTML page per result: mentions, summary sentences and quotes marked.

No script, no external request: inline CSS only, every piece of article text escaped, so an
article's own markup is shown, never run. Each mention is one ``<mark>`` carrying its entity id
and label and linking to the entity's card (its title attribute shows the canonical name,
aliases and salience); summary sentences carry their rank, quotes their speaker. Annotations
nest summary > quote > mention; where a sentence or quote boundary falls inside a mention it is
moved to the mention's end, so that a mention is never split.
"""

from dataclasses import dataclass
from html import escape
from itertools import pairwise

from schemas.entities import Entity
from schemas.result import ArticleResult

# Nothing but the inline style may load or run, whatever the page holds.
_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
_CSS = """
:root{--bg:#fff;--fg:#1b1b1b;--muted:#666;--card:#f4f4f6;--sum:#fff4c2;--quote:#e6f0ff;
--PERSON:#ffd9d9;--ORG:#d9f2ff;--GPE:#dcf5dc;--LOC:#dcf5dc;--other:#eee3ff}
@media (prefers-color-scheme:dark){:root{--bg:#15161a;--fg:#e8e8ea;--muted:#9a9aa2;--card:#23242a;
--sum:#4a4120;--quote:#1f3250;--PERSON:#5a2a2a;--ORG:#1f4a5e;--GPE:#24502a;--LOC:#24502a;--other:#43335e}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:46rem;padding:1rem;background:var(--bg);color:var(--fg);
font:17px/1.6 system-ui,-apple-system,"Segoe UI",sans-serif;overflow-wrap:anywhere}
h1{font-size:1.5rem;line-height:1.3}h2{font-size:1.1rem;margin-top:2rem}
.meta,small{color:var(--muted);font-size:.8rem}
mark{background:var(--other);color:inherit;border-radius:.25rem;padding:0 .15rem;text-decoration:none}
mark[data-label=PERSON]{background:var(--PERSON)}mark[data-label=ORG]{background:var(--ORG)}
mark[data-label=GPE],mark[data-label=LOC]{background:var(--GPE)}
mark small{margin-left:.2rem;font-size:.6rem;font-weight:600;letter-spacing:.03em}
a.ent{color:inherit;text-decoration:none}a.ent:focus mark,a.ent:hover mark{outline:2px solid var(--fg)}
.summary{background:var(--sum);border-radius:.2rem}
.rank{font-size:.65rem;font-weight:700;vertical-align:super;margin-right:.15rem}
q.quote{background:var(--quote);quotes:none}.speaker{font-size:.7rem;color:var(--muted)}
ul.cards{list-style:none;padding:0}ul.cards li{background:var(--card);margin:.3rem 0;padding:.4rem .6rem;
border-radius:.4rem}
table{border-collapse:collapse;font-size:.85rem}td{padding:.1rem .6rem .1rem 0}
"""


@dataclass(frozen=True)
class _Mark:
    """One annotation over ``[start, end)`` of the body; ``layer`` 0 summary, 1 quote, 2 mention."""

    start: int
    end: int
    layer: int
    opening: str
    closing: str


def _entity_title(entity: Entity) -> str:
    aliases = ", ".join(entity.aliases) or "none"
    return f"{entity.name} ({entity.label}); aliases: {aliases}; salience {entity.salience:.2f}"


def _marks(result: ArticleResult) -> list[_Mark]:
    names = {e.id: e.name for e in result.entities}
    marks = []
    ranked = sorted(range(len(result.summary.sentences)), key=lambda i: -result.summary.sentences[i].score)
    for rank, index in enumerate(ranked, start=1):
        sentence = result.summary.sentences[index]
        opening = f'<span class="summary" data-rank="{rank}"><span class="rank">{rank}</span>'
        marks.append(_Mark(sentence.start, sentence.end, 0, opening, "</span>"))
    for quote in result.quotes:
        speaker = names.get(quote.speaker or "", "")
        said = f' data-speaker="{escape(quote.speaker or "")}" title="{escape(speaker or "speaker unknown")}"'
        marks.append(_Mark(quote.start, quote.end, 1, f'<q class="quote"{said}>', "</q>"))
    for entity in result.entities:
        for mention in entity.mentions:
            opening = (
                f'<a class="ent" href="#{escape(entity.id)}" title="{escape(_entity_title(entity))}">'
                f'<mark data-entity="{escape(entity.id)}" data-label="{escape(entity.label)}">'
            )
            closing = f"<small>{escape(entity.label)}</small></mark></a>"
            marks.append(_Mark(mention.start, mention.end, 2, opening, closing))
    return marks


def _snap(position: int, mentions: list[_Mark]) -> int:
    """``position`` moved past the mention it falls strictly inside, if any."""
    for mention in mentions:
        if mention.start < position < mention.end:
            return mention.end
    return position


def _paragraph(text: str, start: int, end: int, marks: list[_Mark]) -> str:
    mentions = [m for m in marks if m.layer == 2 and m.start >= start and m.end <= end]
    outer = [
        _Mark(
            _snap(max(m.start, start), mentions),
            min(_snap(m.end, mentions), end),
            m.layer,
            m.opening,
            m.closing,
        )
        for m in marks
        if m.layer < 2 and m.start < end and m.end > start
    ]
    inside = mentions + [m for m in outer if m.end > m.start]
    cuts = sorted({start, end} | {p for m in inside for p in (m.start, m.end)})
    out: list[str] = []
    stack: list[_Mark] = []
    for a, b in pairwise(cuts):
        active = sorted((m for m in inside if m.start <= a and m.end >= b), key=lambda m: (m.layer, m.start))
        keep = 0
        while keep < min(len(stack), len(active)) and stack[keep] is active[keep]:
            keep += 1
        out.extend(m.closing for m in reversed(stack[keep:]))
        out.extend(m.opening for m in active[keep:])
        stack = active
        out.append(escape(text[a:b]))
    out.extend(m.closing for m in reversed(stack))
    return "<p>" + "".join(out) + "</p>"


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, position = [], 0
    for piece in text.split("\n\n"):
        if piece.strip():
            spans.append((position, position + len(piece)))
        position += len(piece) + 2
    return spans


def _entity_cards(result: ArticleResult) -> str:
    items = [
        f'<li id="{escape(e.id)}"><b>{escape(e.name)}</b> <small>{escape(e.label)} · {e.count}×'
        f" · salience {e.salience:.2f}"
        + (f" · also {escape(', '.join(e.aliases))}" if e.aliases else "")
        + "</small></li>"
        for e in result.entities
    ]
    return '<ul class="cards">' + "".join(items) + "</ul>" if items else "<p><small>no entities</small></p>"


def _quote_cards(result: ArticleResult) -> str:
    names = {e.id: e.name for e in result.entities}
    items = [
        f'<li>“{escape(q.text)}” <span class="speaker">— {escape(names.get(q.speaker or "", "unattributed"))}'
        "</span></li>"
        for q in result.quotes
    ]
    return '<ul class="cards">' + "".join(items) + "</ul>" if items else "<p><small>no quotes</small></p>"


def render_page(result: ArticleResult) -> str:
    """The result as one self-contained HTML page."""
    marks = _marks(result)
    body = "".join(_paragraph(result.text, a, b, marks) for a, b in _paragraph_spans(result.text))
    removed = "".join(f"<li><small>{escape(r.kind)}</small> {escape(r.text)}</li>" for r in result.removed)
    timings = "".join(f"<tr><td>{escape(k)}</td><td>{v:.1f} ms</td></tr>" for k, v in result.timings.items())
    meta = (
        f"{escape(result.article_id)} · {escape(result.language)} · {escape(result.model.name)} "
        f"{escape(result.model.version)} · summary: {escape(result.summary.method)}"
    )
    return (
        f'<!DOCTYPE html><html lang="{escape(result.language)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">'
        f"<title>{escape(result.title or result.article_id)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{escape(result.title)}</h1><p class="meta">{meta}</p>'
        f'<article id="text">{body}</article>'
        f"<h2>Entities</h2>{_entity_cards(result)}<h2>Quotes</h2>{_quote_cards(result)}"
        f'<h2>Removed boilerplate</h2><ul class="cards">{removed}</ul>'
        f"<h2>Timings</h2><table>{timings}</table></body></html>\n"
    )
