"""The command's failures as a person meets them: one line on stderr, an exit code, no traceback."""

import os
import re
import sys
from collections.abc import Callable

from pydantic import ValidationError
from pydantic_settings import SettingsError

from worker.app import BROKER_UNREACHABLE
from worker.config import Settings
from worker.connection import REDIS_REFUSED_CREDENTIALS, REDIS_UNREACHABLE
from worker.errors import UsageError
from worker.logging import redact_url

EXIT_USAGE = 2  # a missing file, an empty folder, an invalid setting
EXIT_UNREACHABLE = 3  # Redis or the broker does not answer
EXIT_INTERRUPTED = 130

_FIELD = re.compile(r'field "(?P<name>\w+)"')
_FIELD_NAME = re.compile(r"\b(" + "|".join(sorted(Settings.model_fields, key=len, reverse=True)) + r")\b")


def _variable(field: object) -> str:
    return f"NEWSFLOW_{str(field).upper()}"


def _invalid_settings(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False):
        if not item["loc"]:  # a rule across fields: name them as the variables they are set by
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(_FIELD_NAME.sub(lambda found: _variable(found[0]), message))
            continue
        value = redact_url(str(item.get("input")))
        value = value if len(value) <= 60 else value[:57] + "..."
        problems.append(f"{_variable(item['loc'][0])}={value!r}: {item['msg']}")
    return "invalid setting (environment or .env): " + "; ".join(problems)


def _unparsable_setting(error: SettingsError) -> str:
    found = _FIELD.search(str(error))
    if found is None:
        return f"invalid setting (environment or .env): {error}"
    name = found["name"]
    field = Settings.model_fields.get(name)
    expected = "" if field is None else f" ({field.annotation})".replace("typing.", "")
    return f"invalid setting {_variable(name)}: not valid JSON; it expects a JSON value{expected}"


def _redis_url() -> str:
    try:
        return Settings().redis_url
    except (ValidationError, SettingsError):
        return os.environ.get("NEWSFLOW_REDIS_URL", str(Settings.model_fields["redis_url"].default))


def _broker_url() -> tuple[str, str]:
    """The broker's URL and the variable that sets it (NEWSFLOW_BROKER_URL, else the Redis one)."""
    try:
        broker = Settings().broker_url
    except (ValidationError, SettingsError):
        broker = os.environ.get("NEWSFLOW_BROKER_URL")
    return (broker, "NEWSFLOW_BROKER_URL") if broker else (_redis_url(), "NEWSFLOW_REDIS_URL")


def _unreachable_redis(error: Exception) -> str:
    url = redact_url(_redis_url())
    reason = redact_url(str(error)).rstrip(".") or type(error).__name__
    if isinstance(error, REDIS_REFUSED_CREDENTIALS):
        advice = "check the user and password in NEWSFLOW_REDIS_URL"
        return f"Redis at {url} refused the credentials ({reason}); {advice}"
    return f"cannot reach Redis at {url} ({reason}); start Redis there or set NEWSFLOW_REDIS_URL"


def explain(error: BaseException) -> tuple[str, int] | None:
    """The one line (without the ``newsflow:`` prefix) and exit code for a known failure, else None."""
    if isinstance(error, UsageError):
        return str(error), EXIT_USAGE
    if isinstance(error, ValidationError) and error.title == Settings.__name__:
        return _invalid_settings(error), EXIT_USAGE
    if isinstance(error, SettingsError):
        return _unparsable_setting(error), EXIT_USAGE
    if isinstance(error, REDIS_UNREACHABLE):
        return _unreachable_redis(error), EXIT_UNREACHABLE
    if isinstance(error, BROKER_UNREACHABLE):
        url, variable = _broker_url()
        reason = redact_url(str(error)).rstrip(".")
        return f"cannot reach the broker at {redact_url(url)} ({reason}); check {variable}", EXIT_UNREACHABLE
    return None


def run_explained(command: Callable[[], object]) -> None:
    """Run ``command``; a known failure ends the process with its one line and exit code."""
    try:
        command()
    except KeyboardInterrupt:
        raise SystemExit(EXIT_INTERRUPTED) from None
    except Exception as error:
        explained = explain(error)
        if explained is None:
            raise
        line, code = explained
        sys.stderr.write(f"newsflow: {line}\n")
        raise SystemExit(code) from None
