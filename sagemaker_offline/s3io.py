"""The runtime's own access to offline S3: it reads inputs and writes outputs in moto's store directly, as SageMaker's
fleet would, without the HTTP layer (a 120 MB put through a client takes seconds; through the store, a fraction)."""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

_S3_URI = re.compile(r"^(?:s3|https)://([^/]+)/?(.*)$")
COPY_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    size: int

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def split_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/key` -> (bucket, key)."""
    match = _S3_URI.match(uri)
    if not match:
        raise ValueError(f"{uri!r} is not an S3 URI: write it as s3://<bucket>/<key or prefix>.")
    return match.group(1), match.group(2)


def _backend(account_id: str):
    from moto.s3.models import s3_backends

    return s3_backends[account_id]["aws"]


def bucket_exists(account_id: str, bucket: str) -> bool:
    return bucket in _backend(account_id).buckets


def list_prefix(account_id: str, bucket: str, prefix: str) -> list[S3Object]:
    """Every object whose key starts with `prefix` (a plain string match, as S3Prefix is), sorted by key."""
    backend = _backend(account_id)
    if bucket not in backend.buckets:
        return []
    found = []
    store = backend.buckets[bucket].keys
    for name in list(store.keys()):
        if not name.startswith(prefix):
            continue
        key = store[name]
        if getattr(key, "is_delete_marker", False) or name.endswith("/") and key.size == 0:
            continue
        found.append(S3Object(bucket, name, key.size))
    return sorted(found, key=lambda o: o.key)


def head(account_id: str, bucket: str, key: str) -> S3Object | None:
    backend = _backend(account_id)
    if bucket not in backend.buckets or key not in backend.buckets[bucket].keys:
        return None
    return S3Object(bucket, key, backend.buckets[bucket].keys[key].size)


def read_bytes(account_id: str, bucket: str, key: str) -> bytes:
    return _backend(account_id).get_object(bucket, key).value


def read_manifest(account_id: str, uri: str) -> tuple[str, list[str]] | None:
    """A manifest file, `[{"prefix": "s3://b/p/"}, "rel/a.csv", ...]`, as (its prefix, the relative keys); None when
    no object is at `uri`, ValueError when the object is not of that shape (callers word the error for their job)."""
    import json

    bucket, key = split_uri(uri)
    if head(account_id, bucket, key) is None:
        return None
    try:
        entries = json.loads(read_bytes(account_id, bucket, key))
        prefix = entries[0]["prefix"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise ValueError(f"{uri} is not a manifest") from None
    return prefix, [str(relative) for relative in entries[1:]]


def download(account_id: str, bucket: str, key: str, path: Path) -> None:
    """Stream one object to a local file without holding it whole in memory."""
    fake_key = _backend(account_id).get_object(bucket, key)
    with fake_key.lock:
        buffer = fake_key._value_buffer  # moto keeps large values in a spooled temporary file
        buffer.seek(0)
        with open(path, "wb") as out:
            source = getattr(buffer, "_file", None)
            if getattr(buffer, "_rolled", False) and hasattr(os, "copy_file_range"):
                _copy_in_kernel(source.fileno(), out.fileno(), fake_key.size)  # no trip through Python buffers
            else:
                shutil.copyfileobj(buffer, out, COPY_CHUNK)


def _copy_in_kernel(source: int, target: int, size: int) -> None:
    offset = 0
    while offset < size:
        copied = os.copy_file_range(source, target, size - offset, offset_src=offset)
        if copied == 0:
            raise OSError(f"the offline S3 object ended after {offset} of {size} bytes")
        offset += copied


def put_bytes(account_id: str, bucket: str, key: str, data: bytes) -> None:
    _backend(account_id).put_object(bucket, key, data)


def upload(account_id: str, bucket: str, key: str, path: Path) -> None:
    put_bytes(account_id, bucket, key, Path(path).read_bytes())


def delete(account_id: str, bucket: str, key: str) -> None:
    backend = _backend(account_id)
    if bucket in backend.buckets and key in backend.buckets[bucket].keys:
        backend.delete_object(bucket, key)
