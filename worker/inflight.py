"""The accepted articles that have not reached their terminal event, and what they came with.

Submitting an article records it in a sorted set (``RedisKeys.inflight``, scored by when it was
last seen alive) and keeps its input beside it; the publish script removes both when the
article is published or dead-lettered. ``worker/recovery.py`` reads them to find articles whose
message the broker lost, and resubmits them from the input kept here.

Each stage message names its article in a header (``ARTICLE_HEADER``), so that one script can
tell whether an article still has a message waiting in a stage queue or held by a worker
(kombu's ``unacked`` hash on Redis: delivered, running or waiting for a retry's countdown).
"""

import json
from dataclasses import dataclass
from typing import Final

import redis

from worker.config import Settings

ARTICLE_HEADER: Final = "newsflow_article"

# KEYS: the stage queues, then kombu's unacked hash and its index (delivery times in seconds).
# ARGV[1]: the header as kombu writes it ('"newsflow_article": "'), ARGV[2]: the oldest delivery
# time that still counts, ARGV[3..]: the article ids asked about. Returns those with a message.
_PRESENT: Final = """
local wanted, found = {}, {}
for i = 3, #ARGV do wanted[ARGV[i]] = true end
local function scan(item)
  local _, stop = string.find(item, ARGV[1], 1, true)
  if stop then
    local close = string.find(item, '"', stop + 1, true)
    if close then
      local id = string.sub(item, stop + 1, close - 1)
      if wanted[id] then
        found[#found + 1] = id
        wanted[id] = nil
      end
    end
  end
end
for i = 1, #KEYS - 2 do
  for _, item in ipairs(redis.call('LRANGE', KEYS[i], 0, -1)) do scan(item) end
end
local tags = redis.call('ZRANGEBYSCORE', KEYS[#KEYS], ARGV[2], '+inf')
for first = 1, #tags, 500 do
  local held = redis.call('HMGET', KEYS[#KEYS - 1], unpack(tags, first, math.min(first + 499, #tags)))
  for _, item in ipairs(held) do
    if item then scan(item) end
  end
end
return found
"""

# KEYS[1]: the in-flight set, KEYS[2]: the article's input, KEYS[3]: its done marker.
# ARGV: article id, the score it was seen with, now (ms). Claims the article for one
# resubmission: nil when another worker claimed it or it ended meanwhile (then it is forgotten),
# else its input with the recoveries counted.
_CLAIM: Final = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return nil end
local revision = redis.call('HGET', KEYS[2], 'revision')
local done = redis.call('HGET', KEYS[3], 'revision')
if not revision or (done and tonumber(done) >= tonumber(revision)) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[2])
  return nil
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'recoveries', 1)
return redis.call('HGETALL', KEYS[2])
"""


@dataclass(frozen=True)
class KeptInput:
    """What an article was submitted with: the stage it starts at and that stage's arguments."""

    stage: str
    document: object
    revision: int
    k: int | None
    max_words: int | None
    recoveries: int = 0


class InFlight:
    """The in-flight set and kept inputs on one Redis client."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client, self.settings, self.keys = client, settings, settings.keys
        self._present = client.register_script(_PRESENT)
        self._claim = client.register_script(_CLAIM)
        options = settings.broker_transport_options
        prefix = str(options.get("global_keyprefix", ""))
        self.unacked_key = prefix + str(options.get("unacked_key", "unacked"))
        self.unacked_index_key = prefix + str(options.get("unacked_index_key", "unacked_index"))
        self.queue_keys = [prefix + queue for queue in settings.all_queues]

    def track(self, article_id: str, kept: KeptInput, now_ms: int) -> None:
        """Record an accepted article and keep its input (before its message is sent); nothing
        where recovery does not run (``Settings.recovers_lost_messages``)."""
        with self.client.pipeline(transaction=False) as pipe:
            self.queue_track(pipe, article_id, kept, now_ms)
            pipe.execute()

    def queue_track(self, pipe: redis.client.Pipeline, article_id: str, kept: KeptInput, now_ms: int) -> None:
        """``track``'s commands, queued on ``pipe`` for the caller to execute with its own."""
        if not self.settings.recovers_lost_messages:
            return
        key = self.keys.inflight_input(article_id)
        fields: dict[str, str | int] = {
            "stage": kept.stage,
            "document": json.dumps(kept.document),
            "revision": kept.revision,
        }
        fields |= {name: value for name, value in (("k", kept.k), ("max_words", kept.max_words)) if value}
        pipe.delete(key)
        pipe.hset(key, mapping={name: str(value) for name, value in fields.items()})
        pipe.expire(key, self.settings.result_ttl_s)
        pipe.zadd(self.keys.inflight, {article_id: now_ms})

    def count(self) -> int:
        """How many accepted articles have no terminal event yet."""
        return int(self.client.zcard(self.keys.inflight))

    def unseen_since(self, before_ms: int, limit: int = 500) -> list[tuple[str, int]]:
        """In-flight articles last seen alive before ``before_ms``, oldest first, with that time."""
        rows: list[tuple[str, float]] = self.client.zrangebyscore(  # type: ignore[assignment]
            self.keys.inflight, "-inf", before_ms, start=0, num=limit, withscores=True
        )
        return [(str(member), int(score)) for member, score in rows]

    def with_messages(self, article_ids: list[str], now_s: float) -> set[str]:
        """Those of ``article_ids`` with a message in a stage queue or in a worker's hands.

        A message a worker took more than ``visibility_timeout_s + lost_after_s`` ago does not
        count: kombu should have put it back by then, and has not (a restore sweep whose lock a
        Redis restart kept holds it off for ``unacked_mutex_expire``, 300 s by default).
        """
        if not article_ids:
            return set()
        needle = f'"{ARTICLE_HEADER}": "'
        oldest = now_s - self.settings.visibility_timeout_s - self.settings.lost_after_s
        keys = [*self.queue_keys, self.unacked_key, self.unacked_index_key]
        found = self._present(keys=keys, args=[needle, oldest, *article_ids])
        return {str(article_id) for article_id in found}

    def seen(self, article_ids: set[str], now_ms: int) -> None:
        """Record that these articles are alive (only those still in flight)."""
        if article_ids:
            self.client.zadd(self.keys.inflight, dict.fromkeys(article_ids, now_ms), xx=True)

    def claim(self, article_id: str, seen_ms: int, now_ms: int) -> KeptInput | None:
        """Claim an article for resubmission: its input, or None (claimed elsewhere, or ended)."""
        keys = [self.keys.inflight, self.keys.inflight_input(article_id), self.keys.done(article_id)]
        reply = self._claim(keys=keys, args=[article_id, seen_ms, now_ms])
        if not reply:
            return None
        fields = {str(reply[i]): str(reply[i + 1]) for i in range(0, len(reply), 2)}
        return KeptInput(
            stage=fields["stage"],
            document=json.loads(fields["document"]),
            revision=int(fields["revision"]),
            k=int(fields["k"]) if "k" in fields else None,
            max_words=int(fields["max_words"]) if "max_words" in fields else None,
            recoveries=int(fields.get("recoveries", 0)),
        )
