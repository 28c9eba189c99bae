"""Near-duplicates across the feed: the Redis index itself, then through real workers."""

import random
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from schemas import ArticleResult, RawArticle
from tests.conftest import cleanup, make_settings, start_worker, stop_worker, wait_for
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.duplicates import SKIPPED, DuplicateIndex, annotate, annotate_later, band_fields
from worker.pipeline import submit
from worker.stages.clean import clean
from worker.stages.clean.signature import BANDS, signature

PEOPLE = ["Anna Berg", "Tom Hale", "Ruth Okafor", "Li Wen", "Sam Ortiz", "Maya Patel"]
THINGS = ["the council", "the hospital", "the school board", "the rail operator", "the museum"]
PLACES = ["Leeds", "Cardiff", "Glasgow", "Norwich", "Bristol", "Exeter"]


def story(seed: int, sentences: int = 14) -> str:
    """An English news-like body of its own: distinct seeds share almost no 5-word shingle."""
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        lines.append(
            f"{rng.choice(PEOPLE)} said {rng.choice(THINGS)} in {rng.choice(PLACES)} would spend "
            f"{rng.randint(2, 900)} million pounds over {rng.randint(2, 19)} years on new work."
        )
    return "\n\n".join(" ".join(lines[i : i + 2]) for i in range(0, len(lines), 2))


def copy_of(text: str) -> str:
    """A re-publication: the last paragraph cut and one word edited."""
    paragraphs = text.split("\n\n")[:-1]
    return "\n\n".join(paragraphs).replace("new work", "fresh work", 1)


def _result(delivery: Delivery, article_id: str) -> ArticleResult:
    assert wait_for(delivery, article_id) == "result"
    event = delivery.fetch(article_id)
    assert event is not None
    return ArticleResult.model_validate_json(event.document)


def test_the_index_answers_the_earliest_copy_once_per_article(own_settings: Settings) -> None:
    delivery = Delivery.from_settings(own_settings)
    index = DuplicateIndex(delivery.client, own_settings)
    original, copy, later, other = story(1), copy_of(story(1)), copy_of(copy_of(story(1))), story(2)
    signatures = [signature(t) for t in (original, copy, later, other)]
    assert all(s is not None for s in signatures)
    first, second, third, fourth = signatures
    assert first and second and third and fourth
    assert index.check("a", first) is None
    match = index.check("b", second)
    assert match is not None and match.article_id == "a" and 0.5 <= match.similarity < 1.0
    third_match = index.check("c", third)
    assert third_match is not None and third_match.article_id == "a"  # the earliest, not "b"
    assert index.check("d", fourth) is None
    assert index.check("a", first) is None  # a redelivery does not find itself
    again = index.check("b", second)
    assert again is not None and again.article_id == "a"
    band_keys = list(delivery.client.scan_iter(match=f"{own_settings.keys.duplicate_bands}*"))
    fields = sum(int(delivery.client.hlen(key)) for key in band_keys)
    assert BANDS <= fields <= 4 * BANDS  # "a" and "d" own all of theirs; copies add few or none
    # Small hashes, packed by Redis into one block each (not one key and one expiry per band).
    assert {delivery.client.object("encoding", key) for key in band_keys} <= {"listpack", "ziplist"}
    window = own_settings.duplicate_window_s
    assert all(0 < int(delivery.client.ttl(key)) <= 1.5 * window + 1 for key in band_keys)
    ttl = delivery.client.ttl(own_settings.keys.duplicate_signature("a"))
    assert 0 < int(ttl) <= window
    delivery.client.close()


def test_a_copy_files_only_the_bands_its_original_did_not(own_settings: Settings) -> None:
    """A band already in the current half-window keeps its first article and its expiry; the
    copy's other bands are filed under the copy, each in a hash that expires."""
    delivery = Delivery.from_settings(own_settings)
    index = DuplicateIndex(delivery.client, own_settings)
    first, second = signature(story(3)), signature(copy_of(story(3)))
    assert first is not None and second is not None
    assert index.check("a", first) is None
    assert index.check("b", second) is not None
    raw = redis.Redis.from_url(own_settings.redis_url)  # band fields are bytes, not text
    owners: dict[bytes | str, bytes | str] = {}
    for key in raw.scan_iter(match=f"{own_settings.keys.duplicate_bands}*"):
        owners.update(raw.hgetall(key))
        assert int(raw.ttl(key)) > 0
    raw.close()
    originals = set(band_fields(first))
    shared = [field for field in band_fields(second) if field in originals]
    assert 0 < len(shared) < BANDS  # the copy shares some bands with its original, not all
    for field in band_fields(second):
        assert owners[field] == (b"a" if field in originals else b"b")
    assert len(owners) == len(originals | set(band_fields(second)))
    delivery.client.close()


