"""How the offline runtime cuts objects into mini-batches (sagemaker_offline/records.py): the agent's memory-mapped
cuts equal the streamed ones, and a batch never exceeds MaxPayloadInMB."""
from __future__ import annotations

import io
import random
import struct

import pytest

from sagemaker_offline import records


def _spans_from_file(tmp_path, data: bytes, split: str, multi: bool, limit: int):
    path = tmp_path / "object"
    path.write_bytes(data)
    with open(path, "rb") as stream:
        return list(records.spans(stream, split, multi, limit))


def test_mapped_line_cuts_equal_the_streamed_ones(tmp_path):
    rng = random.Random(7)
    for _ in range(200):
        lines = [b"x" * rng.randint(0, 40) + b"\n" for _ in range(rng.randint(0, 50))]
        if lines and rng.random() < 0.3:
            lines[-1] = lines[-1][:-1]  # a last line without its newline
        data = b"".join(lines)
        limit = rng.randint(42, 300)
        streamed = [(offset, len(body)) for offset, body in records._cut(io.BytesIO(data), "Line", True, limit)]
        mapped = _spans_from_file(tmp_path, data, "Line", True, limit)
        assert mapped == streamed
        assert all(length <= limit for _, length in mapped)
        assert b"".join(data[o:o + n] for o, n in mapped) == data
        assert all(data[o + n - 1:o + n] == b"\n" for o, n in mapped[:-1])  # batches end on a record boundary


def test_a_line_longer_than_the_limit_raises_record_too_large(tmp_path):
    data = b"1,2\n" + b"3" * 100 + b"\n"
    with pytest.raises(records.RecordTooLarge, match="Record is larger than"):
        _spans_from_file(tmp_path, data, "Line", True, 50)
    with pytest.raises(records.RecordTooLarge):
        list(records.batches(io.BytesIO(data), "Line", False, 50))


def test_split_none_sends_the_object_whole_or_refuses_it():
    assert list(records.batches(io.BytesIO(b"1,2\n3,4\n"), "None", True, 100)) == [b"1,2\n3,4\n"]
    assert list(records.batches(io.BytesIO(b""), "None", True, 100)) == []
    with pytest.raises(records.RecordTooLarge, match="SplitType is None"):
        list(records.batches(io.BytesIO(b"x" * 101), "None", True, 100))


def _frame(payload: bytes) -> bytes:
    return struct.pack("<II", records.RECORDIO_MAGIC, len(payload)) + payload + b"\0" * ((4 - len(payload) % 4) % 4)


def test_recordio_single_record_drops_padding_and_multi_record_keeps_it(tmp_path):
    frames = [_frame(b"abcde"), _frame(b"fg"), _frame(b"hijk")]
    data = b"".join(frames)
    single = _spans_from_file(tmp_path, data, "RecordIO", False, 1000)
    assert [data[o:o + n] for o, n in single] == [f[:8 + size] for f, size in zip(frames, (5, 2, 4))]
    multi = _spans_from_file(tmp_path, data, "RecordIO", True, 30)  # 16 + 12 fit, the third starts a new batch
    assert [data[o:o + n] for o, n in multi] == [frames[0] + frames[1], frames[2]]
    assert [records.record_count(data[o:o + n], "RecordIO") for o, n in multi] == [2, 1]


def test_data_that_is_not_recordio_is_refused():
    with pytest.raises(ValueError, match="not RecordIO"):
        list(records.batches(io.BytesIO(b"1,2\n3,4\n"), "RecordIO", True, 100))
