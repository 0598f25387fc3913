"""How many vCPUs an ML instance type has, so the offline container answers /execution-parameters as it would on that
instance (MaxConcurrentTransforms = its CPU count) instead of with this machine's core count."""
from __future__ import annotations

import re

_SIZE = re.compile(r"^ml\.[a-z0-9-]+\.(\d*)(xlarge|large|medium|small|micro|nano|metal)$")
_BASE = {"nano": 2, "micro": 2, "small": 2, "medium": 2, "large": 2, "xlarge": 4}


def vcpus(instance_type: str) -> int | None:
    """vCPUs from the size in the name (large 2, xlarge 4, Nxlarge 4N: ml.m4.xlarge 4, ml.c5.9xlarge 36), or None."""
    match = _SIZE.match(instance_type or "")
    if not match or match.group(2) == "metal":
        return None
    multiple, size = match.groups()
    base = _BASE[size]
    return base * int(multiple) if multiple else base
