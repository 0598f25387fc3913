"""Errors the offline AWS raises itself (not AWS's): each message is the whole advice, shown as one line in notebooks."""
from __future__ import annotations


class OfflineSetupError(RuntimeError):
    """The offline AWS cannot start in this environment; the message says what is missing and how to fix it."""

    def _render_traceback_(self):
        """IPython shows this instead of a traceback: the advice is the whole message, the runtime's frames are noise."""
        return [f"{type(self).__name__}: {self}"]
