"""sentinel:// URLs: what they name, how kombu gets them, and the one line a wrong one gives."""

import pytest
from pydantic import ValidationError

from worker.app import broker_connection, create_app
from worker.cli_errors import explain
from worker.config import Settings
from worker.logging import redact_url
from worker.redis_url import InvalidRedisUrl, SentinelUrl, check_redis_url, is_sentinel, parse_sentinel_url


def test_the_comma_form_names_sentinels_master_database_and_credentials() -> None:
    url = "sentinel://:s3cret@h1:26380,h2,[::1]:26381/4?master=mymaster&sentinel_password=sp"
    assert parse_sentinel_url(url) == SentinelUrl(
        sentinels=(("h1", 26380), ("h2", 26379), ("::1", 26381)),
        master="mymaster",
        db=4,
        password="s3cret",
        sentinel_password="sp",
    )


def test_kombus_form_is_read_with_the_master_from_the_transport_options() -> None:
    url = "sentinel://u:pw@h1:26379/2;sentinel://u:pw@h2:26380/2"
    target = parse_sentinel_url(url, default_master="cache")
    assert target.sentinels == (("h1", 26379), ("h2", 26380))
    assert (target.master, target.db, target.username, target.password) == ("cache", 2, "u", "pw")
    settings = Settings(redis_url=url, broker_transport_options={"master_name": "cache"})
    assert settings.sentinel == target


def test_kombu_gets_one_sentinel_url_per_node_and_the_master_as_a_transport_option() -> None:
    settings = Settings(
        redis_url="sentinel://:pw@h1:1,[::1]:2/3?master=m&sentinel_password=sp", visibility_timeout_s=500
    )
    url, options = broker_connection(settings)
    assert url == "sentinel://:pw@h1:1/3;sentinel://:pw@[::1]:2/3"
    assert options == {"visibility_timeout": 500, "master_name": "m", "sentinel_kwargs": {"password": "sp"}}
    app = create_app(settings)
    assert (app.conf.broker_url, app.conf.broker_transport_options) == (url, options)
    plain = Settings(redis_url="redis://h:6379/1", visibility_timeout_s=500)
    assert broker_connection(plain) == ("redis://h:6379/1", {"visibility_timeout": 500})


def test_a_sentinel_url_waits_for_one_replica_unless_told_otherwise() -> None:
    sentinel = "sentinel://h1/0?master=m"
    assert Settings(redis_url=sentinel).replica_acks == 1
    assert Settings(redis_url=sentinel, redis_replica_acks=0).replica_acks == 0
    assert Settings(redis_url="redis://h/0").replica_acks == 0
    assert Settings(redis_url="redis://h/0", redis_replica_acks=2).replica_acks == 2


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("sentinel://h1:26379/0", "names its master (?master=NAME)"),
        ("sentinel://h1:port/0?master=m", "Sentinel port 'port' is not a port number"),
        ("sentinel://h1:70000/0?master=m", "Sentinel port '70000' is not a port number"),
        ("sentinel://h1/db?master=m", "the database must be a number, not 'db'"),
        ("sentinel:///0?master=m", "names at least one Sentinel"),
        ("sentinel://h1/0?master=m&mastr=x", "unknown Sentinel URL option 'mastr'"),
        ("sentinel://:a@h1;sentinel://:b@h2?master=m", "different passwords"),
        ("sentinel://h1/0?master=m;redis://h2", "every part of a Sentinel URL starts with sentinel://"),
    ],
)
def test_a_wrong_sentinel_url_says_what_is_wrong(url: str, says: str) -> None:
    with pytest.raises(InvalidRedisUrl) as raised:
        parse_sentinel_url(url)
    assert says in str(raised.value)


def test_an_unknown_scheme_is_refused_and_the_known_ones_pass() -> None:
    for url in ("redis://h", "rediss://h", "unix:///tmp/r.sock", "sentinel://h?master=m"):
        check_redis_url(url)
    with pytest.raises(InvalidRedisUrl, match="got http"):
        check_redis_url("http://h:6379")
    assert is_sentinel(" SENTINEL://h?master=m") and not is_sentinel("redis://sentinel")


def test_an_invalid_url_in_the_settings_is_one_line_naming_the_variable_without_the_password() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(redis_url="sentinel://:hunter2@h1:26379/0")
    line, code = explain(raised.value) or ("", 0)
    assert code == 2
    assert line.startswith("invalid setting (environment or .env): NEWSFLOW_REDIS_URL: a Sentinel URL names")
    assert "hunter2" not in line and "\n" not in line


def test_passwords_in_sentinel_urls_are_redacted() -> None:
    url = "sentinel://u:pw1@h1:1/0;sentinel://u:pw1@h2:2/0?master=m&sentinel_password=pw2"
    redacted = redact_url(url)
    assert "pw1" not in redacted and "pw2" not in redacted
    assert redacted == "sentinel://u:***@h1:1/0;sentinel://u:***@h2:2/0?master=m&sentinel_password=***"
