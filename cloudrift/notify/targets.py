"""``--notify TARGET``: where a notification goes, parsed from a URL-like string.

::

    slack+https://hooks.slack.com/services/T…/B…/…      Slack incoming webhook (Block Kit)
    teams+https://….logic.azure.com/workflows/…?…&sig=… Teams Workflows webhook (Adaptive Card)
    webhook+https://example.com/hook?secret=…           JSON, signed with HMAC-SHA256
    smtp://USER:PASSWORD@HOST:587?from=…&to=…           e-mail, STARTTLS (smtps:// implicit TLS)
    pagerduty://ROUTING_KEY                             PagerDuty Events v2 (?endpoint= for tests)
    apprise+SERVICE://…                                 any Apprise URL (the ``apprise`` extra)

``${NAME}`` anywhere in a target is replaced by the environment variable NAME, so a config file
or a CI definition can name a secret without holding it. Every target has a masked form
(``shown``) that is the only one ever printed, and the parts that are secrets (``secrets``),
which the scan's ``Redactor`` blanks wherever they would appear.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlencode, urlsplit, urlunsplit

from cloudrift.errors import ConfigError

CHANNELS = ("slack", "teams", "webhook", "email", "pagerduty", "apprise")
PAGERDUTY_ENDPOINT = "https://events.pagerduty.com/v2/enqueue"
PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
MASK = "***"

_SECRET_PARAMS = frozenset({"sig", "signature", "code", "token", "key", "secret", "password",
                            "apikey", "api_key", "access_token", "auth"})
_TOKEN_LENGTH = 16
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HINT = ("slack+https://hooks.slack.com/services/…, teams+https://…, webhook+https://…?secret=…, "
         "smtp://USER:PASSWORD@HOST:587?from=…&to=…, pagerduty://ROUTING_KEY, apprise+…")


@dataclass(frozen=True)
class Target:
    """One parsed target. ``url`` is where an HTTP channel posts (our own query parameters
    removed); ``options`` holds the channel's settings (single values, ``to`` comma-joined)."""

    channel: str
    url: str
    shown: str
    secrets: tuple[str, ...] = ()
    options: Mapping[str, str] = field(default_factory=dict)
    # e-mail only
    host: str = ""
    port: int = 0
    username: str | None = None
    password: str | None = None
    recipients: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.shown


