"""The exception tree every cloudrift failure belongs to.

::

    CloudriftError                 exit code 2, one line, optional hint
    ├── ConfigError                bad flag, bad URL, unknown provider or option
    ├── SourceError                a state or HCL source cannot be read or parsed
    │   ├── StateFormatError       the file is read but is not a Terraform state we accept
    │   └── StateDecryptionError   an OpenTofu-encrypted state the key configuration given
    │                              cannot open (wrong passphrase, wrong key, denied KMS key)
    ├── ProviderError              a cloud cannot be reached at all (credentials, endpoint)
    └── HistoryError               the drift history cannot be used (unreachable, locked past
                                   its timeout, corrupt, or written by a newer cloudrift)

Partial failures (one service denied, one region throttled) are *not* exceptions: they become
``Warning`` entries in the report and the scan goes on. Only ``cli.py`` turns these exceptions into
exit codes.
"""

from __future__ import annotations


class CloudriftError(Exception):
    """Base of every error cloudrift raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} (hint: {self.hint})"
        return self.message


class ConfigError(CloudriftError):
    """The user asked for something that cannot be done as written."""


class SourceError(CloudriftError):
    """A desired-state source could not be read."""


class StateFormatError(SourceError):
    """A file was read but is not a Terraform state in a format we accept."""


class StateDecryptionError(SourceError):
    """The key configuration given cannot open an OpenTofu-encrypted state.

    Fatal wherever it happens, unlike a ``StateFormatError`` in a glob: the keys are the user's
    configuration, and a scan that skipped every state they fail on would hide the mistake."""


class ProviderError(CloudriftError):
    """A cloud provider could not be used at all."""


class HistoryError(CloudriftError):
    """The drift history store could not be read or written; the scan's report is still
    written."""
