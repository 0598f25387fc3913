"""The Boston house-prices data (data/README.md): loading, the course's train/validation/test split, and the CSV layouts
built-in XGBoost wants (label first, no header, for training; features only for batch transform). Used by every notebook."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

# helpers/datasets is the repository's data/ folder (a link there; a copy in an installed wheel)
DATA_DIR = Path(__file__).resolve().parents[1] / "datasets"
BOSTON_CSV = DATA_DIR / "boston_house_prices.csv"
FEATURES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT"]
TARGET = "MEDV"
PRICE_CAP = 50.0  # MEDV is censored here: 16 towns sit exactly at the cap
SEED = 42


def load_boston() -> pd.DataFrame:
    """The 506 rows with named columns; the file's first line (`506,13,...`) is a count, not data."""
    frame = pd.read_csv(BOSTON_CSV, skiprows=1)
    if list(frame.columns) != FEATURES + [TARGET] or len(frame) != 506:
        raise ValueError(f"{BOSTON_CSV} is not the expected Boston file (see data/README.md for its checksum).")
    return frame


def split(frame: pd.DataFrame, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train / validation / test as in the original demo: a third for test, then a third of the rest for validation."""
    order = np.random.default_rng(seed).permutation(len(frame))
    n_test = len(frame) // 3
    test = frame.iloc[order[:n_test]]
    rest = order[n_test:]
    n_validation = len(rest) // 3
    validation = frame.iloc[rest[:n_validation]]
    train = frame.iloc[rest[n_validation:]]
    return train.reset_index(drop=True), validation.reset_index(drop=True), test.reset_index(drop=True)


def label_first(frame: pd.DataFrame, features: list[str] | None = None) -> pd.DataFrame:
    """The training layout of built-in XGBoost: the label in column 0, then the features."""
    return frame[[TARGET] + list(features or FEATURES)]


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write without header and index, the only CSV form the XGBoost containers read."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, header=False, index=False)
    return path
