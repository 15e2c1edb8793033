"""``slack+https://hooks.slack.com/services/…``: one Block Kit message per notice.

Within Slack's limits: at most 50 blocks, a header's text at most 150 characters, a section's at
most 3,000. Slack also refuses messages whose blocks hold much more than ~13,000 characters in
all (``msg_blocks_too_long``, below any documented limit), so the blocks' text is kept under
12,000. Past any of these, whole items are left out, last first, and the message says how many
and where the full report is. Untrusted text (ids, values, principals) is escaped for mrkdwn
(``&``, ``<``, ``>``: no link or mention can be forged) and kept out of code spans' backticks.
"""

from __future__ import annotations

from typing import Any

from cloudrift.notify.changes import Change, Notice, detail_lines, group_text, headline
from cloudrift.notify.channel import JsonChannel, Payload, encode
from cloudrift.notify.delivery import DeliveryError, post
from cloudrift.report.markdown import _visible

MAX_BLOCKS = 50
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
TEXT_BUDGET = 12_000
# header, summary, "… more" and the closing context
_FIXED_BLOCKS = 4


def mrkdwn(text: str) -> str:
    return _visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(notice: Notice, words: str = "full report") -> str:
    if notice.link and notice.link.startswith(("https://", "http://")):
        return f"<{notice.link.replace('|', '%7C').replace('>', '%3E')}|{words}>"
    return f"{words}: {mrkdwn(notice.link)}" if notice.link else ""


def _item_text(change: Change) -> str:
    lines = [f"*{mrkdwn(headline(change))}*"]
    lines += [f"• {mrkdwn(line)}" for line in detail_lines(change)]
    return clip("\n".join(lines), SECTION_LIMIT)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}


def render_message(notice: Notice) -> dict[str, Any]:
    """The message: header, summary, one section per change (or per group in a digest), a
    line for what was left out, and the scan's context."""
    title = notice.title
    summary = mrkdwn(notice.context)
    if notice.digest:
        summary += f"\n_{len(notice.changes)} changes: a digest by kind and type_"
    head = [{"type": "header", "text": {"type": "plain_text", "text": clip(title, HEADER_LIMIT),
                                        "emoji": False}},
            _section(summary)]
    texts = ([mrkdwn(group_text(g)) for g in notice.groups] if notice.digest
             else [_item_text(c) for c in notice.changes])
    budget = TEXT_BUDGET - len(title) - len(summary) - 200
    items: list[dict[str, Any]] = []
    for text in texts:
        if len(items) >= MAX_BLOCKS - _FIXED_BLOCKS or len(text) > budget:
            break
        budget -= len(text)
        items.append(_section(text))
    blocks = head + items
    left = len(texts) - len(items)
    link = _link(notice)
    if left:
        noun = "group" if notice.digest else "change"
        more = f"…and {left} more {noun}{'s' if left > 1 else ''}"
        blocks.append(_section(f"{more}: {link}" if link else
                               f"{more}; see the scan's report"))
    footer = f"cloudrift {mrkdwn(notice.report.tool_version or '')}".strip()
    if link and not left:
        footer += f" · {link}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    return {"text": clip(f"{title} ({notice.context})", SECTION_LIMIT), "blocks": blocks}


class SlackChannel(JsonChannel):
    def render(self, notice: Notice) -> list[Payload]:
        return [Payload("Slack message", render_message(notice))]

    def deliver(self, payload: Payload, timeout: float) -> None:
        answer = post(self.target.url, encode(payload.body),
                      {"Content-Type": "application/json; charset=utf-8"}, timeout)
        # an incoming webhook answers the text "ok"; anything else is not a posted message
        if answer.text.strip() != "ok":
            raise DeliveryError(f"HTTP {answer.status}: Slack answered {answer.text[:100]!r}, "
                                "not 'ok'", retryable=False, status=answer.status)
