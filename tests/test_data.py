"""helpers.course.data: the Boston table, the course's split and the CSV layouts built-in XGBoost reads."""
import pandas as pd

from helpers.course import data


def test_load_reads_506_rows_with_named_columns():
    frame = data.load_boston()
    assert frame.shape == (506, 14)
    assert list(frame.columns) == data.FEATURES + [data.TARGET]
    assert int((frame[data.TARGET] == data.PRICE_CAP).sum()) == 16


def test_split_is_disjoint_complete_and_repeatable():
    frame = data.load_boston()
    train, validation, test = data.split(frame)
    assert (len(train), len(validation), len(test)) == (226, 112, 168)
    again = data.split(frame)
    assert all(a.equals(b) for a, b in zip((train, validation, test), again))
    combined = pd.concat([train, validation, test]).sort_values(list(frame.columns)).reset_index(drop=True)
    assert combined.equals(frame.sort_values(list(frame.columns)).reset_index(drop=True))


def test_training_layout_is_label_first_without_header(tmp_path):
    train, _, _ = data.split(data.load_boston())
    path = data.write_csv(data.label_first(train), tmp_path / "train.csv")
    first = path.read_text().splitlines()[0].split(",")
    assert len(first) == 14 and float(first[0]) == train[data.TARGET].iloc[0]
    assert "CRIM" not in path.read_text()


def test_label_first_can_leave_a_feature_out():
    frame = data.load_boston()
    without_b = data.label_first(frame, [f for f in data.FEATURES if f != "B"])
    assert list(without_b.columns)[0] == data.TARGET and "B" not in without_b.columns
