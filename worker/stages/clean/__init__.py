"""The clean stage: raw text or HTML in, a clean headline and body with metadata and language out."""

from worker.stages.clean.stage import clean

__all__ = ["clean"]
