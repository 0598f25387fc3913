"""How an input object is cut into records and mini-batches (SplitType, BatchStrategy, MaxPayloadInMB, spec section 2).

Mini-batches never span objects; a record larger than the payload limit fails its object."""
from __future__ import annotations

import gzip
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
    return RecordTooLarge(f"Record is larger than MaxPayloadInMB={mb} ({limit} bytes). Raise MaxPayloadInMB "
                          f"(max_payload in the SDK, up to 100) or split the record into smaller ones.")


def line_batches_multi(stream: BinaryIO, limit: int) -> Iterator[bytes]:
    """SplitType=Line, MultiRecord: as many whole lines (each with its newline) as fit in `limit` bytes per batch."""
    pending = b""
    while True:
        chunk = stream.read(max(limit - len(pending), 1))
        data = pending + chunk
        if not chunk:
            if data:
                yield data
            return
        if len(data) < limit:
            pending = data
            continue
        cut = data.rfind(b"\n", 0, limit)
        if cut < 0:
            raise _too_large(limit)
        yield data[: cut + 1]
        pending = data[cut + 1:]


def line_records(stream: BinaryIO, limit: int) -> Iterator[bytes]:
    """SplitType=Line, SingleRecord: one line (with its newline) per batch."""
    for line in stream:
        if len(line) > limit:
            raise _too_large(limit)
        yield line


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


def recordio_batches(stream: BinaryIO, limit: int, multi: bool) -> Iterator[bytes]:
    """SplitType=RecordIO: SingleRecord sends each frame without its padding, MultiRecord packs padded frames."""
    batch = b""
    for frame, pad in recordio_frames(stream):
        if not multi:
            if len(frame) > limit:
                raise _too_large(limit)
            yield frame
            continue
        padded = frame + pad
        if len(padded) > limit:
            raise _too_large(limit)
        if len(batch) + len(padded) > limit:
            yield batch
            batch = b""
        batch += padded
    if batch:
        yield batch


def batches(stream: BinaryIO, split_type: str, multi: bool, limit: int) -> Iterator[bytes]:
    """The request bodies for one object, in order."""
    if split_type == "Line":
        yield from (line_batches_multi(stream, limit) if multi else line_records(stream, limit))
    elif split_type == "RecordIO":
        yield from recordio_batches(stream, limit, multi)
    else:  # None: the whole object is one request
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RecordTooLarge(f"The object is larger than MaxPayloadInMB={limit // MIB} and SplitType is None, so it "
                                 "would be sent in one request. Set SplitType=Line (split_type='Line') so it is cut "
                                 "into mini-batches, or raise MaxPayloadInMB.")
        if body:
            yield body