def expand(text: str, env: Mapping[str, str]) -> str:
    """``${NAME}`` replaced by the variable's value; an unset one is an error naming it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise ConfigError(f"--notify target names ${{{name}}}, which is not set",
                              hint=f"export {name}=… or write the value in the target")
        return env[name]

    return _VARIABLE.sub(value, text)


def _secret_parts(*parts: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in parts if p and p not in ("/", "")))


def _masked_http(channel: str, scheme: str, netloc: str, has_more: bool) -> str:
    host = netloc.rsplit("@", 1)[-1]
    return f"{channel}+{scheme}://{host}/{MASK}" if has_more else f"{channel}+{scheme}://{host}"


def _http_target(channel: str, inner: str, reserved: tuple[str, ...]) -> tuple[Target, dict[
        str, str]]:
    parts = urlsplit(inner)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"--notify {channel}+…: not an http(s) URL", hint=_HINT)
    query = parse_qs(parts.query, keep_blank_values=True)
    ours = {k: v[-1] for k, v in query.items() if k in reserved}
    passed = [(k, v) for k, values in query.items() if k not in reserved for v in values]
    url = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(passed), ""))
    # the whole URL, its path and query, the values of parameters named like credentials,
    # and a last path segment long enough to be a token (Slack's); never a short word
    # ("invoke") or an ordinary value ("api-version=2016-06-01") that reports may contain
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    secrets = _secret_parts(url, inner, parts.path if len(parts.path) > 1 else None,
                            urlencode(passed) or None, parts.password,
                            *(v for k, v in passed if k.lower() in _SECRET_PARAMS),
                            last if len(last) >= _TOKEN_LENGTH else None)
    shown = _masked_http(channel, parts.scheme, parts.netloc,
                         len(parts.path) > 1 or bool(passed))
    return Target(channel, url, shown, secrets), ours


def _email_target(text: str) -> Target:
    parts = urlsplit(text)
    implicit = parts.scheme == "smtps"
    if not parts.hostname:
        raise ConfigError("--notify smtp://: no host", hint="smtp://USER:PASSWORD@HOST:587?"
                          "from=drift@example.com&to=ops@example.com")
    query = {k: v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - {"from", "to", "starttls", "cafile", "timeout"}
    if unknown:
        raise ConfigError(f"--notify {parts.scheme}://: unknown parameter(s) "
                          f"{', '.join(sorted(unknown))}",
                          hint="from, to (repeatable), starttls=0|1, cafile, timeout")
    recipients = tuple(a.strip() for v in query.get("to", []) for a in v.split(",") if a.strip())
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    sender = (query.get("from") or [""])[-1] or (username if username and "@" in username
                                                  else "")
    if not recipients or not sender:
        raise ConfigError(f"--notify {parts.scheme}://…: needs from= and to= addresses",
                          hint="smtp://USER:PASSWORD@HOST:587?from=drift@example.com&"
                          "to=ops@example.com")
    starttls = (query.get("starttls") or ["1"])[-1] not in ("0", "false", "no")
    if password and not implicit and not starttls:
        raise ConfigError("--notify smtp://…?starttls=0 with a password would send it in "
                          "clear", hint="use STARTTLS (the default) or smtps://")
    port = parts.port or (465 if implicit else 587)
    user_part = f"{username}@" if username else ""
    shown = f"{parts.scheme}://{user_part}{parts.hostname}:{port}"
    options = {"from": sender, "starttls": "1" if starttls and not implicit else "0",
               "tls": "1" if implicit else "0"}
    for name in ("cafile", "timeout"):
        if query.get(name):
            options[name] = query[name][-1]
    return Target("email", shown, shown, _secret_parts(password), options,
                  host=parts.hostname, port=port, username=username, password=password,
                  recipients=recipients)


def _pagerduty_target(text: str) -> Target:
    parts = urlsplit(text)
    key = unquote(parts.netloc + parts.path).strip("/")
    if not key:
        raise ConfigError("--notify pagerduty://: no routing key",
                          hint="pagerduty://ROUTING_KEY or pagerduty://${PAGERDUTY_ROUTING_KEY}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "severity"}
    if unknown:
        raise ConfigError(f"--notify pagerduty://: unknown parameter(s) "
                          f"{', '.join(sorted(unknown))}", hint="endpoint, severity")
    severity = query.get("severity", "warning")
    if severity not in PAGERDUTY_SEVERITIES:
        raise ConfigError(f"--notify pagerduty://…?severity={severity}: not one of "
                          f"{', '.join(PAGERDUTY_SEVERITIES)}")
    endpoint = query.get("endpoint", PAGERDUTY_ENDPOINT)
    shown = f"pagerduty://{MASK}"
    if endpoint != PAGERDUTY_ENDPOINT:
        shown += f"?endpoint={endpoint}"
    return Target("pagerduty", endpoint, shown, _secret_parts(key),
                  {"routing_key": key, "severity": severity})


def _apprise_target(inner: str) -> Target:
    parts = urlsplit(inner)
    if not parts.scheme:
        raise ConfigError("--notify apprise+…: not an Apprise URL", hint="apprise+discord://…")
    # Apprise URLs put tokens anywhere (host, user, path, query): show only the service
    secrets = _secret_parts(inner, parts.netloc, parts.path if len(parts.path) > 1 else None,
                            parts.query or None, parts.password, parts.username)
    return Target("apprise", inner, f"apprise+{parts.scheme}://{MASK}", secrets)


def parse_target(text: str, env: Mapping[str, str]) -> Target:
    """Parse one ``--notify`` value, ``${NAME}`` expanded from ``env``."""
    raw = expand(text.strip(), env)
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme in ("smtp", "smtps"):
        return _email_target(raw)
    if scheme == "pagerduty":
        return _pagerduty_target(raw)
    channel, plus, inner = raw.partition("+")
    channel = channel.lower()
    if plus and channel == "apprise":
        return _apprise_target(inner)
    if plus and channel in ("slack", "teams", "webhook"):
        reserved = ("secret",) if channel == "webhook" else ()
        target, ours = _http_target(channel, inner, reserved)
        if channel == "webhook":
            if not ours.get("secret"):
                raise ConfigError(f"--notify {target.shown}: a webhook target needs a signing "
                                  "secret", hint="webhook+https://…?secret=${HOOK_SECRET}")
            target = Target(target.channel, target.url, target.shown,
                            (*target.secrets, ours["secret"]), {"secret": ours["secret"]})
        return target
    shown = raw.split("://", 1)[0] + "://…" if "://" in raw else "(not a URL)"
    raise ConfigError(f"--notify {shown}: unknown target", hint=_HINT)


def masked(text: str, env: Mapping[str, str]) -> str:
    """The masked form of a target as given, for ``cloudrift config``; one that does not parse
    shows its scheme only."""
    try:
        return parse_target(text, env).shown
    except ConfigError:
        scheme = text.split("://", 1)[0] if "://" in text else "?"
        return f"{scheme}://{MASK}"


def check_file_target(text: str, where: str) -> None:
    """A target in a config file (committed next to the code) must take its secret from the
    environment: at least one of its secret parts comes from a ``${NAME}``."""
    names = {m.group(1) for m in _VARIABLE.finditer(text)}
    stand_ins = {name: f"cloudriftvar{n}x" for n, name in enumerate(sorted(names))}
    try:
        target = parse_target(text, stand_ins)
    except ConfigError as exc:
        if names:
            return  # a variable holds the URL's structure too (slack+${URL}): checked in use
        raise ConfigError(f"{where}: {exc.message}", hint=exc.hint) from None
    if not any(stand_in in secret for secret in target.secrets
               for stand_in in stand_ins.values()):
        raise ConfigError(f"{where}: the notify target {target.shown} holds its secret in the "
                          "file", hint="write ${NAME} for the secret part and set NAME in the "
                          "environment (docs/notifications.md)")
