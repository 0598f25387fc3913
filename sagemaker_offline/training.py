"""Training jobs on the built-in XGBoost images, run for real with xgboost as the algorithm-mode container runs them:
channels `train`/`validation` from S3, hyperparameters as strings, `num_round` required, and the artifact
`<S3OutputPath>/<job-name>/output/model.tar.gz` holding `xgboost-model` at its root (docs/batch-transform-reference.md, section 6)."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile
import tempfile
import warnings
from pathlib import Path

from sagemaker_offline import s3io, scratch

CHANNELS = {"train", "validation", "code"}
# Hyperparameters the container validates but does not hand to xgboost.train (algorithm_mode/train.py).
_NOT_FOR_XGBOOST = ("_kfold", "_num_cv_round", "_tuning_objective_metric", "csv_weights", "save_model_on_termination",
                    "prob_buffer_row", "use_dask_gpu_training", "dsplit")


class TrainingFailure(Exception):
    """A training job's failure, worded as the job's FailureReason."""


def _hyperparameters(raw: dict[str, str]) -> tuple[int, int | None, dict]:
    """Validate the job's hyperparameters as the 1.7-1 container does, first of all (sagemaker_offline/hyperparameters.py);
    returns (num_round, early stopping rounds, the parameters for xgboost)."""
    from sagemaker_offline import hyperparameters

    try:
        parsed = hyperparameters.validate({name: str(value).strip('"') for name, value in raw.items()})
    except hyperparameters.UserError as error:
        raise TrainingFailure(hyperparameters.failure_reason(error)) from None
    params: dict = {"objective": "reg:squarederror", **parsed}
    num_round = params.pop("num_round")
    early = params.pop("early_stopping_rounds", None)
    for private in _NOT_FOR_XGBOOST:
        params.pop(private, None)
    params.setdefault("nthread", 1)  # one core per job, so jobs side by side share the machine fairly
    return num_round, early, params


def _read_channel(account_id: str, name: str, channel: dict, workdir: Path, log=lambda *a: None,
                  symlinks: bool = False):
    """A channel's S3 objects as one DMatrix: CSV with the label first and no header, or libsvm."""
    import numpy as np
    import pandas as pd
    import xgboost as xgb

    source = channel["DataSource"]["S3DataSource"]
    bucket, prefix = s3io.split_uri(source["S3Uri"])
    objects = [o for o in s3io.list_prefix(account_id, bucket, prefix)
               if not Path(o.key).name.startswith((".", "_"))]
    if not objects:
        raise TrainingFailure(f"ClientError: No data in the {name} channel: no S3 objects under {source['S3Uri']}. "
                              "Upload the CSV there first (session.upload_data) or fix the channel's S3 URI.")
    content_type = (channel.get("ContentType") or "text/libsvm").split(";")[0].strip().lower()
    if content_type in ("text/csv", "csv"):
        # data_utils: the size check sniffs the delimiter, then (1.7-1 on) each file is linked into one folder
        log("Determined delimiter of CSV input is ','")
        folder = f"/opt/ml/input/data/{name}"
        if symlinks:
            log(f"File path {folder} of input files")
            log(f"Making smlinks from folder {folder} to folder /tmp/sagemaker_xgboost_input_data")
            for obj in objects:
                base = obj.key[len(prefix):].lstrip("/") or Path(obj.key).name
                suffix = int(hashlib.sha1(obj.key.encode()).hexdigest()[:15], 16)  # tempfile-like, stable per key
                log(f"creating symlink between Path {folder}/{base} and destination "
                    f"/tmp/sagemaker_xgboost_input_data/{Path(base).name}{suffix}")
            folder = "/tmp/sagemaker_xgboost_input_data"
        log(f"files path: {folder}")
        log("Determined delimiter of CSV input is ','")
        frames = []
        for obj in objects:
            raw = s3io.read_bytes(account_id, obj.bucket, obj.key)
            try:
                frame = pd.read_csv(io.BytesIO(raw), header=None, dtype="float32")
            except ValueError as exc:
                first = raw.split(b"\n", 1)[0][:80].decode(errors="replace")
                raise TrainingFailure(
                    f"ClientError: Could not read {obj.uri} in the {name} channel as numbers ({exc}); its first line "
                    f"is '{first}'. Built-in XGBoost wants CSV with the label in the first column and no header row: "
                    "write it with to_csv(header=False, index=False).") from None
            frames.append(frame)
        data = pd.concat(frames, ignore_index=True).to_numpy(dtype=np.float32)
        return xgb.DMatrix(data[:, 1:], label=data[:, 0])
    if content_type in ("text/libsvm", "libsvm", "text/x-libsvm"):
        path = workdir / f"{name}.libsvm"
        with open(path, "wb") as out:
            for obj in objects:
                out.write(s3io.read_bytes(account_id, obj.bucket, obj.key).rstrip(b"\n") + b"\n")
        return xgb.DMatrix(f"{path}?format=libsvm")
    raise TrainingFailure(f"ClientError: The offline runtime reads CSV and libsvm channels; the {name} channel says "
                          f"ContentType {content_type!r}. Use content_type='text/csv' with label-first CSV files.")


def _container_log(write):
    """The algorithm-mode container's logger ([date:time:LEVEL] message), stamped with the service clock."""
    from sagemaker_offline import logs

    return lambda message, level="INFO": write(logs.container_line(logs.service_time(), message, level))