def test_a_worker_annotates_a_copy_and_still_analyses_it(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery
) -> None:
    app = create_app(test_settings)
    seed = random.randrange(10**9)
    original = RawArticle(id=f"orig-{uuid.uuid4().hex[:8]}", text=story(seed))
    copy = RawArticle(id=f"copy-{uuid.uuid4().hex[:8]}", text="Updated\n\n" + copy_of(story(seed)))
    submit(app, delivery, original)
    first = _result(delivery, original.id or "")
    submit(app, delivery, copy)
    second = _result(delivery, copy.id or "")
    assert first.duplicate_of is None and first.duplicate_similarity is None
    assert second.duplicate_of == original.id
    assert second.duplicate_similarity is not None and second.duplicate_similarity >= 0.5
    assert second.entities and second.summary.sentences  # annotate still runs every stage
    assert "duplicates" in second.timings


@pytest.fixture()
def skip_workers(redis_url: str, tmp_path: Path) -> Iterator[Settings]:
    """Two worker processes of one pool with NEWSFLOW_DUPLICATES=skip."""
    settings = make_settings(redis_url, duplicates="skip")
    workers = [
        start_worker(
            settings, tmp_path / f"w{n}.log", concurrency=1, node=f"{settings.key_prefix}-{n}@localhost"
        )
        for n in range(2)
    ]
    yield settings
    for process in workers:
        stop_worker(process)
    cleanup(settings)


def test_two_workers_given_copies_at_once_end_with_one_pointing_at_the_other(skip_workers: Settings) -> None:
    settings = skip_workers
    app = create_app(settings)
    delivery = Delivery.from_settings(settings)
    pairs = []
    for n in range(6):
        text = story(random.randrange(10**9) + n)
        pairs.append((RawArticle(id=f"p{n}-a", text=text), RawArticle(id=f"p{n}-b", text=copy_of(text))))
    with ThreadPoolExecutor(max_workers=2) as pool:  # both copies enqueued together
        for left, right in pairs:
            list(pool.map(lambda raw: submit(app, delivery, raw), (left, right)))
    for left, right in pairs:
        results = {
            r.article_id: r for r in (_result(delivery, left.id or ""), _result(delivery, right.id or ""))
        }
        pointing = [r for r in results.values() if r.duplicate_of is not None]
        assert len(pointing) == 1, results
        copy = pointing[0]
        assert copy.duplicate_of == ({left.id, right.id} - {copy.article_id}).pop()
        assert copy.entities == () and copy.summary.method == SKIPPED  # skip: no NLP for the copy
        (first,) = [r for r in results.values() if r.duplicate_of is None]
        assert first.entities and first.summary.sentences
    delivery.client.close()


def test_an_article_is_found_within_its_window_and_forgotten_after(redis_url: str) -> None:
    settings = make_settings(redis_url, duplicate_window_s=2)  # half-windows of one second
    delivery = Delivery.from_settings(settings)
    try:
        index = DuplicateIndex(delivery.client, settings)
        first, copy, late = (signature(t) for t in (story(3), copy_of(story(3)), copy_of(story(3))))
        assert first and copy and late
        assert index.check("a", first) is None
        found = index.check("b", copy)
        assert found is not None and found.article_id == "a"
        early = set(delivery.client.scan_iter(match=f"{settings.keys.duplicate_bands}*"))
        time.sleep(4.2)  # past the last second any of "a"'s or "b"'s band hashes is read
        assert index.check("c", late) is None
        assert not any(delivery.client.exists(key) for key in early)  # expired as wholes
        later = set(delivery.client.scan_iter(match=f"{settings.keys.duplicate_bands}*"))
        assert later and not later & early  # "c"'s own, in a younger half-window
    finally:
        cleanup(settings)
        delivery.client.close()


