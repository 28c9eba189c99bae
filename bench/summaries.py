"""Summary quality benchmark: clean -> entities -> summary against Lead-k, TextRank and LexRank.

    python -m bench.summaries [--data DIR] [--limit N] [--fresh] [--scorer PATH]

Every system picks from the same sentence splits (the entities stage's). Scores are mean
ROUGE-1/2/L F-measures (rouge-score, Porter stemmer). The sentence splits, entities and the
TextRank distances are cached under bench/results/cache/ so tuning loops are fast; ``--fresh``
recomputes everything through the real stages (and refreshes the cache).

Per set and half it also prints newsflow's R1 minus the best anchor's with a 95% paired
bootstrap interval over the articles (when the interval spans zero, the set cannot tell the two
apart), and the summary stage's time beside the entities stage's, both timed afresh on the same
articles one after the other.

Producers choose the summary's length, so every set is also scored at other lengths than its own
(``SWEEP``: 1 to 5 sentences), newsflow beside Lead-k per half: a scorer that only suits the sets'
own k shows it there. ``--scorer`` scores a scorer file ``bench.summary_train --out`` wrote
instead of the shipped one.
"""

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language

from bench.common import HALVES, half_of
from bench.summary_anchors import lead, lexrank, load_textrank, textrank, textrank_distances
from bench.summary_data import (
    DATASETS,
    DEFAULT_DATA,
    RESULTS,
    DataSet,
    Item,
    analyse_items,
    cached_map,
    read_items,
)
from bench.summary_scoring import Rouge, article_scores, beats, mean_of, paired_gap
from schemas import RawArticle
from schemas.entities import AnalysedArticle
from worker.config import Settings
from worker.nlp import load_nlp
from worker.stages.clean import clean
from worker.stages.entities import analyse
from worker.stages.summary import METHOD, summarise
from worker.stages.summary.model import SCORER_FILE, Scorer, scorer_from_dict

CACHE = RESULTS / "cache"
TIMED = 60  # articles of each set timed through both stages side by side
SWEEP = (1, 2, 3, 4, 5)  # summary lengths every set is also scored at


def _cache(dataset: DataSet, kind: str) -> Path:
    return CACHE / f"{dataset.name}.{kind}.jsonl"


def _join(texts: list[str], picks: list[int]) -> str:
    return " ".join(texts[i] for i in picks)


def _textrank_picks(
    items: list[Item], articles: list[AnalysedArticle], *, k: int, model: str, cache: Path, refresh: bool
) -> list[list[int]]:
    nlp = load_textrank(model)
    by_id = {a.article_id: a for a in articles}

    def run(item: Item) -> str:
        article = by_id[item.id]
        spans = [(s.start, s.end) for s in article.sentences]
        return json.dumps(textrank_distances(nlp, article.text, spans))

    documents, _ = cached_map(items, cache, f"{model}:textrank", run, refresh=refresh)
    return [textrank(json.loads(document), k) for document in documents]


def stage_times(
    items: list[Item], nlp: Language, settings: Settings, k: int, sample: int = TIMED
) -> tuple[float, float]:
    """Seconds the entities stage and the summary stage take on the first ``sample`` articles,
    each article through one and then the other, so both are timed under the same load (the
    cached analyses' own timings come from whatever run made the cache)."""
    entities = summary = 0.0
    for item in items[:sample]:
        cleaned = clean(RawArticle(id=item.id, text=item.article), settings)
        started = time.perf_counter()
        article = analyse(cleaned, nlp, chunk_chars=settings.ner_chunk_chars)
        middle = time.perf_counter()
        summarise(article, k)
        entities += middle - started
        summary += time.perf_counter() - middle
    return entities, summary