def _not_json(value: str) -> bool:
    try:
        json.loads(value)
    except ValueError:
        return True
    return False


def run_training(account_id: str, params: dict, write, image=None, stop_requested=None,
                 deadline: float | None = None) -> dict:
    """Train as the built-in algorithm does and upload the artifact; returns the fields DescribeTrainingJob adds.
    `write` takes the container's output lines (its log stream); the lines follow real transcripts of image 1.3-1
    (tests/reference/aws/, docs/offline-runtime.md). A stop, or MaxRuntimeInSeconds passing (`deadline`, a
    time.monotonic() moment), ends it after the current round with nothing uploaded (stopping.Stopped /
    RuntimeExceeded): without `save_model_on_termination` the container keeps no model of the rounds done
    (aws/sagemaker-xgboost-container callback.py, cb8df91: only that hyperparameter adds the SIGTERM handler and the
    per-round model)."""
    import xgboost as xgb

    from sagemaker_offline.stopping import check

    log = _container_log(write)
    name = params["TrainingJobName"]
    raw_hyperparameters = params.get("HyperParameters") or {}
    log("Imported framework sagemaker_xgboost_container.training")
    for key, value in raw_hyperparameters.items():  # sagemaker-containers tries json.loads on each value
        if _not_json(str(value)):
            log(f"Failed to parse hyperparameter {key} value {value} to Json.\nReturning the value itself")
    log("No GPUs detected (normal if no gpus installed)")
    log("Running XGBoost Sagemaker in algorithm mode")
    symlinks = image is not None and image.version in ("1.7-1", "3.0-5")  # data_utils since commit 393a24e
    if symlinks:
        log("Determined 0 GPU(s) available on the instance.")
    num_round, early, xgb_params = _hyperparameters(raw_hyperparameters)  # first, as algorithm_mode/train.py does
    channels = {c["ChannelName"]: c for c in params.get("InputDataConfig", [])}
    extra = sorted(set(channels) - CHANNELS)
    if extra:
        raise TrainingFailure(f"ClientError: Extraneous channel found: {extra[0]}. Built-in XGBoost takes the "
                              "channels 'train' and, optionally, 'validation'.")
    if "train" not in channels:
        raise TrainingFailure("ClientError: Channel 'train' is required. Call fit({'train': ..., 'validation': ...}).")
    with tempfile.TemporaryDirectory(prefix=scratch.prefix("training")) as tmp:
        workdir = Path(tmp)
        dtrain = _read_channel(account_id, "train", channels["train"], workdir, log, symlinks)
        dvalidation = None
        if "validation" in channels:
            dvalidation = _read_channel(account_id, "validation", channels["validation"], workdir, log, symlinks)
        log("Single node training.")
        log(f"Train matrix has {dtrain.num_row()} rows and {dtrain.num_col()} columns")
        evals = [(dtrain, "train")]
        if dvalidation is not None:
            log(f"Validation matrix has {dvalidation.num_row()} rows")
            evals.append((dvalidation, "validation"))
        check(stop_requested, deadline)  # the channels took their time
        history: dict = {}

        class _LogRounds(xgb.callback.TrainingCallback):
            def after_iteration(self, model, epoch, evals_log):
                parts = [f"{data}-{metric}:{values[-1]:.5f}" for data, metrics in evals_log.items()
                         for metric, values in metrics.items()]
                write(f"[{epoch}]#011" + "#011".join(parts))  # xgboost's own line; CloudWatch shows a tab as #011
                check(stop_requested, deadline)  # raises out of xgb.train: no model is saved
                return False

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                booster = xgb.train(xgb_params, dtrain, num_boost_round=num_round, evals=evals, evals_result=history,
                                    early_stopping_rounds=early if early and len(evals) > 1 else None,
                                    verbose_eval=False, callbacks=[_LogRounds()])
        except xgb.core.XGBoostError as exc:
            raise TrainingFailure(f"AlgorithmError: XGBoost could not train: {str(exc).splitlines()[0]}") from None
        if early and len(evals) > 1:
            # xgboost 1.7 (image 1.7-1) stores this, and the 1.5-1/1.7-1 containers predict with only the best trees
            booster.set_attr(best_ntree_limit=str((booster.best_iteration + 1) * int(xgb_params.get("num_parallel_tree", 1))))
        model_dir = workdir / "model"
        model_dir.mkdir()
        with warnings.catch_warnings(), xgb.config_context(verbosity=0):  # no note about the UBJSON default
            warnings.simplefilter("ignore")
            booster.save_model(str(model_dir / "xgboost-model"))
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            tar.add(model_dir / "xgboost-model", arcname="xgboost-model")
    out_bucket, out_prefix = s3io.split_uri(params["OutputDataConfig"]["S3OutputPath"])
    key = "/".join(p for p in (out_prefix.strip("/"), name, "output", "model.tar.gz") if p)
    s3io.put_bytes(account_id, out_bucket, key, archive.getvalue())
    metrics = [{"MetricName": f"{data}:{metric}", "Value": float(values[-1])}
               for data, by_metric in history.items() for metric, values in by_metric.items()]
    return {"artifact": f"s3://{out_bucket}/{key}", "metrics": metrics}
