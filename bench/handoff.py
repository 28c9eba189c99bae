"""What handing a document on between fused stages as JSON cost, per article, beside the stages.

    python -m bench.handoff [--articles N] [--repeat R]

Fused stages run in one task. They used to hand each stage's output on as JSON (the clean
article dumped for the entities stage to parse back, the analysed article the same for the
summary); now the object is handed on and JSON is made only for a queue. This times, on the
same BBC dev articles in one run, the stages in-process and the dump-and-parse round trips that
fusion no longer makes, and prints their share. Results go to bench/results/handoff.json.
"""

import argparse
import time
from pathlib import Path

from bench.common import DEFAULT_DATA, load_articles, write_results
from schemas import RawArticle
from schemas.article import CleanArticle
from schemas.entities import AnalysedArticle
from worker.config import Settings
from worker.nlp import load_nlp
from worker.stages.clean import clean
from worker.stages.entities import analyse
from worker.stages.summary import summarise


def main(argv: list[str] | None = None) -> None:
    """Time the stages and the JSON round trips on the same articles; print and write them."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5, help="round trips timed per article")
    args = parser.parse_args(argv)
    settings = Settings()
    nlp = load_nlp(settings.spacy_model)
    stages = round_trips = 0.0
    texts = load_articles(args.data, args.articles)
    for index, text in enumerate(texts):
        started = time.perf_counter()
        cleaned = clean(RawArticle(id=f"handoff-{index}", text=text), settings)
        analysed = analyse(cleaned, nlp, chunk_chars=settings.ner_chunk_chars)
        summarise(analysed, settings.summary_sentences)
        stages += time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(args.repeat):
            CleanArticle.model_validate_json(cleaned.model_dump_json())
            AnalysedArticle.model_validate_json(analysed.model_dump_json())
        round_trips += (time.perf_counter() - started) / args.repeat
    count = max(len(texts), 1)
    payload = {
        "articles": len(texts),
        "stages_ms_per_article": round(1000 * stages / count, 3),
        "json_round_trips_ms_per_article": round(1000 * round_trips / count, 3),
        "share_of_stages": round(round_trips / stages, 4) if stages else 0.0,
    }
    print(
        f"{len(texts)} articles: stages {payload['stages_ms_per_article']} ms per article; the two JSON "
        f"round trips fusion no longer makes {payload['json_round_trips_ms_per_article']} ms "
        f"({100 * payload['share_of_stages']:.1f}% of the stages)"
    )
    print(f"wrote {write_results('handoff', payload)}")


if __name__ == "__main__":
    main()
