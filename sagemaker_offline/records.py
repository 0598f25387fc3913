"""How an input object is cut into records and mini-batches (SplitType, BatchStrategy, MaxPayloadInMB, spec section 2).

Mini-batches never span objects; a record larger than the payload limit fails its object."""
from __future__ import annotations

import gzip
import mmap
import os
import struct
from typing import BinaryIO, Iterator

MIB = 1024 * 1024
RECORDIO_MAGIC = 0xCED7230A


class RecordTooLarge(Exception):
    """One record does not fit in MaxPayloadInMB; the object fails, as on SageMaker."""


def open_object(path, compression: str | None) -> BinaryIO:
    """The object's bytes, decompressed first when CompressionType is Gzip."""
    return gzip.open(path, "rb") if compression == "Gzip" else open(path, "rb")


def _too_large(limit: int) -> RecordTooLarge:
    mb = limit // MIB
    return RecordTooLarge(f"Record is larger than {mb}MB (MaxPayloadInMB={mb}, {limit} bytes). Raise MaxPayloadInMB "
                          f"(max_payload in the SDK, up to 100) or split the record into smaller ones")


def line_batches_multi(stream: BinaryIO, limit: int) -> Iterator[tuple[int, memoryview]]:
    """SplitType=Line, MultiRecord: (offset, bytes) of as many whole lines (each with its newline) as fit in `limit`."""
    pending, offset = b"", 0
    while True:
        chunk = stream.read(max(limit - len(pending), 1))
        data = pending + chunk if pending else chunk
        if not chunk:
            if data:
                yield offset, memoryview(data)
            return
        if len(data) <= limit:  # a batch may be exactly `limit` bytes: wait for one more byte or the end
            pending = data
            continue
        cut = data.rfind(b"\n", 0, limit)
        if cut < 0:
            raise _too_large(limit)
        yield offset, memoryview(data)[: cut + 1]
        offset += cut + 1
        pending = data[cut + 1:]


def line_records(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes]]:
    """SplitType=Line, SingleRecord: (offset, bytes) of one line (with its newline) per batch."""
    offset = 0
    for line in stream:
        if len(line) > limit:
            raise _too_large(limit)
        yield offset, line
        offset += len(line)


def recordio_frames(stream: BinaryIO) -> Iterator[tuple[bytes, bytes]]:
    """RecordIO framing: (frame without padding, padding) per record (magic, length, data, pad to 4 bytes)."""
    while True:
        header = stream.read(8)
        if not header:
            return
        if len(header) < 8:
            raise ValueError("The object ends inside a RecordIO header: it is not RecordIO data.")
        magic, length_word = struct.unpack("<II", header)
        if magic != RECORDIO_MAGIC:
            raise ValueError("The object is not RecordIO (wrong magic number); use SplitType=None or Line for it.")
        length = length_word & ((1 << 29) - 1)
        data = stream.read(length)
        pad = stream.read((4 - length % 4) % 4)
        yield header + data, pad


def recordio_batches(stream: BinaryIO, limit: int, multi: bool) -> Iterator[tuple[int, bytes]]:
    """SplitType=RecordIO: SingleRecord sends each frame without its padding, MultiRecord packs padded frames."""
    batch, start, offset = b"", 0, 0
    for frame, pad in recordio_frames(stream):
        here, offset = offset, offset + len(frame) + len(pad)
        if not multi:
            if len(frame) > limit:
                raise _too_large(limit)
            yield here, frame
            continue
        padded = frame + pad
        if len(padded) > limit:
            raise _too_large(limit)
        if len(batch) + len(padded) > limit:
            yield start, batch
            batch, start = b"", here
        batch += padded
    if batch:
        yield start, batch


def record_count(body: bytes, split_type: str) -> int:
    """How many records one request body holds (for the job's trace)."""
    if split_type == "Line":
        return body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if split_type == "RecordIO":
        count, at = 0, 0
        while at + 8 <= len(body):
            length = struct.unpack_from("<I", body, at + 4)[0] & ((1 << 29) - 1)
            at += 8 + length + (4 - length % 4) % 4
            count += 1
        return count
    return 1


def _cut(stream: BinaryIO, split_type: str, multi: bool, limit: int) -> Iterator[tuple[int, bytes | memoryview]]:
    if split_type == "Line":
        yield from (line_batches_multi(stream, limit) if multi else line_records(stream, limit))
    elif split_type == "RecordIO":
        yield from recordio_batches(stream, limit, multi)
    else:  # None: the whole object is one request
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RecordTooLarge(f"The object is larger than MaxPayloadInMB={limit // MIB} and SplitType is None, so it "
                                 "would be sent in one request. Set SplitType=Line (split_type='Line') so it is cut "
                                 "into mini-batches, or raise MaxPayloadInMB")
        if body:
            yield 0, body


def batches(stream: BinaryIO, split_type: str, multi: bool, limit: int) -> Iterator[bytes]:
    """The request bodies for one object, in order."""
    for _, body in _cut(stream, split_type, multi, limit):
        yield bytes(body)


def spans(stream: BinaryIO, split_type: str, multi: bool, limit: int) -> Iterator[tuple[int, int]]:
    """(offset, length) in the object of each request body, in order: instances' workers read their batch themselves."""
    if split_type == "Line" and multi and hasattr(stream, "fileno"):
        yield from _line_spans_mapped(stream, limit)
        return
    for offset, body in _cut(stream, split_type, multi, limit):
        yield offset, len(body)


def _line_spans_mapped(stream: BinaryIO, limit: int) -> Iterator[tuple[int, int]]:
    """line_batches_multi's cuts, found in a memory map of the local file: the agent never copies the object."""
    size = os.fstat(stream.fileno()).st_size
    if size == 0:
        return
    with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        offset = 0
        while size - offset > limit:
            cut = mapped.rfind(b"\n", offset, offset + limit)
            if cut < 0:
                raise _too_large(limit)
            yield offset, cut + 1 - offset
            offset = cut + 1
        if offset < size:
            yield offset, size - offset
