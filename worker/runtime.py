"""Per-process resources of a worker, created lazily after fork: Redis connection, spaCy."""

from functools import cached_property
from typing import TYPE_CHECKING

from schemas.result import Stage
from worker.config import Settings
from worker.delivery import Delivery
from worker.metrics import Metrics, for_settings

if TYPE_CHECKING:  # spaCy, NumPy and the detector load with the first stage run, not on import
    from spacy.language import Language

    from worker.duplicates import DuplicateIndex


class Runtime:
    """What a task needs besides its input. Nothing is opened until first used."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The stages this process runs in the same task as the one before (worker/fusion.py);
        # set in each pool process at start, empty elsewhere.
        self.fused: frozenset[Stage] = frozenset()

    @cached_property
    def delivery(self) -> Delivery:
        """Writes results and errors; one connection pool per process."""
        return Delivery.from_settings(self.settings)

    @cached_property
    def duplicates(self) -> "DuplicateIndex":
        """The feed-wide near-duplicate index, on the delivery connection pool."""
        from worker.duplicates import DuplicateIndex

        return DuplicateIndex(self.delivery.client, self.settings)

    @cached_property
    def metrics(self) -> Metrics | None:
        """This process's Prometheus metrics when the worker serves them, else None."""
        return for_settings(self.settings)

    @property
    def nlp(self) -> "Language":
        """The spaCy pipeline (cached per process by ``load_nlp``)."""
        from worker.nlp import settings_nlp

        return settings_nlp(self.settings, self.settings.spacy_model)

    def nlp_for(self, language: str) -> "Language | None":
        """The NER pipeline of ``language``, or None when it has no model."""
        from worker.nlp import nlp_for

        return nlp_for(self.settings, language)

    def load_models(self, queues: set[str]) -> None:
        """Import the stages and load the spaCy models the consumed queues need.

        The entities queue loads the default language's model; a language's own queue, its model.
        Other languages' models load on their first article. Called in the worker's main process
        before the pool forks, the pool processes share the loaded weights (copy-on-write) and a
        replacement process (after a crash or ``max_memory_per_child``) starts without loading.
        """
        import worker.duplicates
        import worker.stages.clean
        import worker.stages.entities
        import worker.stages.summary  # noqa: F401 - the stages' code, shared by the pool too

        if self.settings.queue_entities in queues:
            _ = self.nlp
        for language, queue in self.settings.entities_queues.items():
            if queue in queues:
                self.nlp_for(language)

    def warm_up(self, queues: set[str]) -> None:
        """In a pool process: the models (already there when the main process loaded them) and
        the language detector, which each process loads for itself (its native library is kept
        out of the main process, so nothing of it crosses the fork)."""
        self.load_models(queues)
        if self.settings.queue_clean in queues:
            from worker.stages.clean.language import detect_language

            detect_language("Loading the language models before the first article arrives.")
