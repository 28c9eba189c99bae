"""The module-level app for the ``celery`` command: ``celery -A worker.celery_app worker``."""

from worker.app import create_app
from worker.logging import configure_logging

configure_logging()
app = create_app()
