"""What an English article costs in the stages, counted in instructions, across code trees.

    python -m bench.language_cost [--baseline PATH ...] [--tree PATH] [--articles 6]

Does accepting every language, with an NER model per language, make English news cost more?
Wall-clock ratios on a shared 2-core machine swing by more than the 3% it should resolve, so
this bench counts instructions with callgrind, as ``bench.metrics_cost`` does.

Each configuration is one Python process under callgrind, PYTHONPATH and working directory at
its code tree: every ``--baseline`` tree (e.g. a detached worktree of an older commit) with
default settings, then ``--tree`` (default: this checkout) with default settings and with
``NEWSFLOW_LANGUAGES=["en"]``. Each runs ``worker.pipeline.process_in_process`` (clean,
entities, summarise; with the ``nlp`` argument older trees take) on the same articles, passed
as a JSON file: a warm-up article (a BBC dev article not counted) loads the model and fills the
caches, then the seed and the first BBC dev articles are counted. Instrumentation is off until
then (callgrind client requests from a few lines of C compiled with ``cc``), and the counts are
split at every step of spaCy's ``Language.pipe`` and ``Language.__call__``: inside them
(tokenizer and pipeline components, the same code in every tree) and outside (the project's
own work). Ratios are over the first configuration; JSON in bench/results/language_cost.json.
The inside part imports only the standard library and the tree's ``worker`` and ``schemas``.
"""

import argparse
import ctypes
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ENGLISH_ONLY = '["en"]'


@dataclass(frozen=True)
class Config:
    """One process to count: a code tree and the environment its settings come from."""

    label: str
    tree: Path
    env: dict[str, str]


def configs(tree: Path, baselines: list[Path]) -> list[Config]:
    """The baselines with default settings, then ``tree`` with default settings and English only."""
    found: list[tuple[Path, str, dict[str, str]]] = [(path, "default", {}) for path in [*baselines, tree]]
    found.append((tree, "languages=en", {"NEWSFLOW_LANGUAGES": ENGLISH_ONLY}))
    return [
        Config(f"({chr(97 + i)}) {_describe(p)} {what}", p, env) for i, (p, what, env) in enumerate(found)
    ]


def _describe(tree: Path) -> str:
    """The tree's commit (short hash), with ``+`` when it has uncommitted changes; else its path."""
    git = ["git", "-C", str(tree)]
    try:
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "-uno"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return str(tree)
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def ratios(per_article: dict[str, float]) -> dict[str, float]:
    """Each configuration's instructions per article over the first configuration's."""
    if not per_article:
        return {}
    first = next(iter(per_article.values()))
    return {label: round(value / first, 5) for label, value in per_article.items()}


def sum_parts(parts: dict[str, int]) -> dict[str, int]:
    """Dumped parts named ``spacy:N`` / ``outside:N`` summed by kind, with their ``total``."""
    sums = {"spacy": 0, "outside": 0}
    for name, count in parts.items():
        kind = name.partition(":")[0]
        if kind in sums:
            sums[kind] += count
    return {**sums, "total": sums["spacy"] + sums["outside"]}


def _split_at_spacy(dump: Callable[[str], None], article: list[int]) -> None:
    """Dump the count at every entry into and exit from spaCy's pipe and __call__."""
    from spacy.language import Language

    depth = [0]

    def enter() -> None:
        if depth[0] == 0:
            dump(f"outside:{article[0]}")
        depth[0] += 1

    def leave() -> None:
        depth[0] -= 1
        if depth[0] == 0:
            dump(f"spacy:{article[0]}")

    original_pipe, original_call = Language.pipe, Language.__call__

    def pipe(self: Language, *args: Any, **kwargs: Any) -> Iterator[Any]:
        enter()
        try:
            docs = iter(original_pipe(self, *args, **kwargs))
        finally:
            leave()
        while True:
            enter()
            try:
                doc = next(docs)
            except StopIteration:
                return
            finally:
                leave()
            yield doc

    def call(self: Language, *args: Any, **kwargs: Any) -> Any:
        enter()
        try:
            return original_call(self, *args, **kwargs)
        finally:
            leave()

    Language.pipe = pipe  # type: ignore[method-assign]
    Language.__call__ = call  # type: ignore[method-assign]


def inside(articles: Path, out: Path) -> None:
    """Under callgrind: warm up on the first text, then count the others, split at spaCy."""
    from schemas import RawArticle
    from worker import pipeline
    from worker.config import Settings

    texts: list[str] = json.loads(articles.read_text(encoding="utf-8"))
    shim = ctypes.CDLL(os.environ["NEWSFLOW_CALLGRIND_SHIM"])  # bench.callgrind.SHIM_ENV
    settings = Settings()
    extra: dict[str, Any] = {}
    if "nlp" in inspect.signature(pipeline.process_in_process).parameters:  # before 490ccf7
        from worker.nlp import load_nlp

        extra["nlp"] = load_nlp(settings.spacy_model)
    languages = [pipeline.process_in_process(RawArticle(text=texts[0]), settings, **extra).language]
    article = [0]
    _split_at_spacy(lambda name: shim.part_dump(name.encode()), article)
    shim.part_start()
    for number, text in enumerate(texts[1:], start=1):
        article[0] = number
        languages.append(pipeline.process_in_process(RawArticle(text=text), settings, **extra).language)
        shim.part_dump(f"outside:{number}".encode())
    shim.part_end(b"end")
    worker_file = str(Path(inspect.getfile(pipeline)).resolve())
    out.write_text(json.dumps({"languages": languages, "worker": worker_file}), encoding="utf-8")


