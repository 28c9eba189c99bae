"""newsflow worker: clean, entities, summarise and publish news articles over Redis and Celery."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsflow")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

PIPELINE_VERSION = __version__
