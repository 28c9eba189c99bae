"""bench.side_by_side: the first columns, JSON and difference count the two-way benches share."""

from bench.matmul import Row
from bench.side_by_side import HEADER, differing


def test_a_row_prints_under_the_header_and_records_its_fields_then_its_speed_up() -> None:
    row = Row("en_core_web_sm", "bbc_dev", {"A": 3, "B": 2}, {"A": 3, "B": 1}, blis_ms=4.0, numpy_ms=2.0)
    assert len(row.cells()) == len(HEADER)
    assert row.cells().split() == ["en_core_web_sm", "bbc_dev", "3/3", "1/2"]
    record = row.record()
    assert list(record) == ["model", "dataset", "documents", "identical", "blis_ms", "numpy_ms", "speed_up"]
    assert record["speed_up"] == 2.0
    other = Row("fr_core_news_sm", "bbc_dev", {"A": 1, "B": 1}, {"A": 0, "B": 1}, blis_ms=1.0, numpy_ms=1.0)
    assert differing([row, other]) == 2  # one of B's in the first row, one of A's in the second
