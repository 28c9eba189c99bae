"""The feed-wide near-duplicate index: MinHash LSH bands in Redis, shared by every worker.

One Lua script looks an article up and inserts it in a single round trip. Each of the
signature's bands is a short field (the band's number and digest) naming the first article seen
with it, in a hash of band fields; each article's signature is stored with its arrival number and
its shingle count. The script gathers the articles named by the article's bands (not itself) and
confirms each by its estimated containment: the share of the smaller body's shingles that the
other holds, from the Jaccard estimate (the share of equal slots) and the two counts, so that a
copy with its end cut still counts. It answers the earliest one at or above the threshold, with
both estimates.

Memory: a key per band per article cost about 120 bytes each (the key, its expiry, the value),
64 of them an article. The band fields live instead in hashes per half-window of time (by Redis's
clock), split by the digest's first 12 bits into 4,096 hashes each: small hashes that Redis
packs into one block (listpack) at about 20 bytes a field, while a half-window holds up to some
8,000 articles (larger feeds still work, at Redis's per-field cost of a large hash). A hash
expires as a whole when its half-window is more than a window old, and a lookup reads the three
youngest half-windows: an article is found for between one window and one and a half after it
arrived. Its signature key expires after the window.

Two copies processed at the same moment by two workers: Redis runs scripts one at a time, so
whichever script runs second finds the first copy's bands and signature and points at it; the
first finds nothing. A redelivered or reprocessed article finds its own bands and skips them,
so it gets the same answer as the first time.
"""

import time
from dataclasses import dataclass
from typing import Any, TypeVar

import redis
from redis.exceptions import NoScriptError

from schemas.article import CleanArticle
from schemas.entities import ModelInfo
from schemas.result import ArticleResult, Summary
from worker.config import Settings
from worker.stages.clean.signature import Signature, signature

SKIPPED = "skipped-duplicate"

_LOOKUP_AND_INSERT = """
local id, sig, count, window = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local threshold, sig_prefix, band_prefix = tonumber(ARGV[5]), ARGV[6], ARGV[7]
local first_band = 8
local slots = #sig / 4
local span = math.max(1, math.ceil(window / 2))
local now = tonumber(redis.call('TIME')[1])
local current = math.floor(now / span)
-- Each field's hash within a half-window, named once: building key strings is much of the cost.
local suffix = {}
for i = first_band, #ARGV do
  local high, low = string.byte(ARGV[i], 2, 3)
  suffix[i] = ':' .. (high * 16 + math.floor(low / 16))
end
local seen, filed = {}, {}
local best, best_similarity, best_containment, best_seq = false, 0, 0, nil
for bucket = current, current - 2, -1 do
  local bucket_prefix = band_prefix .. bucket
  for i = first_band, #ARGV do
    local owner = redis.call('HGET', bucket_prefix .. suffix[i], ARGV[i])
    if owner and bucket == current then
      filed[i] = true  -- in the current half-window already: nothing to insert
    end
    if owner and owner ~= id and not seen[owner] then
      seen[owner] = true
      local stored = redis.call('GET', sig_prefix .. owner)
      if stored then
        local first = string.find(stored, ':', 1, true)
        local second = string.find(stored, ':', first + 1, true)
        local seq = tonumber(string.sub(stored, 1, first - 1))
        local other_count = tonumber(string.sub(stored, first + 1, second - 1))
        local equal = 0
        for s = 1, #sig, 4 do
          if string.sub(sig, s, s + 3) == string.sub(stored, second + s, second + s + 3) then
            equal = equal + 1
          end
        end
        local similarity = equal / slots
        local smaller = math.min(count, other_count)
        local containment = 0
        if smaller > 0 then
          containment = math.min(1, similarity * (count + other_count) / ((1 + similarity) * smaller))
        end
        if containment >= threshold and (best_seq == nil or seq < best_seq) then
          best, best_similarity, best_containment, best_seq = owner, similarity, containment, seq
        end
      end
    end
  end
end
local mine = redis.call('GET', KEYS[1])
local seq
if mine then
  seq = string.sub(mine, 1, string.find(mine, ':', 1, true) - 1)
else
  seq = tostring(redis.call('INCR', KEYS[2]))
end
redis.call('SET', KEYS[1], seq .. ':' .. count .. ':' .. sig, 'EX', window)
local expires = (current + 3) * span
local current_prefix = band_prefix .. current
for i = first_band, #ARGV do
  if not filed[i] then
    local key = current_prefix .. suffix[i]
    redis.call('HSETNX', key, ARGV[i], id)
    redis.call('EXPIREAT', key, expires)
  end
end
if best then
  return {best, tostring(best_similarity), tostring(best_containment)}
end
return false
"""


def band_fields(signature: Signature) -> list[bytes]:
    """One field per band: the band's number (a byte), then its 8-byte digest. The script files
    a field in the hash picked by the digest's first 12 bits."""
    return [bytes([number]) + bytes.fromhex(digest) for number, digest in enumerate(signature.bands())]


@dataclass(frozen=True)
class Match:
    """The earliest earlier article near enough to this one: estimated Jaccard and containment."""

    article_id: str
    similarity: float
    containment: float