def test_a_copy_in_a_younger_half_window_files_every_band_there(redis_url: str) -> None:
    """Bands found only in an older half-window are filed again in the current one, under the
    copy, so that they outlive the original's."""
    settings = make_settings(redis_url, duplicate_window_s=2)  # half-windows of one second
    delivery = Delivery.from_settings(settings)
    raw = redis.Redis.from_url(settings.redis_url)  # band fields are bytes, not text
    try:
        index = DuplicateIndex(delivery.client, settings)
        first, second = signature(story(3)), signature(copy_of(story(3)))
        assert first is not None and second is not None
        assert index.check("a", first) is None
        early = set(raw.scan_iter(match=f"{settings.keys.duplicate_bands}*"))
        second_of_a = int(raw.time()[0])
        while int(raw.time()[0]) == second_of_a:
            time.sleep(0.05)
        found = index.check("b", second)
        assert found is not None and found.article_id == "a"
        owners: dict[bytes | str, bytes | str] = {}
        for key in set(raw.scan_iter(match=f"{settings.keys.duplicate_bands}*")) - early:
            owners.update(raw.hgetall(key))
        assert owners == dict.fromkeys(band_fields(second), b"b")
    finally:
        cleanup(settings)
        delivery.client.close()
        raw.close()


def _in_use(delivery: Delivery) -> int:
    return len(delivery.client.connection_pool._in_use_connections)


def test_a_lookup_sent_early_is_answered_as_check_answers(own_settings: Settings) -> None:
    """``annotate_later``: the script runs in Redis while the task goes on; its reply is read
    once (also after Redis lost its scripts), or the connection is closed unread; after a read
    that failed, the lookup runs again."""
    delivery = Delivery.from_settings(own_settings)
    index = DuplicateIndex(delivery.client, own_settings)
    seed = random.randrange(10**9)
    original, copy, again, dropped = (
        clean(RawArticle(id=name, text=text), own_settings)
        for name, text in (
            ("orig", story(seed)),
            ("copy", copy_of(story(seed))),
            ("again", copy_of(story(seed))),
            ("dropped", copy_of(story(seed))),
        )
    )
    try:
        assert annotate(original, index).duplicate_of is None
        sent, later = annotate_later(copy, index)
        assert sent.duplicate_of is None and later is not None and _in_use(delivery) == 1
        answered = later.apply(sent)
        assert answered.duplicate_of == "orig" and answered.duplicate_similarity is not None
        assert answered.timings["duplicates"] > 0 and _in_use(delivery) == 0
        assert later.apply(sent) == answered and _in_use(delivery) == 0  # read once, kept
        loaded = index._script.sha
        index._script.sha = "0" * 40  # a Redis without the script: NOSCRIPT, then loaded and run
        sent, later = annotate_later(again, index)
        assert later is not None and later.apply(sent).duplicate_of == "orig"
        assert index._script.sha == loaded
        sent, later = annotate_later(dropped, index)
        assert later is not None
        later.discard()  # the task stopped first: the reply is never read, the connection closed
        assert _in_use(delivery) == 0 and delivery.client.ping()
        with pytest.raises(RuntimeError):
            later.apply(sent)
        key = own_settings.keys.duplicate_signature("dropped")
        assert _eventually(lambda: bool(delivery.client.exists(key)))  # the lookup did run
        sent, later = annotate_later(copy, index)
        assert later is not None
        later._connection._sock.close()  # the connection breaks before the reply is read
        with pytest.raises(redis.ConnectionError):
            later.apply(sent)
        assert _in_use(delivery) == 0 and delivery.client.ping()
        # Applied again (the guard keeping the input of the article it dead-letters): the lookup
        # runs again, with a redelivery's answer.
        assert later.apply(sent).duplicate_of == "orig" and _in_use(delivery) == 0
        assert annotate(copy, index).duplicate_of == "orig"  # a redelivery: the same answer
    finally:
        delivery.client.close()


def _eventually(condition: Callable[[], bool], timeout_s: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
