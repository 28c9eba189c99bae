"""The pipeline's stages as pure functions: no Celery, no Redis."""
