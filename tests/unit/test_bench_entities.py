"""The CoNLL reader and exact-span scoring of bench/entities.py, on tiny handmade input."""

from pathlib import Path

import pytest

from bench.conll import chunks_from_iob1, read_conll, score, to_chunk

SAMPLE = """EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER
-DOCSTART- -X- -X- O

Bill NNP I-NP I-PER
Gates NNP I-NP I-PER
Steve NNP I-NP B-PER
Jobs NNP I-NP I-PER
-DOCSTART- -X- -X- O"""


def test_read_conll_splits_documents_and_iob1_chunks(tmp_path: Path) -> None:
    path = tmp_path / "sample"
    path.write_text(SAMPLE, encoding="utf-8")
    first, second = read_conll(path)
    assert first.text == "EU rejects German call Peter Blackburn"
    assert first.gold == {(0, 1, "ORG"), (2, 3, "MISC"), (4, 6, "PER")}
    assert second.gold == {(0, 2, "PER"), (2, 4, "PER")}  # B- splits adjacent same-type chunks
    assert chunks_from_iob1(["I-PER", "I-PER"], {1}) == {(0, 1, "PER"), (1, 2, "PER")}  # sentence break
    starts = first.starts
    assert to_chunk(starts, 23, 38, "PERSON") == (4, 6, "PER")
    assert to_chunk(starts, 11, 17, "NORP") == (2, 3, "MISC")
    assert to_chunk(starts, 0, 2, "DATE") is None


def test_scores_are_exact_span_micro_averages() -> None:
    gold = {(0, 1, "ORG"), (2, 3, "MISC"), (4, 6, "PER")}
    predicted = {(0, 1, "ORG"), (2, 3, "LOC"), (4, 5, "PER")}  # one right, a wrong type, a short span
    scores = score([(gold, predicted), ({(0, 2, "PER")}, {(0, 2, "PER")})])
    assert scores["ALL"].precision == pytest.approx(0.5) and scores["ALL"].recall == pytest.approx(0.5)
    assert scores["ORG"].f1 == 1.0 and scores["MISC"].f1 == 0.0 and scores["LOC"].f1 == 0.0
    assert scores["PER"].precision == 0.5 and scores["PER"].recall == 0.5 and scores["PER"].support == 2
