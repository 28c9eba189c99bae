"""The language cost bench's pure parts: configurations, dumped parts, ratios, arguments."""

from pathlib import Path

import pytest

from bench.callgrind import read_totals
from bench.common import ROOT
from bench.language_cost import ENGLISH_ONLY, configs, parse_args, ratios, sum_parts


def test_ratios_are_over_the_first_configuration() -> None:
    figures = ratios({"old": 200.0, "new": 206.0, "new en": 198.0})
    assert figures == {"old": 1.0, "new": 1.03, "new en": 0.99}
    assert ratios({}) == {}


def test_parts_are_summed_by_kind_and_other_dumps_left_out() -> None:
    parts = {"outside:1": 10, "spacy:1": 90, "outside:2": 5, "spacy:2": 45, "end": 3}
    assert sum_parts(parts) == {"spacy": 135, "outside": 15, "total": 150}


def test_the_totals_of_each_dump_are_read_by_name(tmp_path: Path) -> None:
    for number, (name, total) in enumerate([("spacy:1", 70), ("outside:1", 30), ("spacy:1", 5)]):
        (tmp_path / f"callgrind.out.{number}").write_text(
            f"version: 1\ndesc: Trigger: Client Request: {name}\nevents: Ir\nsummary: {total}\n"
        )
    assert read_totals(tmp_path) == {"spacy:1": 75, "outside:1": 30}


def test_the_baselines_come_first_then_the_tree_with_all_languages_and_english_only(tmp_path: Path) -> None:
    found = configs(ROOT, [tmp_path])
    assert [c.tree for c in found] == [tmp_path, ROOT, ROOT]
    assert [c.env for c in found] == [{}, {}, {"NEWSFLOW_LANGUAGES": ENGLISH_ONLY}]
    assert found[0].label == f"(a) {tmp_path} default"  # not a git checkout: named by its path
    assert [c.label[:4] for c in found] == ["(a) ", "(b) ", "(c) "]


def test_arguments_default_to_this_tree_and_refuse_a_folder_without_the_worker(tmp_path: Path) -> None:
    args = parse_args([])
    assert args.tree == ROOT and args.baseline == [] and args.articles == 6
    with pytest.raises(SystemExit):
        parse_args(["--baseline", str(tmp_path)])
    with pytest.raises(SystemExit):
        parse_args(["--articles", "0"])
