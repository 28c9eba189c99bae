"""bench.common's halves: documents and identical ones counted per half of the sorted ids."""

from bench.common import identical_cells, per_half


def test_per_half_counts_documents_and_identical_ones_in_the_ids_order() -> None:
    # sorted ids: a (A), b (B), c (A), d (B); ``same`` follows the order given
    documents, identical = per_half(["b", "a", "c", "d"], [True, False, True, False])
    assert documents == {"A": 2, "B": 2}
    assert identical == {"A": 1, "B": 1}  # a differs, c is the same; b the same, d differs
    assert identical_cells(documents, identical).split() == ["1/2", "1/2"]
