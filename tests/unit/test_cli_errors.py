"""Known failures explained in one line (the command's tests run them through a subprocess)."""

import pytest
import redis
from pydantic import ValidationError

from schemas import RawArticle
from worker.cli_errors import EXIT_UNREACHABLE, EXIT_USAGE, explain
from worker.config import Settings
from worker.errors import UsageError


def test_a_usage_error_is_its_message() -> None:
    assert explain(UsageError("x.txt: no such file or folder")) == (
        "x.txt: no such file or folder",
        EXIT_USAGE,
    )


def test_an_invalid_setting_names_each_variable() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings.model_validate({"summary_sentences": 0, "duplicate_threshold": "high"})
    explained = explain(caught.value)
    assert explained is not None
    line, code = explained
    assert code == EXIT_USAGE
    assert "NEWSFLOW_SUMMARY_SENTENCES='0': Input should be greater than or equal to 1" in line
    assert "NEWSFLOW_DUPLICATE_THRESHOLD='high'" in line
    assert "\n" not in line


def test_an_unreachable_redis_names_the_url_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_REDIS_URL", "redis://user:hunter2@redis.example:6380/3")
    explained = explain(
        redis.ConnectionError("Error 111 connecting to redis.example:6380. Connection refused.")
    )
    assert explained == (
        "cannot reach Redis at redis://user:***@redis.example:6380/3 (Error 111 connecting to"
        " redis.example:6380. Connection refused); start Redis there or set NEWSFLOW_REDIS_URL",
        EXIT_UNREACHABLE,
    )


def test_an_unknown_failure_is_left_alone() -> None:
    assert explain(ZeroDivisionError("a bug")) is None
    with pytest.raises(ValidationError) as caught:
        RawArticle.model_validate({"text": "a", "html": "b"})
    assert explain(caught.value) is None  # not a setting: a bug, shown with its traceback


def test_a_server_that_is_not_redis_is_unreachable_redis() -> None:
    explained = explain(redis.exceptions.InvalidResponse("Protocol Error: b'HTTP/1.1 400 Bad Request'"))
    assert explained is not None
    assert explained[1] == EXIT_UNREACHABLE
    assert "(Protocol Error: b'HTTP/1.1 400 Bad Request')" in explained[0]


def test_refused_credentials_say_to_check_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFLOW_REDIS_URL", "redis://user:hunter2@127.0.0.1:6379/0")
    explained = explain(redis.AuthenticationError("invalid username-password pair or user is disabled."))
    assert explained == (
        "Redis at redis://user:***@127.0.0.1:6379/0 refused the credentials (invalid username-password"
        " pair or user is disabled); check the user and password in NEWSFLOW_REDIS_URL",
        EXIT_UNREACHABLE,
    )


def test_an_unreachable_rabbitmq_names_the_broker_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from kombu.exceptions import OperationalError

    monkeypatch.setenv("NEWSFLOW_BROKER_URL", "amqp://newsflow:s3cret@rabbit.example:5672/nf")
    explained = explain(OperationalError("[Errno 111] Connection refused"))
    assert explained == (
        "cannot reach the broker at amqp://newsflow:***@rabbit.example:5672/nf ([Errno 111] Connection"
        " refused); check NEWSFLOW_BROKER_URL",
        EXIT_UNREACHABLE,
    )