def length_sweep(
    scorer: Scorer,
    articles: list[AnalysedArticle],
    texts: list[list[str]],
    references: list[str],
    parts: dict[str, list[int]],
    *,
    scored: dict[int, dict[str, np.ndarray]],
) -> list[dict[str, Any]]:
    """Per summary length in ``SWEEP`` and per half, newsflow's and Lead-k's mean R1 and R2.

    ``scored``: the per-article scores already made at some lengths (the set's own k), by
    system ("newsflow", "lead"); the other lengths are summarised and scored here.
    """
    rows: list[dict[str, Any]] = []
    for k in SWEEP:
        scores = scored.get(k)
        if scores is None:
            systems = {
                "newsflow": [summarise(article, k, scorer=scorer).summary.text for article in articles],
                "lead": [_join(t, lead(len(t), k)) for t in texts],
            }
            scores = {
                name: article_scores(list(zip(candidates, references, strict=True)))
                for name, candidates in systems.items()
            }
        for half in HALVES:
            means = {name: mean_of(table[parts[half]]) for name, table in scores.items()}
            rows.append({"k": k, "half": half, **{name: vars(score) for name, score in means.items()}})
    return rows


def run_dataset(
    dataset: DataSet, data_dir: Path, settings: Settings, limit: int | None, fresh: bool, *, scorer: Scorer
) -> dict[str, Any]:
    """Score the summariser and the anchors on one data set; timings of the two stages."""
    items = read_items(data_dir, dataset, limit)
    nlp = load_nlp(settings.spacy_model)
    articles, _ = analyse_items(items, nlp, settings, _cache(dataset, "analysed"), refresh=fresh)
    texts = [[a.text[s.start : s.end] for s in a.sentences] for a in articles]
    references = [item.reference for item in items]
    k = dataset.k

    ours = [summarise(article, k, scorer=scorer) for article in articles]
    entities_seconds, summary_seconds = stage_times(items, nlp, settings, k)

    textrank_picks = _textrank_picks(
        items, articles, k=k, model=settings.spacy_model, cache=_cache(dataset, "textrank"), refresh=fresh
    )
    systems: dict[str, list[str]] = {
        f"Lead-{k}": [_join(t, lead(len(t), k)) for t in texts],
        "TextRank": [_join(t, picks) for t, picks in zip(texts, textrank_picks, strict=True)],
        "LexRank": [_join(t, lexrank(t, k)) for t in texts],
        f"newsflow ({METHOD})": [result.summary.text for result in ours],
    }
    halves = half_of([item.id for item in items])
    parts: dict[str, list[int]] = {"all": list(range(len(items)))}
    parts.update({half: [i for i, item in enumerate(items) if halves[item.id] == half] for half in HALVES})
    per_article = {
        name: article_scores(list(zip(candidates, references, strict=True)))
        for name, candidates in systems.items()
    }
    by_part = {
        part: {name: mean_of(scores[rows]) for name, scores in per_article.items()}
        for part, rows in parts.items()
    }
    ours_name = f"newsflow ({METHOD})"

    def met(scores: dict[str, Rouge]) -> bool:
        return beats(scores[ours_name], [s for name, s in scores.items() if name != ours_name])

    def gap(part: str) -> dict[str, float | str]:
        rows = parts[part]
        scores = by_part[part]
        anchor = max((name for name in scores if name != ours_name), key=lambda name: scores[name].r1)
        found = paired_gap(per_article[ours_name][rows], per_article[anchor][rows])
        return {"anchor": anchor, "r1": found.r1, "low": found.low, "high": found.high}

    return {
        "dataset": dataset.name,
        "articles": len(items),
        "k": k,
        "scores": {name: vars(score) for name, score in by_part["all"].items()},
        "halves": {half: {name: vars(score) for name, score in by_part[half].items()} for half in HALVES},
        "goal_met": all(met(scores) for scores in by_part.values()),
        "goal_met_by_part": {part: met(scores) for part, scores in by_part.items()},
        "r1_gap_to_best_anchor": {part: gap(part) for part in parts},
        "entities_seconds": round(entities_seconds, 3),
        "summary_seconds": round(summary_seconds, 3),
        "summary_over_entities": round(summary_seconds / max(entities_seconds, 1e-9), 4),
        "params": dict(ours[0].summary.params) if ours else {},
        "length_sweep": length_sweep(
            scorer,
            articles,
            texts,
            references,
            parts,
            scored={k: {"newsflow": per_article[ours_name], "lead": per_article[f"Lead-{k}"]}},
        ),
    }


