"""The framework images whose script mode the offline runtime runs: scikit-learn (`image_uris.retrieve("sklearn", ...)`)
and XGBoost (the built-in algorithm's image, in script mode when the SDK sets `sagemaker_program` /
`SAGEMAKER_PROGRAM`). The accepted URIs come from the SDK's own image_uri_config/sklearn.json, as for XGBoost."""
from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

# The scikit-learn library inside each image: requirements.txt of that version's branch of
# aws/sagemaker-scikit-learn-container (1.2-1: commit c59fb77e58e802b7458aade5f9e20b9546c6d304, with
# sagemaker-training 4.8.0). Offline, the kit's own scikit-learn runs instead (docs/offline-runtime.md).
SKLEARN_LIBRARY_VERSIONS = {"0.23-1": "0.23.2", "1.0-1": "1.0.2", "1.2-1": "1.2.1"}

_URI = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.[a-z0-9.-]+/(?P<repo>[a-z0-9._/-]+)"
                  r":(?P<tag>[A-Za-z0-9._-]+)$")


@dataclass(frozen=True)
class FrameworkImage:
    """A framework image running a learner's script: which framework, which version, what the image holds."""

    framework: str  # "sklearn" or "xgboost"
    version: str  # "1.2-1", "1.7-1" ...
    uri: str

    @property
    def library(self) -> str:
        if self.framework == "sklearn":
            return f"scikit-learn {SKLEARN_LIBRARY_VERSIONS.get(self.version, '(unknown)')}"
        from sagemaker_offline.xgboost_images import XGBOOST_LIBRARY_VERSIONS

        return f"xgboost {XGBOOST_LIBRARY_VERSIONS.get(self.version, '(unknown)')}"


@functools.lru_cache(maxsize=1)
def _sklearn_config() -> dict:
    spec = importlib.util.find_spec("sagemaker")
    for base in spec.submodule_search_locations or []:
        for candidate in (Path(base) / "image_uri_config" / "sklearn.json",
                          Path(base) / "core" / "image_uri_config" / "sklearn.json"):
            if candidate.exists():
                return json.loads(candidate.read_text())
    return {}


def sklearn_image(image_uri: str) -> FrameworkImage | None:
    """The scikit-learn framework image named by `image_uri` where the SDK would build that URI, else None."""
    match = _URI.match(image_uri.strip()) if isinstance(image_uri, str) else None
    if match is None:
        return None
    config = _sklearn_config()
    scopes = [config[scope] for scope in ("training", "inference") if scope in config] or [config]
    for scope in scopes:
        for version, entry in (scope.get("versions") or {}).items():
            if entry.get("repository") != match["repo"] or entry.get("registries", {}).get(match["region"]) != match["account"]:
                continue
            if match["tag"] == version or match["tag"].startswith(f"{version}-"):
                return FrameworkImage("sklearn", version, image_uri)
    return None


def framework_image(image_uri: str, program: str | None) -> FrameworkImage | None:
    """The framework image a script-mode job or container runs on, or None when the runtime cannot run it."""
    found = sklearn_image(image_uri)
    if found is not None:
        return found
    if program:
        from sagemaker_offline.xgboost_images import builtin_xgboost_image

        xgb = builtin_xgboost_image(image_uri)
        if xgb is not None and not xgb.is_legacy:  # the legacy 0.72 image has no script mode
            return FrameworkImage("xgboost", xgb.version, image_uri)
    return None


def supported_message() -> str:
    return ("Offline, script mode runs on the scikit-learn images (image_uris.retrieve('sklearn', region, '1.2-1')) "
            "and the XGBoost framework images (image_uris.retrieve('xgboost', region, '1.7-1') with an entry_point).")
