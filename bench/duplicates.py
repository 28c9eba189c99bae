"""Near-duplicate detection on BBC dev: recall of generated re-publications, false positives.

    python -m bench.duplicates [--data DIR] [--limit N]

Every BBC dev article is cleaned as the pipeline cleans it, and re-published three ways:
``chrome`` (a new headline and site chrome around the text), ``edited`` (the last paragraph
cut and three words replaced) and ``html`` (the story inside an HTML page with navigation,
related links and a footer, cleaned from HTML); beside them, harder, ``reworded`` (the last
paragraph cut and one word replaced in every paragraph, which with BBC's short paragraphs
breaks about a fifth of the 5-word shingles). Per threshold on the estimated containment
(what the index confirms candidates with), for each half of the ids (sorted, even/odd): recall
(the copy is an LSH candidate of its original and reaches the threshold) and false positives
among all pairs of distinct articles of the same category. Pairs of the corpus with the same
headline or whose bodies share half their shingles are BBC's own duplicates (the same story
under two ids) and are counted apart. Then the real Redis index: CPU time per
signature, time per lookup-and-insert round trip, Redis bytes per article.
Results go to bench/results/duplicates.json.
"""

import argparse
import json
import random
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import numpy as np
import redis

from bench.common import DEFAULT_DATA, HALVES, half_of, write_results
from schemas import RawArticle
from worker.config import Settings
from worker.delivery import Delivery
from worker.duplicates import DuplicateIndex
from worker.stages.clean import clean
from worker.stages.clean.signature import Signature, jaccard, shingles, signature

THRESHOLDS = (0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8)
KINDS = ("chrome", "edited", "html", "reworded")
GOAL_KINDS = KINDS[:3]  # "reworded" is a harder case, reported beside them
OWN_DUPLICATE_JACCARD = 0.5
CHROME_TOP = "Home | News | Sport | Weather | Business\nSign in\n\n"
CHROME_BOTTOM = "\n\nShare this story\nRelated stories\nMost read\n\u00a9 2005 Example Media Group"


@dataclass(frozen=True)
class Story:
    """One BBC dev article: its id, category, headline and paragraphs."""

    id: str
    category: str
    title: str
    paragraphs: list[str]


