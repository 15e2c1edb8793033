"""``--notify`` targets: each form parsed, shown masked, its secrets known to the redactor."""

from __future__ import annotations

import pytest

from cloudrift.errors import ConfigError
from cloudrift.notify import parse_targets
from cloudrift.notify.targets import PAGERDUTY_ENDPOINT, parse_target
from cloudrift.redact import Redactor

SLACK = "https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/abcdefghijklmnopqrstuvwx"
TEAMS = ("https://prod-07.westeurope.logic.azure.com:443/workflows/5f0c8c1e2b/triggers/manual/"
         "paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
         "&sig=Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE")


def test_slack_is_shown_without_its_path_and_its_token_is_a_secret() -> None:
    target = parse_target(f"slack+{SLACK}", {})
    assert target.channel == "slack"
    assert target.url == SLACK
    assert target.shown == "slack+https://hooks.slack.com/***"
    assert "abcdefghijklmnopqrstuvwx" in target.secrets
    assert SLACK in target.secrets
    assert "services" not in target.secrets  # an ordinary word must stay readable


def test_teams_keeps_its_query_and_hides_the_signature() -> None:
    target = parse_target(f"teams+{TEAMS}", {})
    assert target.url.startswith("https://prod-07.westeurope.logic.azure.com:443/workflows/")
    assert "sig=Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE" in target.url
    assert target.shown == "teams+https://prod-07.westeurope.logic.azure.com:443/***"
    assert "Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE" in target.secrets


def test_webhook_secret_is_ours_and_never_sent() -> None:
    target = parse_target("webhook+https://hooks.example.com/drift?team=ops&secret=s3cr3t-"
                          "signing-key", {})
    assert target.url == "https://hooks.example.com/drift?team=ops"
    assert target.options["secret"] == "s3cr3t-signing-key"
    assert "s3cr3t-signing-key" in target.secrets
    assert target.shown == "webhook+https://hooks.example.com/***"


def test_webhook_without_a_secret_is_refused() -> None:
    with pytest.raises(ConfigError, match="signing secret"):
        parse_target("webhook+https://hooks.example.com/drift", {})


def test_variables_are_expanded_and_an_unset_one_is_named() -> None:
    env = {"PD_KEY": "R0123456789ABCDEF0123456789ABCD"}
    target = parse_target("pagerduty://${PD_KEY}", env)
    assert target.options["routing_key"] == env["PD_KEY"]
    assert target.url == PAGERDUTY_ENDPOINT
    assert target.shown == "pagerduty://***"
    with pytest.raises(ConfigError, match=r"\$\{SLACK_HOOK\}, which is not set") as raised:
        parse_target("slack+${SLACK_HOOK}", env)
    assert "R0123" not in str(raised.value)


def test_pagerduty_endpoint_and_severity() -> None:
    target = parse_target("pagerduty://KEYKEYKEY?endpoint=http://127.0.0.1:9/v2/enqueue"
                          "&severity=critical", {})
    assert target.url == "http://127.0.0.1:9/v2/enqueue"
    assert target.options["severity"] == "critical"
    assert "KEYKEYKEY" not in target.shown
    with pytest.raises(ConfigError, match="severity=loud"):
        parse_target("pagerduty://KEY?severity=loud", {})


def test_smtp_forms() -> None:
    target = parse_target("smtp://bot%40example.com:p%40ss-w0rd@mail.example.com?"
                          "to=a@example.com,b@example.com&to=c@example.com", {})
    assert (target.host, target.port) == ("mail.example.com", 587)
    assert target.username == "bot@example.com"
    assert target.password == "p@ss-w0rd"
    assert target.options["from"] == "bot@example.com"  # the user, when it is an address
    assert target.recipients == ("a@example.com", "b@example.com", "c@example.com")
    assert target.options["starttls"] == "1"
    assert target.shown == "smtp://bot@example.com@mail.example.com:587"
    assert target.secrets == ("p@ss-w0rd",)
    implicit = parse_target("smtps://u:pw12@mail.example.com?from=d@example.com&to=o@example.com",
                            {})
    assert (implicit.port, implicit.options["tls"], implicit.options["starttls"]) == (465, "1",
                                                                                      "0")


@pytest.mark.parametrize(("text", "message"), [
    ("smtp://mail.example.com?to=o@example.com", "from= and to="),
    ("smtp://u:pw@mail.example.com?from=a@b.c&to=o@e.com&starttls=0", "in clear"),
    ("smtp://mail.example.com?from=a@b.c&to=o@e.com&bcc=x", "unknown parameter"),
    ("gopher://example.com", "unknown target"),
    ("slack+ftp://hooks.slack.com/x", "not an http"),
])
def test_refused_targets_say_why(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        parse_target(text, {})
    assert "pw@" not in str(raised.value)


def test_parse_targets_registers_every_secret() -> None:
    redactor = Redactor()
    parse_targets([f"slack+{SLACK}", f"teams+{TEAMS}", "pagerduty://R0123456789ABCDEF"], {},
                  redactor)
    text = f"posting to {SLACK} and {TEAMS} with R0123456789ABCDEF"
    scrubbed = redactor.scrub(text)
    for secret in ("abcdefghijklmnopqrstuvwx", "Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE",
                   "R0123456789ABCDEF", "/services/"):
        assert secret not in scrubbed


def test_a_config_file_target_takes_its_secret_from_the_environment() -> None:
    from cloudrift.notify.targets import check_file_target

    check_file_target("slack+${SLACK_WEBHOOK_URL}", "cloudrift.toml")
    check_file_target("smtp://bot:${SMTP_PASSWORD}@mail.example.com?from=a@b.c&to=o@e.com",
                      "cloudrift.toml")
    check_file_target(f"teams+{TEAMS.replace('Zx9yW8vU7tS6rQ5pO4nM3lK2jI1hG0fE', '${SIG}')}",
                      "cloudrift.toml")
    with pytest.raises(ConfigError, match="holds its secret in the file") as raised:
        check_file_target(f"slack+{SLACK}", "cloudrift.toml")
    assert "abcdefghijklmnopqrstuvwx" not in str(raised.value)
    with pytest.raises(ConfigError, match=r"cloudrift.toml: .*holds its secret"):
        check_file_target("pagerduty://R0123456789ABCDEF", "cloudrift.toml")


def test_ordinary_parts_of_a_url_are_not_secrets() -> None:
    target = parse_target(f"teams+{TEAMS}", {})
    for word in ("2016-06-01", "invoke", "/triggers/manual/run", "1.0"):
        assert word not in target.secrets
    redactor = Redactor(target.secrets)
    assert redactor.scrub("Version 2016-06-01, lambda invoke") == \
        "Version 2016-06-01, lambda invoke"
    azure = parse_target("webhook+https://fn.azurewebsites.net/api/drift?code=AzFnKey0123456789"
                         "&secret=s3cr3t-signing-key", {})
    assert "AzFnKey0123456789" in azure.secrets