# --- outside: run each configuration under callgrind ---


def counted(config: Config, articles: Path, shim: Path, folder: Path) -> dict[str, Any]:
    """Run ``inside`` for ``config`` under callgrind; its counts, split, and what it ran."""
    from bench.callgrind import SHIM_ENV, read_totals

    out_dir = folder / config.label.replace(" ", "_").replace("=", "-")
    out_dir.mkdir()
    command = [
        *("valgrind", "--tool=callgrind", "--instr-atstart=no", "--dump-instr=no", "--dump-line=no"),
        f"--callgrind-out-file={out_dir}/callgrind.out",
        *(sys.executable, "-P", str(HERE), "--inside", str(articles), str(out_dir / "inside.json")),
    ]
    env = {
        **os.environ,
        **config.env,
        "PYTHONPATH": str(config.tree),
        SHIM_ENV: str(shim),
        "PYTHONHASHSEED": "0",
    }
    if "NEWSFLOW_LANGUAGES" not in config.env:
        env.pop("NEWSFLOW_LANGUAGES", None)
    started = time.monotonic()
    subprocess.run(command, env=env, cwd=config.tree, check=True, stderr=subprocess.DEVNULL)
    parts = read_totals(out_dir)
    ran = json.loads((out_dir / "inside.json").read_text(encoding="utf-8"))
    if not str(ran["worker"]).startswith(str(config.tree.resolve())):
        raise RuntimeError(f"{config.label}: ran {ran['worker']}, not the code of {config.tree}")
    return {**sum_parts(parts), "parts": parts, **ran, "seconds": round(time.monotonic() - started, 1)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from bench.common import DEFAULT_DATA, ROOT

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--articles", type=int, default=6, help="articles counted: the seed, then BBC dev")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the code tree to measure (default: this)")
    parser.add_argument(
        "--baseline", type=Path, action="append", default=[], help="a code tree to compare with (repeatable)"
    )
    parser.add_argument("--inside", nargs=2, type=Path, metavar=("ARTICLES", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    for tree in [args.tree, *args.baseline]:
        if not (tree / "worker" / "pipeline.py").is_file():
            parser.error(f"{tree} is not a newsflow code tree (no worker/pipeline.py)")
    args.tree = args.tree.resolve()
    args.baseline = [path.resolve() for path in args.baseline]
    return args


def main(argv: list[str] | None = None) -> int:
    """Count each configuration, print instructions per article and the ratios; write JSON."""
    if argv is None and "--inside" in sys.argv:  # run as a script under callgrind, in another tree
        inside(Path(sys.argv[-2]), Path(sys.argv[-1]))
        return 0
    from bench.callgrind import build_shim
    from bench.common import load_articles, write_results

    args = parse_args(argv)
    texts = load_articles(args.data, args.articles + 1)  # the seed and BBC dev bodies
    warm_up, counted_texts, n = texts[-1], texts[:-1], len(texts) - 1
    results: dict[str, dict[str, Any]] = {}
    runs = configs(args.tree, args.baseline)
    with tempfile.TemporaryDirectory(prefix="newsflow-language-cost-") as name:
        folder = Path(name)
        articles = folder / "articles.json"
        articles.write_text(json.dumps([warm_up, *counted_texts]), encoding="utf-8")
        shim = build_shim(folder)
        for config in runs:
            row = results[config.label] = counted(config, articles, shim, folder)
            print(
                f"{config.label:32s} {row['total'] / n:>14,.0f} instructions per article"
                f" ({row['outside'] / n:,.0f} outside spaCy; {row['seconds']} s)",
                flush=True,
            )
    total = {label: row["total"] / n for label, row in results.items()}
    outside = {label: row["outside"] / n for label, row in results.items()}
    payload: dict[str, Any] = {
        "articles": n,
        "configurations": {c.label: {"tree": str(c.tree), "env": c.env} for c in runs},
        "instructions_per_article": {label: round(value) for label, value in total.items()},
        "outside_spacy_per_article": {label: round(value) for label, value in outside.items()},
        "ratio_total": ratios(total),
        "ratio_outside_spacy": ratios(outside),
        "runs": results,
    }
    for label in results:
        languages = set(results[label]["languages"][1:])
        if languages != {"en"}:
            print(f"warning: {label} took the articles for {sorted(languages)}", file=sys.stderr)
        print(
            f"{label:32s} ratio {payload['ratio_total'][label]:.5f} total,"
            f" {payload['ratio_outside_spacy'][label]:.5f} outside spaCy"
            f" (spaCy's share {1 - outside[label] / total[label]:.1%})"
        )
    print(f"wrote {write_results('language_cost', payload)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
