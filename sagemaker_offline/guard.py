"""Fail closed: once offline mode has been asked for in a process, no AWS request leaves the machine until the learner
switches to AWS on purpose (`allow_aws()`, which `helpers.connect("aws")` and `%unload_ext` call).

While the offline AWS runs, moto answers every request it knows; a request it does not know is refused here instead of
going to AWS. After `stop()` every request is refused at once, with one line, before any DNS look-up: the request is
checked where botocore would send it (its `before-send` event, in place of moto's own handler, which it calls first),
and the credentials it signs with are placeholders, so that finding credentials cannot reach a metadata address. Requests to loopback
addresses (a moto server of one's own, the kit's server for the AWS CLI) are let through.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

# While latched and stopped, credentials resolve from these placeholders: no instance or container metadata look-up.
_PLACEHOLDERS = {
    "AWS_ACCESS_KEY_ID": "offline-aws-stopped",
    "AWS_SECRET_ACCESS_KEY": "offline-aws-stopped",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_HIDDEN = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE")

_latched = False
_installed = False
_saved_env: dict[str, str | None] | None = None


class OfflineAWSStopped(RuntimeError):
    """A request made after the offline AWS was stopped: it was sent nowhere."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


class NotOfferedOffline(RuntimeError):
    """A request for an AWS service the offline AWS does not offer: it was sent nowhere."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def latch() -> None:
    """Offline mode was asked for: from now on nothing reaches AWS until allow_aws()."""
    global _latched
    _install()
    _latched = True


def allow_aws() -> None:
    """The learner switched to AWS on purpose: requests may leave the machine again, with their own credentials."""
    global _latched
    _latched = False
    _restore_env()


def after_stop() -> None:
    """Called when the offline AWS stops: while latched, credentials become placeholders (nothing to look up)."""
    global _saved_env
    if not _latched or _saved_env is not None:
        return
    _saved_env = {name: os.environ.get(name) for name in (*_PLACEHOLDERS, *_HIDDEN)}
    for name in _HIDDEN:
        os.environ.pop(name, None)
    os.environ.update(_PLACEHOLDERS)
    import boto3

    boto3.DEFAULT_SESSION = None  # it caches the credentials it found first


def before_start() -> None:
    """Called when the offline AWS starts again: the learner's own environment back, for it to set its own."""
    _restore_env()


def _restore_env() -> None:
    """The environment from before the stop, where it still holds what the stop put there: a variable the learner set
    since (their own keys, written before switching to AWS) stays theirs."""
    global _saved_env
    if _saved_env is None:
        return
    for name, value in _saved_env.items():
        untouched = os.environ.get(name) == _PLACEHOLDERS.get(name)  # a placeholder, or (hidden) still unset
        if not untouched:
            continue
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved_env = None


def _is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


def _operation(event_name: str) -> str:
    """`before-send.sagemaker.ListModels` -> `sagemaker ListModels`."""
    parts = event_name.split(".")
    return " ".join(parts[1:3]) + " request" if len(parts) >= 3 else "request"


def _moto_or_refuse(request, event_name: str = "", **kwargs):
    """botocore's before-send, in place of moto's own handler: moto's answer when it has one, else the refusal."""
    from moto.core.models import botocore_stubber

    response = botocore_stubber(event_name, request, **kwargs)
    if response is not None or not _latched or _is_loopback(request.url):
        return response
    from sagemaker_offline import state

    if state.running is None:
        raise OfflineAWSStopped(
            f"The offline AWS was stopped, so this {_operation(event_name)} was sent nowhere (nothing reaches AWS "
            "until you switch to it on purpose). Re-run the setup cell to start the offline AWS again.")
    raise NotOfferedOffline(
        f"The offline AWS does not offer this {_operation(event_name)} ({urlsplit(request.url).hostname}), so it was "
        "sent nowhere: the services it offers are listed in docs/offline-runtime.md.")


def _install() -> None:
    """Put the check in place of moto's before-send handler for every botocore session created from now on. (botocore
    calls every before-send handler and sends unless one answered, so the check must see moto's answer.)"""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS
    from moto.core.models import botocore_stubber  # importing moto registers its handler

    for index, entry in enumerate(BUILTIN_HANDLERS):
        if entry[0] == "before-send" and entry[1] is botocore_stubber:
            BUILTIN_HANDLERS[index] = ("before-send", _moto_or_refuse)
            break
    else:
        BUILTIN_HANDLERS.append(("before-send", _moto_or_refuse))
    _installed = True
