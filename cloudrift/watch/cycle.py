"""One watch cycle: ``scan``'s own ``ScanJob`` (states, comparison, history, outputs,
notifications), run under the loop's guard, and the exit code ``scan`` would give it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cloudrift.watch.loop import Finished, RunGuard

EXIT_ERROR = 2


def check_settings(values: Mapping[str, Any]) -> None:
    """What ``scan`` checks before it reads a state, checked once when the watch starts: a bad
    output, filter, history URL or notification target fails the command, not every scan."""
    from cloudrift import postprocess
    from cloudrift.api import check_history_settings, parse_shard
    from cloudrift.notify.run import prepare as prepare_notify
    from cloudrift.report import parse_output

    check_history_settings(values)
    parse_shard(values["shard"])
    for output in values["output"]:
        parse_output(output)
    postprocess.Filters.build(values["only"], values["type"], values["exclude_type"],
                              values["filter"])
    prepare_notify(values)


def cycle_function(values: Mapping[str, Any], config_ignores: Sequence[Any],
                   say: Callable[[str], None],
                   handler: logging.Handler | None = None) -> Callable[[RunGuard], Finished]:
    """The function the loop calls for each scan. States, ignore files and notification
    targets are read again every time: a watch follows edits to them."""
    from cloudrift.api import ScanJob
    from cloudrift.cli import _ScrubFilter, exit_code

    def cycle(guard: RunGuard) -> Finished:
        job = ScanJob(values, config_ignores, note=say, guard=guard)
        redactor = job.prepare()
        if handler is not None:
            # this scan's secrets, not the last one's (nor every one's since the start)
            for old in list(handler.filters):
                handler.removeFilter(old)
            handler.addFilter(_ScrubFilter(redactor))
        guard.check()
        try:
            outcome = job.execute()  # commits before it writes the history
            guard.commit()  # or here, when there is no history
            if values["output"]:
                job.write(outcome, color=False)
        finally:
            guard.release()
        job.notify(outcome)
        if outcome.history_error is not None:
            say(f"cloudrift: error: {outcome.history_error}")
            code = EXIT_ERROR
        else:
            code = exit_code(outcome.report, values["allow_incomplete"], values["fail_on"],
                             values["min_coverage"])
        return Finished(outcome.report, outcome.redactor, code)

    return cycle
