"""The summary stage: an extractive summary of the analysed article, sentences with offsets and scores."""

from worker.stages.summary.stage import METHOD, summarise

__all__ = ["METHOD", "summarise"]