def table(results: list[dict[str, Any]]) -> str:
    """The results side by side: per data set and system, the whole set and its halves A and B."""
    head = f"{'dataset':<12} {'n':>5} {'k':>2}  {'system':<34}"
    columns = "".join(f" {part + ' ' + metric:>9}" for part in ("all", *HALVES) for metric in ("R1", "R2"))
    lines = [head + columns + f" {'all RL':>9}"]
    for result in results:
        parts = {"all": result["scores"], **result["halves"]}
        for name, score in result["scores"].items():
            cells = "".join(
                f" {Rouge(**parts[part][name]).r1:>9.2f} {Rouge(**parts[part][name]).r2:>9.2f}"
                for part in ("all", *HALVES)
            )
            lines.append(
                f"{result['dataset']:<12} {result['articles']:>5} {result['k']:>2}  {name:<34}"
                f"{cells} {Rouge(**score).rl:>9.2f}"
            )
        verdicts = ", ".join(
            f"{part} {'yes' if ok else 'NO'}" for part, ok in result["goal_met_by_part"].items()
        )
        gaps = ", ".join(
            f"{part} {g['r1']:+.2f} [{g['low']:+.2f}, {g['high']:+.2f}] vs {g['anchor']}"
            for part, g in result["r1_gap_to_best_anchor"].items()
        )
        lines.append(f"{'':<12} R1 minus the best anchor's, 95% paired bootstrap interval: {gaps}")
        lines.append(
            f"{'':<12} on {min(TIMED, result['articles'])} articles side by side, summary stage "
            f"{result['summary_seconds']:.2f} s vs entities stage "
            f"{result['entities_seconds']:.2f} s ({100 * result['summary_over_entities']:.1f}%); "
            f"goal (>= best anchor R1 and R2): {verdicts}"
        )
    return "\n".join(lines)


def sweep_table(results: list[dict[str, Any]]) -> str:
    """Newsflow minus Lead-k (R1 / R2) per set, half and summary length."""
    lines = [
        f"{'dataset':<12} {'half':<4}" + "".join(f" {'k=' + str(k) + ' R1/R2 vs Lead':>20}" for k in SWEEP)
    ]
    for result in results:
        for half in HALVES:
            rows = {row["k"]: row for row in result["length_sweep"] if row["half"] == half}
            cells = "".join(
                f" {rows[k]['newsflow']['r1'] - rows[k]['lead']['r1']:>+9.2f}"
                f" {rows[k]['newsflow']['r2'] - rows[k]['lead']['r2']:>+9.2f}"
                + ("*" if k == result["k"] else " ")
                for k in SWEEP
            )
            lines.append(f"{result['dataset']:<12} {half:<4}{cells}")
    lines.append("(* the set's own length, scored in the table above)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark on every data set, print the table and write the JSON results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles of each set")
    parser.add_argument("--fresh", action="store_true", help="recompute everything, ignore the cache")
    parser.add_argument("--scorer", type=Path, default=SCORER_FILE, help="the scorer file to score")
    args = parser.parse_args(argv)
    settings = Settings()
    scorer = scorer_from_dict(json.loads(args.scorer.read_text(encoding="utf-8")))
    results = [
        run_dataset(dataset, args.data, settings, args.limit, args.fresh, scorer=scorer)
        for dataset in DATASETS
    ]
    print(table(results))
    print("\nAt other summary lengths, newsflow minus Lead-k:")
    print(sweep_table(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    shipped = args.scorer.resolve() == SCORER_FILE.resolve()
    out = RESULTS / ("summaries.json" if shipped else f"summaries-{args.scorer.stem}.json")
    out.write_text(json.dumps({"model": settings.spacy_model, "results": results}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
