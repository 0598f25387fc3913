"""The built-in XGBoost container's hyperparameter validation (image 1.7-1), in its own words, run before training as
the container runs it: aws/sagemaker-xgboost-container, branch 1.7-1 (commit f7a93a2),
src/sagemaker_xgboost_container/algorithm_mode/hyperparameter_validation.py (the table) and
src/sagemaker_algorithm_toolkit/hyperparameter_validation.py (the checks and their messages). The offline runtime
applies this table to every image version (docs/batch-transform-reference.md, section 6)."""
from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf


class UserError(Exception):
    """sagemaker_algorithm_toolkit.exceptions.UserError; `caused_by` adds " (caused by <type>)" as the toolkit does."""

    def __init__(self, message: str, caused_by: Exception | None = None):
        super().__init__(message + (f" (caused by {type(caused_by).__name__})" if caused_by else ""))


@dataclass(frozen=True)
class Interval:
    """hpv.Interval: which ends are open, printed as the toolkit prints it, e.g. "[1, +inf)" or "(0, 1]"."""

    low: float = -INF
    high: float = INF
    low_open: bool = False
    high_open: bool = False

    def __contains__(self, value) -> bool:
        return not ((value <= self.low if self.low_open else value < self.low)
                    or (value >= self.high if self.high_open else value > self.high))

    def __str__(self) -> str:
        low = "(-inf, " if self.low == -INF else f"{'(' if self.low_open else '['}{self.low}, "
        high = "+inf)" if self.high == INF else f"{self.high}{')' if self.high_open else ']'}"
        return low + high


def _closed(low=-INF, high=INF) -> Interval:
    return Interval(low, high)


OBJECTIVES = ["aft_loss_distribution", "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
              "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map", "reg:linear",
              "reg:squarederror", "reg:logistic", "reg:gamma", "reg:pseudohubererror", "reg:squaredlogerror",
              "reg:absoluteerror", "reg:tweedie", "survival:aft", "survival:cox"]
# name -> (kind, range): "int" and "float" take an Interval, "cat" a list; names the table has but the kit does not
# check further (lists, tuples, metrics) are "free".
TABLE: dict[str, tuple[str, object]] = {
    "num_round": ("int", _closed(1)), "csv_weights": ("int", _closed(0, 1)),
    "early_stopping_rounds": ("int", _closed(1)), "booster": ("cat", ["gbtree", "gblinear", "dart"]),
    "verbosity": ("int", _closed(0, 3)), "nthread": ("int", _closed(1)), "eta": ("float", _closed(0, 1)),
    "gamma": ("float", _closed(0)), "max_depth": ("int", _closed(0)), "min_child_weight": ("float", _closed(0)),
    "max_delta_step": ("float", _closed(0)), "subsample": ("float", Interval(0, 1, low_open=True)),
    "colsample_bytree": ("float", Interval(0, 1, low_open=True)),
    "colsample_bylevel": ("float", Interval(0, 1, low_open=True)),
    "colsample_bynode": ("float", Interval(0, 1, low_open=True)), "lambda": ("float", _closed(0)),
    "alpha": ("float", _closed(0)),
    "tree_method": ("cat", ["auto", "exact", "approx", "hist", "gpu_hist"]),
    "sketch_eps": ("float", Interval(0, 1, low_open=True, high_open=True)),
    "scale_pos_weight": ("float", Interval(0, INF, low_open=True)), "updater": ("free", None),
    "dsplit": ("cat", ["row", "col"]), "refresh_leaf": ("int", _closed(0, 1)),
    "process_type": ("cat", ["default", "update"]), "grow_policy": ("cat", ["depthwise", "lossguide"]),
    "max_leaves": ("int", _closed(0)), "max_bin": ("int", _closed(0)),
    "predictor": ("cat", ["auto", "cpu_predictor", "gpu_predictor"]), "monotone_constraints": ("free", None),
    "interaction_constraints": ("free", None), "sample_type": ("cat", ["uniform", "weighted"]),
    "normalize_type": ("cat", ["tree", "forest"]), "rate_drop": ("float", _closed(0, 1)),
    "one_drop": ("int", _closed(0, 1)), "skip_drop": ("float", _closed(0, 1)),
    "lambda_bias": ("float", _closed(0, 1)),
    "tweedie_variance_power": ("float", Interval(1, 2, low_open=True, high_open=True)),
    "objective": ("cat", OBJECTIVES), "num_class": ("int", _closed(2)), "base_score": ("float", _closed(0)),
    "_kfold": ("int", _closed(2)), "_num_cv_round": ("int", _closed(1)), "_tuning_objective_metric": ("free", None),
    "eval_metric": ("free", None), "seed": ("int", Interval(-(2 ** 31), 2 ** 31 - 1, True, True)),
    "num_parallel_tree": ("int", _closed(1)), "save_model_on_termination": ("cat", ["true", "false"]),
    "aft_loss_distribution": ("cat", ["normal", "logistic", "extreme"]),
    "aft_loss_distribution_scale": ("float", _closed(0)), "deterministic_histogram": ("cat", ["true", "false"]),
    "sampling_method": ("cat", ["uniform", "gradient_based"]),
    "prob_buffer_row": ("int", Interval(1, INF, low_open=True)), "use_dask_gpu_training": ("cat", ["true", "false"]),
}
ALIASES = {"learning_rate": "eta", "min_split_loss": "gamma", "reg_lambda": "lambda", "reg_alpha": "alpha"}


def validate(raw: dict[str, str]) -> dict:
    """Hyperparameters.validate: aliases, required, names, parsing, ranges, then num_class; returns parsed values."""
    given = {ALIASES.get(name, name): value for name, value in raw.items()}
    if "num_round" not in given:
        raise UserError("Missing required hyperparameter: num_round")
    parsed = {}
    for name, value in given.items():
        if name not in TABLE:
            raise UserError(f"Extraneous hyperparameter found: {name}")
        kind, _ = TABLE[name]
        try:
            parsed[name] = int(value) if kind == "int" else float(value) if kind == "float" else value
        except ValueError as error:
            raise UserError(f"Hyperparameter {name}: could not parse value", caused_by=error) from None
    for name, value in parsed.items():
        kind, allowed = TABLE[name]
        if kind != "free" and value not in allowed:
            raise UserError(f"Hyperparameter {name}: {value} is not in {allowed}")
    if parsed.get("objective") in ("multi:softmax", "multi:softprob") and "num_class" not in parsed:
        raise UserError("Require input for parameter 'num_class' for multi-classification")
    return parsed


def failure_reason(error: UserError) -> str:
    """How a UserError reaches FailureReason: sagemaker-containers' _trainer.train writes "framework error: \\n",
    the traceback and the message to /opt/ml/output/failure, and SageMaker prefixes "AlgorithmError: " (a real one:
    aws/amazon-sagemaker-examples#1740). No public 1.7-1 transcript shows the frames, so they are elided as "..."."""
    return (f"AlgorithmError: framework error: \nTraceback (most recent call last):\n  ...\n"
            f"sagemaker_algorithm_toolkit.exceptions.UserError: {error}\n\n{error}")
