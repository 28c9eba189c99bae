"""The entities stage: spaCy NER merged into canonical entities with salience and attributed quotes."""

from worker.stages.entities.stage import analyse

__all__ = ["analyse"]
