"""A stage message's arguments: what ``stage_signature`` writes passes, anything else is named."""

import pytest

from schemas.result import ErrorReason
from worker.errors import PipelineError
from worker.task_message import LARGEST, StageCall, revision_of, stage_call


def test_the_arguments_stage_signature_writes_pass() -> None:
    assert stage_call(("{}",), {"revision": 2, "k": 3}) == StageCall("{}", 2, 3, None)
    assert stage_call(({"text": "x"},), {"revision": 0, "k": None, "max_words": 40}) == StageCall(
        {"text": "x"}, 0, None, 40
    )
    assert stage_call(("doc",), {}) == StageCall("doc", 0, None, None)
    assert stage_call(("doc",), {"revision": LARGEST}).revision == LARGEST


@pytest.mark.parametrize(
    ("args", "kwargs", "named"),
    [
        ((), {}, "0 positional arguments"),
        (("doc", 1), {}, "2 positional arguments"),
        (("doc",), {"bogus": 1, "k": 2}, "unknown options ['bogus']"),
        (("doc",), {"revision": "1"}, "revision must be a whole number"),
        (("doc",), {"revision": -1}, "not -1"),
        (("doc",), {"revision": True}, "not True"),
        (("doc",), {"revision": 1.0}, "not 1.0"),
        (("doc",), {"revision": LARGEST + 1}, "revision must be"),
        (("doc",), {"k": 0}, "k must be a whole number from 1"),
        (("doc",), {"k": "many"}, "not 'many'"),
        (("doc",), {"max_words": [1]}, "max_words must be"),
        (("doc",), {"k": "x" * 500}, "not 'xxx"),
    ],
)
def test_any_other_arguments_are_an_invalid_message_that_says_why(
    args: tuple[object, ...], kwargs: dict[str, object], named: str
) -> None:
    with pytest.raises(PipelineError) as raised:
        stage_call(args, kwargs)
    assert raised.value.reason is ErrorReason.INVALID_MESSAGE
    assert named in raised.value.message
    assert len(raised.value.message) < 200  # a long value is cut short


def test_the_revision_of_an_invalid_message_is_its_own_when_valid() -> None:
    assert revision_of({"revision": 4, "k": "many"}) == 4
    assert revision_of({"revision": "4"}) == 0
    assert revision_of({"revision": False}) == 0
    assert revision_of({}) == 0