def load(data: Path, limit: int | None) -> list[Story]:
    stories = []
    with (data / "bbc" / "bbc_dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            title, _, body = record["article"].strip().partition("\n\n")
            paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
            stories.append(Story(record["id"], record["category"], title.strip(), paragraphs))
    return stories[:limit]


def edited(story: Story, rng: random.Random, words: int | None) -> str:
    """The last paragraph cut (of three or more) and ``words`` words replaced (None: one per paragraph)."""
    kept = story.paragraphs[:-1] if len(story.paragraphs) >= 3 else story.paragraphs
    tokens = [paragraph.split(" ") for paragraph in kept]
    if words is None:
        places = [(p, rng.randrange(len(t))) for p, t in enumerate(tokens)]
    else:
        every = [(p, w) for p, t in enumerate(tokens) for w in range(len(t))]
        places = rng.sample(every, min(words, len(every)))
    for p, w in places:
        tokens[p][w] = rng.choice(("also", "now", "reportedly", "further", "still"))
    return f"{story.title}\n\n" + "\n\n".join(" ".join(t) for t in tokens)


def as_html(story: Story) -> str:
    """The story inside a page of site chrome."""
    body = "".join(f"<p>{p}</p>" for p in story.paragraphs)
    related = "".join(f'<li><a href="/news/{n}">Another story number {n}</a></li>' for n in range(6))
    return (
        "<!DOCTYPE html><html><head><title>" + story.title + " | Example News</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{story.title}</h1>{body}</article>"
        f"<aside><h2>Related stories</h2><ul>{related}</ul></aside>"
        "<footer>\u00a9 2005 Example Media Group. All rights reserved.</footer></body></html>"
    )


def cleaned(raw: RawArticle, settings: Settings) -> str:
    return clean(raw, settings).text


def recall_table(
    originals: dict[str, Signature], copies: dict[str, dict[str, Signature]], halves: dict[str, str]
) -> dict[str, dict[str, dict[str, float]]]:
    table: dict[str, dict[str, dict[str, float]]] = {}
    for kind in KINDS:
        table[kind] = {}
        for half in HALVES:
            ids = [i for i in originals if halves[i] == half and i in copies[kind]]
            row = {}
            for t in THRESHOLDS:
                found = sum(
                    originals[i].shares_band(copies[kind][i])
                    and originals[i].containment(copies[kind][i]) >= t
                    for i in ids
                )
                row[str(t)] = round(found / max(1, len(ids)), 4)
            table[kind][half] = row
    return table


def pair_table(
    stories: list[Story], texts: dict[str, str], originals: dict[str, Signature], halves: dict[str, str]
) -> tuple[dict[str, dict[str, int]], list[dict[str, object]]]:
    """False positives per threshold and half among same-category pairs; BBC's own duplicates."""
    titles = {story.id: story.title.casefold() for story in stories}
    by_category: dict[tuple[str, str], list[str]] = defaultdict(list)
    for story in stories:
        if story.id in originals:
            by_category[(story.category, halves[story.id])].append(story.id)
    false_positives = {half: dict.fromkeys(map(str, THRESHOLDS), 0) for half in HALVES}
    own: list[dict[str, object]] = []
    for (_, half), ids in by_category.items():
        for a, b in combinations(ids, 2):
            sa, sb = originals[a], originals[b]
            if not sa.shares_band(sb):
                continue
            estimate = sa.containment(sb)
            exact = jaccard(texts[a], texts[b])
            if exact >= OWN_DUPLICATE_JACCARD or titles[a] == titles[b]:
                own.append({"pair": [a, b], "exact": round(exact, 3), "estimate": round(estimate, 3)})
                continue
            for t in THRESHOLDS:
                false_positives[half][str(t)] += estimate >= t
    return false_positives, own


def redis_costs(originals: dict[str, Signature], copies: dict[str, Signature], url: str) -> dict[str, float]:
    """The real index: the time per round trip, the server's time per script call (from the
    difference of ``INFO commandstats``, so the Redis should serve nothing else meanwhile) for the
    originals (each new to the index) and for their copies (each found), and Redis bytes per article."""
    settings = Settings(redis_url=url, key_prefix=f"nfbench-{uuid.uuid4().hex[:8]}")
    delivery = Delivery.from_settings(settings)
    index = DuplicateIndex(delivery.client, settings)
    server_us: dict[str, float] = {}
    try:
        warm = signature("a text of its own, which loads the script before anything is counted")
        assert warm is not None
        index.check("warm-up", warm)
        started = time.perf_counter()
        for name, signatures in (("originals", originals), ("copies", copies)):
            before = _script_usec(delivery.client)
            for article_id, sig in signatures.items():
                index.check(article_id, sig)
            server_us[name] = (_script_usec(delivery.client) - before) / len(signatures)
        per_check = (time.perf_counter() - started) / (len(originals) + len(copies))
        used = 0
        for key in delivery.client.scan_iter(match=f"{settings.key_prefix}:dup:*", count=1000):
            used += int(delivery.client.memory_usage(key) or 0)
    finally:
        delivery.purge()
        delivery.client.close()
    return {
        "ms_per_round_trip": round(per_check * 1000, 3),
        "server_us_per_original": round(server_us["originals"], 1),
        "server_us_per_copy": round(server_us["copies"], 1),
        "redis_bytes_per_article": round(used / (len(originals) + len(copies))),
    }


def _script_usec(client: redis.Redis) -> float:
    """Microseconds the server has spent running EVALSHA calls since its statistics were reset."""
    stats = client.info("commandstats")
    return float(stats.get("cmdstat_evalsha", {}).get("usec", 0))


def datasketch_ms(texts: list[str]) -> float | None:
    """CPU ms per article of datasketch's MinHash (128 permutations) on the same shingles, if installed."""
    try:
        from datasketch import MinHash  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    started = time.process_time()
    for text in texts:
        minhash = MinHash(num_perm=128)
        minhash.update_batch(list(shingles(text)))
    return (time.process_time() - started) * 1000 / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    settings = Settings()
    stories = load(args.data, args.limit)
    halves = half_of([s.id for s in stories])
    rng = random.Random(15)
    texts: dict[str, str] = {}
    copies_text: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    for story in stories:
        body = "\n\n".join(story.paragraphs)
        texts[story.id] = cleaned(RawArticle(text=f"{story.title}\n\n{body}"), settings)
        new_title = f"UPDATED: {story.title.upper()}"
        copies_text["chrome"][story.id] = cleaned(
            RawArticle(text=f"{CHROME_TOP}{new_title}\n\n{body}{CHROME_BOTTOM}"), settings
        )
        copies_text["edited"][story.id] = cleaned(RawArticle(text=edited(story, rng, 3)), settings)
        copies_text["reworded"][story.id] = cleaned(RawArticle(text=edited(story, rng, None)), settings)
        copies_text["html"][story.id] = cleaned(RawArticle(html=as_html(story)), settings)
    started = time.process_time()
    originals = {i: s for i, t in texts.items() if (s := signature(t)) is not None}
    cpu_ms = (time.process_time() - started) * 1000 / len(texts)
    other_ms = datasketch_ms(list(texts.values()))
    copies = {
        k: {i: s for i, t in v.items() if (s := signature(t)) is not None} for k, v in copies_text.items()
    }
    exact = {k: float(np.mean([jaccard(texts[i], t) for i, t in v.items()])) for k, v in copies_text.items()}
    recall = recall_table(originals, copies, halves)
    false_positives, own = pair_table(stories, texts, originals, halves)
    costs = redis_costs(
        originals, {f"{i}#{k}": s for k, v in copies.items() for i, s in v.items()}, args.redis_url
    )
    print(f"{len(stories)} BBC dev articles; signature CPU {cpu_ms:.3f} ms per article", end="")
    print("" if other_ms is None else f" (datasketch's MinHash on the same shingles: {other_ms:.3f} ms)")
    print(
        f"Redis: {costs['ms_per_round_trip']:.3f} ms per lookup-and-insert; the script's server time"
        f" {costs['server_us_per_original']:.1f} µs per original, {costs['server_us_per_copy']:.1f} per copy;"
        f" {costs['redis_bytes_per_article']:.0f} bytes per article"
    )
    print("mean exact Jaccard of copy and original: " + ", ".join(f"{k} {v:.3f}" for k, v in exact.items()))
    print("threshold " + " ".join(f"{t:>6}" for t in THRESHOLDS))
    for kind in KINDS:
        for half in HALVES:
            print(
                f"recall {kind:<7}{half} "
                + " ".join(f"{recall[kind][half][str(t)]:6.3f}" for t in THRESHOLDS)
            )
    for half in HALVES:
        goal = [float(np.mean([recall[k][half][str(t)] for k in GOAL_KINDS])) for t in THRESHOLDS]
        print(f"recall of {'+'.join(GOAL_KINDS)} {half} " + " ".join(f"{r:6.3f}" for r in goal))
    for half in HALVES:
        print(f"false pos. {half}     " + " ".join(f"{false_positives[half][str(t)]:6d}" for t in THRESHOLDS))
    print(
        f"BBC's own duplicate pairs (same headline or exact Jaccard >= {OWN_DUPLICATE_JACCARD}): {len(own)}"
    )
    path = write_results(
        "duplicates",
        {
            "articles": len(stories),
            "signature_cpu_ms": round(cpu_ms, 4),
            "datasketch_cpu_ms": None if other_ms is None else round(other_ms, 4),
            **costs,
            "mean_exact_jaccard": exact,
            "recall": recall,
            "false_positives": false_positives,
            "own_duplicates": own,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
