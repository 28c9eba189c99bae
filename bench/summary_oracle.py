"""Greedy ROUGE oracle labels: which sentences a summary of k should take to best match the reference.

Tokens as rouge-score makes them (lowercased, Porter-stemmed), so the oracle optimises what the
benchmark scores: the mean of ROUGE-1 and ROUGE-2 F. Sentences are added one at a time, each the
one that raises that mean the most, until k are chosen or none raises it.
"""

from collections import Counter

from rouge_score import tokenizers

_TOKENIZER = tokenizers.DefaultTokenizer(use_stemmer=True)


def tokens(text: str) -> list[str]:
    """rouge-score's tokens of ``text``."""
    return list(_TOKENIZER.tokenize(text))


def _ngrams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _f(candidate: Counter[tuple[str, ...]], reference: Counter[tuple[str, ...]]) -> float:
    overlap = sum((candidate & reference).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(candidate.values())
    recall = overlap / sum(reference.values())
    return 2 * precision * recall / (precision + recall)


def oracle(sentences: list[str], reference: str, k: int) -> list[int]:
    """Indices (in article order) of the greedy oracle's sentences."""
    reference_words = tokens(reference)
    targets = (_ngrams(reference_words, 1), _ngrams(reference_words, 2))
    sentence_words = [tokens(s) for s in sentences]
    chosen: list[int] = []
    best = 0.0
    while len(chosen) < k:
        pick, pick_score = -1, best
        for index, _ in enumerate(sentences):
            if index in chosen:
                continue
            words = [w for i in sorted([*chosen, index]) for w in sentence_words[i]]
            score = (_f(_ngrams(words, 1), targets[0]) + _f(_ngrams(words, 2), targets[1])) / 2
            if score > pick_score:
                pick, pick_score = index, score
        if pick < 0:
            break
        chosen.append(pick)
        best = pick_score
    return sorted(chosen)


def _mean_f(
    picks: list[int], sentence_words: list[list[str]], targets: tuple[Counter[tuple[str, ...]], ...]
) -> float:
    words = [w for i in sorted(picks) for w in sentence_words[i]]
    return (_f(_ngrams(words, 1), targets[0]) + _f(_ngrams(words, 2), targets[1])) / 2


def lead_swap_oracle(
    sentences: list[str], reference: str, k: int, max_swaps: int = 10, margin: float = 0.0
) -> list[int]:
    """Indices (in article order) of the summary "beat the lead" reaches: local search from Lead-k.

    Start from the first ``k`` sentences; while some swap (one sentence out, one in) raises the
    mean of ROUGE-1 and ROUGE-2 F, make the best one (at most ``max_swaps``). A sentence is a
    positive label when the evidence moves the summary to it away from the lead, so the labels keep
    the lead where nothing clearly beats it (the bench's question) instead of marking whatever
    sentences a from-scratch greedy oracle happens to combine. With ``margin`` a swap is made only
    when it raises that mean by at least ``margin`` (0.01 is one ROUGE point).
    """
    reference_words = tokens(reference)
    targets = (_ngrams(reference_words, 1), _ngrams(reference_words, 2))
    sentence_words = [tokens(s) for s in sentences]
    chosen = list(range(min(k, len(sentences))))
    best = _mean_f(chosen, sentence_words, targets)
    for _ in range(max_swaps):
        move: list[int] | None = None
        start = best
        for slot in range(len(chosen)):
            for index in range(len(sentences)):
                if index in chosen:
                    continue
                trial = [*chosen[:slot], index, *chosen[slot + 1 :]]
                score = _mean_f(trial, sentence_words, targets)
                if score > best + 1e-12 and score >= start + margin:
                    best, move = score, trial
        if move is None:
            break
        chosen = move
    return sorted(chosen)
