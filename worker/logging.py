"""structlog setup: JSON lines when not on a TTY, readable colours on one."""

import logging
import re
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

_PASSWORD_IN_URL = re.compile(r"(?P<scheme>\w+://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@")
_PASSWORD_IN_QUERY = re.compile(r"(?P<name>[?&]\w*password=)[^&\s]*")


def redact_url(url: str) -> str:
    """A Redis URL safe to print: the passwords (also a Sentinel's, in the query) replaced by ``***``."""
    return _PASSWORD_IN_QUERY.sub(r"\g<name>***", _PASSWORD_IN_URL.sub(r"\g<scheme>\g<user>:***@", url))


def _redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key, value in event_dict.items():
        if isinstance(value, str) and "@" in value:
            event_dict[key] = redact_url(value)
    return event_dict


def configure_logging(level: str = "INFO", *, json: bool | None = None) -> None:
    """Configure structlog and the stdlib root logger to write to stderr.

    ``json`` defaults to True when stderr is not a terminal, so logs from workers in
    containers are one JSON object per line.
    """
    use_json = (not sys.stderr.isatty()) if json is None else json
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.WriteLoggerFactory(file=sys.stderr),  # one write per line
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.processors.format_exc_info], processor=renderer
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Celery's per-task "received"/"succeeded" lines repeat our stage_done line and would
    # print article bodies (the return values): keep only their warnings.
    for noisy in ("celery.app.trace", "celery.worker.strategy"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def get_logger(name: str) -> Any:
    """A lazy structlog logger carrying ``logger_name=name`` (configured at first use)."""
    return structlog.get_logger(logger_name=name)
