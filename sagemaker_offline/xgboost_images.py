"""Recognise the built-in SageMaker XGBoost image URIs, so the offline runtime knows which container to emulate.

The accepted accounts, regions and tags come from the SageMaker SDK's own ``image_uri_config/xgboost.json``,
the file ``sagemaker.image_uris.retrieve("xgboost", ...)`` reads, so every URI the notebooks build is recognised.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

# The xgboost library inside each image (Dockerfiles of aws/sagemaker-xgboost-container; legacy: DG xgboost-72).
XGBOOST_LIBRARY_VERSIONS = {
    "0.72": "0.72",
    "0.90-1": "0.90",
    "0.90-2": "0.90",
    "1.0-1": "1.0.0",
    "1.2-1": "1.2.0",
    "1.2-2": "1.2.0",
    "1.3-1": "1.3.3",
    "1.5-1": "1.5.2",
    "1.7-1": "1.7.4",
    "3.0-5": "3.0.5",
}

# The legacy repository "xgboost" (tags "1" and its alias "latest") holds the closed-source 0.72 algorithm.
LEGACY_REPOSITORY = "xgboost"
LEGACY_VERSION = "0.72"
_IMAGE_SCOPES = ("inference", "training", "inference_graviton")
_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.(?P<host>ecr\.(?P<region>[a-z0-9-]+)\.[a-z0-9.-]+)"
    r"/(?P<repo>[a-z0-9._/-]+):(?P<tag>[A-Za-z0-9._-]+)$"
)


@dataclass(frozen=True)
class XGBoostImage:
    """One built-in XGBoost image, reduced to what decides the container's behaviour."""

    repository: str  # "sagemaker-xgboost", or the legacy "xgboost"
    tag: str  # as written in the URI: "1.7-1", "1.0-1-cpu-py3", "1", "latest"
    version: str  # framework version key: "0.90-2" ... "3.0-5", or "0.72" for the legacy image
    xgboost_version: str  # the xgboost library inside, e.g. "1.7.4"

    @property
    def is_legacy(self) -> bool:
        """True for the closed-source 0.72 image, whose behaviour is documented only."""
        return self.version == LEGACY_VERSION


def builtin_xgboost_image(image_uri: str) -> XGBoostImage | None:
    """Return the built-in XGBoost image named by ``image_uri``, or None for any other image.

    Accepts ``<account>.dkr.ecr.<region>.<suffix>/<repo>:<tag>`` only where the SDK would build that exact URI.
    """
    match = _URI.match(image_uri.strip()) if isinstance(image_uri, str) else None
    if match is None:
        return None
    account, region, repo, tag = match["account"], match["region"], match["repo"], match["tag"]
    if match["host"] != _ecr_hostname(region):
        return None
    version, allowed_repo = _version_key(tag)
    if version is None or repo != allowed_repo:
        return None
    for scope in _IMAGE_SCOPES:
        config = _image_config().get(scope, {}).get("versions", {}).get(version)
        if config is None or config.get("repository") != repo or config.get("registries", {}).get(region) != account:
            continue
        if tag in _tags_for(scope, version, config):
            framework_version = LEGACY_VERSION if repo == LEGACY_REPOSITORY else version
            return XGBoostImage(repo, tag, framework_version, XGBOOST_LIBRARY_VERSIONS[framework_version])
    return None


def _version_key(tag: str) -> tuple[str | None, str]:
    """The SDK version key a tag belongs to, and the repository that version lives in."""
    if tag in ("1", "latest"):
        return "1", LEGACY_REPOSITORY
    version = re.sub(r"-(cpu-py3|arm64)$", "", tag)
    if version not in XGBOOST_LIBRARY_VERSIONS or version == LEGACY_VERSION:
        return None, ""
    return version, "sagemaker-xgboost"


def _tags_for(scope: str, version: str, config: dict) -> set[str]:
    """The tags retrieve() writes for one version: "<v>-cpu-py3" where the SDK knows processors, "-arm64" on graviton."""
    if version == "1":
        return {"1", "latest"}  # "latest" is the SDK's version alias for "1"
    if scope == "inference_graviton":
        return {f"{version}-arm64"}
    if "processors" in config:
        return {version, f"{version}-cpu-py3"}  # the registry also serves the bare tag
    return {version}


@functools.lru_cache(maxsize=1)
def _image_config() -> dict:
    """The SDK's xgboost.json, read from the installed sagemaker package without importing it (importing takes ~1.5 s)."""
    spec = importlib.util.find_spec("sagemaker")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "The SageMaker Python SDK is not installed, so built-in XGBoost image URIs cannot be checked. "
            "Install the course requirements (pip install -r requirements.txt)."
        )
    # v2 keeps it in sagemaker/image_uri_config, v3 in sagemaker/core/image_uri_config (the appendix's .venv-v3).
    for folder in spec.submodule_search_locations:
        for path in (Path(folder) / "image_uri_config" / "xgboost.json",
                     Path(folder) / "core" / "image_uri_config" / "xgboost.json"):
            if path.is_file():
                return json.loads(path.read_text())
    raise RuntimeError("The installed SageMaker Python SDK has no image_uri_config/xgboost.json, so built-in XGBoost "
                       "image URIs cannot be checked. Reinstall the course requirements (pip install -r requirements.txt).")


@functools.lru_cache(maxsize=None)
def _ecr_hostname(region: str) -> str:
    """The ECR hostname the SDK uses for ``region`` (amazonaws.com, amazonaws.com.cn, c2s.ic.gov, ...)."""
    import botocore.loaders
    import botocore.regions

    resolver = botocore.regions.EndpointResolver(botocore.loaders.create_loader().load_data("endpoints"))
    endpoint = resolver.construct_endpoint("ecr", region)
    return endpoint["hostname"] if endpoint else f"ecr.{region}.amazonaws.com"
