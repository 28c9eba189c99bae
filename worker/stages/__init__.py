"""The pipeline's stages as pure functions: no Celery, no Redis.

One package per stage (``clean``, ``entities``, ``summary``), each exporting its stage function;
``boilerplate`` holds the line classification both the clean and the summary stage use.
"""
