"""``teams+https://…``: an Adaptive Card posted to a Microsoft Teams Workflows webhook.

The Office 365 connector cards (``MessageCard``) are retired: Workflows take Adaptive Cards
only, wrapped as a message with one attachment::

    {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
      "contentUrl": null, "content": {"type": "AdaptiveCard", "version": "1.4", "body": [...]}}]}

A Teams message is limited to about 28 KB: the card is kept under 27,000 bytes by leaving out
whole items, last first, and saying how many and where the full report is. Untrusted text is
escaped for the Markdown subset a TextBlock renders, so no link can be forged.
"""

from __future__ import annotations

import re
from typing import Any

from cloudrift.notify.changes import Change, Notice, detail_lines, group_text, headline
from cloudrift.notify.channel import JsonChannel, Payload, size
from cloudrift.report.markdown import _visible

SIZE_LIMIT = 28 * 1024
SIZE_BUDGET = 27_000
CARD_VERSION = "1.4"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# emphasis, code, links and HTML: what could make a value read as something it is not
_MARKDOWN = re.compile(r"([\\`*_\[\]<>~])")
_COLORS = {"new": "Attention", "reopened": "Attention", "resolved": "Good"}


def escape(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", _visible(text))


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _item(change: Change) -> dict[str, Any]:
    color = _COLORS.get(change.event, "Default")
    items = [_text(escape(headline(change)), weight="Bolder", color=color)]
    items += [_text(escape(line), spacing="None", isSubtle=True) for line in detail_lines(change)]
    return {"type": "Container", "separator": True, "items": items}


def message(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return {"type": "message",
            "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": card}]}


def render_message(notice: Notice) -> dict[str, Any]:
    head = [_text(escape(notice.title), weight="Bolder", size="Large"),
            _text(escape(notice.context), isSubtle=True, spacing="None")]
    counts = notice.counts
    if counts:
        head.append({"type": "FactSet", "facts": [{"title": event, "value": str(n)}
                                                  for event, n in counts.items()]})
    link = notice.link
    actions = ([{"type": "Action.OpenUrl", "title": "Full report", "url": link}]
               if link and link.startswith(("https://", "http://")) else [])
    if link and not actions:
        head.append(_text(escape(f"full report: {link}"), isSubtle=True))
    items = ([_text(escape(group_text(g))) for g in notice.groups] if notice.digest
             else [_item(c) for c in notice.changes])
    body = list(head)
    # room for the "…and N more" line
    budget = SIZE_BUDGET - 300
    used = size(message(body, actions))
    kept = 0
    for element in items:
        grown = size(element) + 1
        if used + grown > budget:
            break
        body.append(element)
        used += grown
        kept += 1
    left = len(items) - kept
    if left:
        noun = "group" if notice.digest else "change"
        where = "; the full report has them" if link else "; see the scan's report"
        body.append(_text(escape(f"…and {left} more {noun}{'s' if left > 1 else ''}{where}"),
                          weight="Bolder"))
    return message(body, actions)


class TeamsChannel(JsonChannel):
    def render(self, notice: Notice) -> list[Payload]:
        return [Payload("Teams card", render_message(notice))]
