"""The one offline AWS running in this process, if any: kept apart from the package's entry points so that the
runtime's own modules (the log clock) can ask for it without importing the package that starts it."""
from __future__ import annotations

running = None  # the OfflineAWS started by sagemaker_offline.start(), until stop()


def current():
    """The running OfflineAWS, or None."""
    return running