class DuplicateIndex:
    """Looks up and records article signatures; all its Redis access is one script call."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.settings = settings
        self.keys = settings.keys
        self._pool = client.connection_pool
        self._script = client.register_script(_LOOKUP_AND_INSERT)

    def _call(self, article_id: str, signature: Signature) -> tuple[list[str], list[Any]]:
        keys = [self.keys.duplicate_signature(article_id), self.keys.duplicate_sequence]
        args = [
            article_id,
            signature.to_bytes(),
            signature.shingles,
            self.settings.duplicate_window_s,
            repr(self.settings.duplicate_threshold),
            self.keys.duplicate_signature(""),
            self.keys.duplicate_bands,
            *band_fields(signature),
        ]
        return keys, args

    def check(self, article_id: str, signature: Signature) -> Match | None:
        """Record ``article_id`` and answer the earliest near-duplicate recorded before it."""
        keys, args = self._call(article_id, signature)
        return _match(self._script(keys=keys, args=args))

    def send(self, article_id: str, signature: Signature) -> Any:
        """``check``'s script sent now on a connection of its own, which is returned with its
        reply unread: ``Later`` reads it (or closes the connection unread)."""
        keys, args = self._call(article_id, signature)
        connection: Any = self._pool.get_connection()
        try:
            connection.send_command("EVALSHA", self._script.sha, len(keys), *keys, *args)
        except BaseException:
            self.give_back(connection, read=False)
            raise
        return connection

    def give_back(self, connection: Any, *, read: bool) -> None:
        """Return ``connection`` to the pool; closed first when its reply was not ``read``, so that
        no reply is left on it for the next command."""
        if not read:
            connection.disconnect()
        self._pool.release(connection)


def _match(answer: Any) -> Match | None:
    if not answer:
        return None
    other, similarity, containment = (_text(part) for part in answer)
    return Match(other, round(float(similarity), 4), round(float(containment), 4))


def annotate(article: CleanArticle, index: DuplicateIndex) -> CleanArticle:
    """The article with ``duplicate_of`` and ``duplicate_similarity`` from the index."""
    started = time.perf_counter()
    sig = signature(article.text)
    match = None if sig is None else index.check(article.article_id, sig)
    return _annotated(article, match, time.perf_counter() - started)


def annotate_later(article: CleanArticle, index: DuplicateIndex) -> tuple[CleanArticle, "Later | None"]:
    """``annotate`` in two steps: the lookup is sent now, and ``Later.apply`` reads its answer
    into the article's result once the stages after this one have run (a fused task's)."""
    started = time.perf_counter()
    sig = signature(article.text)
    if sig is None:
        return _annotated(article, None, time.perf_counter() - started), None
    connection = index.send(article.article_id, sig)
    return article, Later(index, connection, article.article_id, sig, time.perf_counter() - started)


_Annotated = TypeVar("_Annotated", bound=CleanArticle)


class Later:
    """A lookup sent to Redis and not answered yet, holding its connection until then:
    ``apply`` reads the reply (once: applied again, it gives the same answer); ``discard``
    closes the connection unread.

    A read that fails (Redis went away) raises, and the next ``apply`` runs the lookup again
    as ``check`` (the script records an article once, so running it twice is harmless): the
    failure guard that dead-letters the article applies the lookup once more to the input it
    keeps, and must get an answer or a Redis error, not a spent lookup.
    """

    def __init__(
        self, index: DuplicateIndex, connection: Any, article_id: str, sig: Signature, spent_s: float
    ) -> None:
        self._index, self._connection = index, connection
        self._article_id, self._signature = article_id, sig
        self._spent_s = spent_s  # the signature, the sending and the reading
        self._answered: tuple[Match | None] | None = None
        self._discarded = False

    def apply(self, document: _Annotated) -> _Annotated:
        """``document`` (the article's result, or a later stage's input) with the lookup's
        answer, as ``annotate`` would have given the article."""
        if self._answered is None:
            started = time.perf_counter()
            self._answered = (self._answer(),)
            self._spent_s += time.perf_counter() - started
        return _annotated(document, self._answered[0], self._spent_s)

    def _answer(self) -> Match | None:
        connection, self._connection = self._connection, None
        if connection is None:
            if self._discarded:
                raise RuntimeError("the lookup was discarded")
            return self._index.check(self._article_id, self._signature)  # the first read failed
        try:
            reply = connection.read_response()
        except NoScriptError:  # a Redis without the script (restarted, flushed): the reply was read
            self._index.give_back(connection, read=True)
            return self._index.check(self._article_id, self._signature)
        except BaseException:
            self._index.give_back(connection, read=False)
            raise
        self._index.give_back(connection, read=True)
        return _match(reply)

    def discard(self) -> None:
        """Give the connection back without reading the reply (the task stopped before)."""
        connection, self._connection = self._connection, None
        self._discarded = True
        if connection is not None:
            self._index.give_back(connection, read=False)


def _annotated(article: _Annotated, match: Match | None, seconds: float) -> _Annotated:
    timings = {**article.timings, "duplicates": round(seconds * 1000, 3)}
    if match is None:
        return article.model_copy(update={"timings": timings})
    update = {"duplicate_of": match.article_id, "duplicate_similarity": match.similarity, "timings": timings}
    return article.model_copy(update=update)


def short_result(article: CleanArticle) -> ArticleResult:
    """What ``NEWSFLOW_DUPLICATES=skip`` publishes for a copy: the clean article, no NLP."""
    return ArticleResult.model_validate(
        {
            **dict(article),
            "sentences": (),
            "entities": (),
            "quotes": (),
            "model": ModelInfo(name=SKIPPED, version="", spacy_version=""),
            "summary": Summary(sentences=(), text="", method=SKIPPED),
        }
    )


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
