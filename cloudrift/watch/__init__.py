"""``cloudrift watch``: scans on a schedule in one long-running process, with ``/`` (the last
report), ``/metrics`` (Prometheus) and ``/healthz`` served on 127.0.0.1. See docs/watch.md.

``schedule`` (``--every``, ``--cron``, jitter), ``loop`` (``Watcher``: one scan at a time,
signals, grace), ``cycle`` (one scan: ``scan``'s own ``ScanJob`` under the loop's guard),
``state`` (what the server shows), ``metrics``, ``server`` (``WatchServer``) and ``command``
(the click command). Nothing is imported here: ``cloudrift --help`` does not
load the server's libraries.
"""
