"""The built-in SageMaker XGBoost inference container (algorithm mode), run in-process by the offline transform runtime.

Reproduces /ping, /execution-parameters and /invocations of aws/sagemaker-xgboost-container
(algorithm_mode/serve.py, serve_utils.py, encoder.py, data_utils.py) per image version, including the error texts
a learner later reads in FailureReason and the logs. Parsing and prediction take fast paths that give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import pickle
import warnings
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import numpy as np
import pandas as pd
import xgboost as xgb
from scipy.sparse import csr_matrix, issparse
from scipy.sparse import vstack as sparse_vstack

from sagemaker_offline.xgboost_images import XGBoostImage

# Versions in release order; behaviour switches below compare positions in this list.
_ORDER = ["0.72", "0.90-1", "0.90-2", "1.0-1", "1.2-1", "1.2-2", "1.3-1", "1.5-1", "1.7-1", "3.0-5"]

CSV, LIBSVM, PARQUET, RECORDIO_PROTOBUF = "csv", "libsvm", "parquet", "recordio-protobuf"
_VALID_CONTENT_TYPES = [
    CSV, LIBSVM, PARQUET, RECORDIO_PROTOBUF, "text/csv", "text/libsvm", "text/x-libsvm",
    "application/x-parquet", "application/x-recordio-protobuf",
]  # fmt: skip
SUPPORTED_ACCEPTS = ["application/json", "application/jsonlines", "application/x-recordio-protobuf", "text/csv"]
PKL_FORMAT, XGB_FORMAT = "pkl_format", "xgb_format"
DEFAULT_MAX_CONTENT_LENGTH = 6291456

# Flask's own pages for errors the container does not catch itself.
_FLASK_500 = (
    b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
    b"<p>The server encountered an internal error and was unable to complete your request. Either the server is "
    b"overloaded or there is an error in the application.</p>\n"
)
_FLASK_413 = (
    b"<!doctype html>\n<html lang=en>\n<title>413 Request Entity Too Large</title>\n<h1>Request Entity Too Large</h1>"
    b"\n<p>The data value transmitted exceeds the capacity limit.</p>\n"
)
_HTML = "text/html; charset=utf-8"  # Flask's default mimetype, also on the container's plain-text error bodies
_FAST_DELIMITERS = {",", "\t", ";", "|", " "}
_UTF8_BOM = b"\xef\xbb\xbf"

# Selectable inference output (serve_utils.py, SAGEMAKER_INFERENCE_OUTPUT).
_REGRESSION = ["predicted_score"]
_CLASSIFIER = ["predicted_label", "labels", "raw_score", "raw_scores"]
_VALID_OBJECTIVES = {
    "reg:squarederror": _REGRESSION, "reg:logistic": _REGRESSION, "reg:gamma": _REGRESSION,
    "reg:absoluteerror": _REGRESSION, "reg:tweedie": _REGRESSION,
    "binary:logistic": ["predicted_label", "labels", "probability", "probabilities", "raw_score", "raw_scores"],
    "binary:logitraw": _CLASSIFIER, "binary:hinge": _CLASSIFIER, "multi:softmax": _CLASSIFIER,
    "multi:softprob": ["predicted_label", "labels", "probability", "probabilities", "raw_score", "raw_scores"],
}  # fmt: skip
_VOTE_OBJECTIVES = ("multi:softmax", "binary:hinge")


# -- what the container prints (serving stack: sagemaker-containers 2.8.6.post2 starts nginx, then gunicorn) -----
NO_GPUS = "No GPUs detected (normal if no gpus installed)"  # sagemaker_containers._env.num_gpus()
# sagemaker_containers' etc/nginx.conf.template as the container logs it ("nginx config: \n%s\n"), proxy_read_timeout
# from SAGEMAKER_MODEL_SERVER_TIMEOUT (60); the real transcript in tests/reference/aws shows the same lines.
NGINX_CONFIG = """worker_processes auto;
daemon off;
pid /tmp/nginx.pid;
error_log  /dev/stderr;
worker_rlimit_nofile 4096;
events {
  worker_connections 2048;
}
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout combined;
  upstream gunicorn {
    server unix:/tmp/gunicorn.sock;
  }
  server {
    listen 8080 deferred;
    client_max_body_size 0;
    keepalive_timeout 3;
    location ~ ^/(ping|invocations|execution-parameters) {
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header Host $http_host;
      proxy_redirect off;
      proxy_read_timeout 60s;
      proxy_pass http://gunicorn;
    }
    location / {
      return 404 "{}";
    }
  }
}"""
# requirements.txt of each image's branch: gunicorn<20 (19.10.0) up to 1.5-1; 1.7-1 was rebuilt with 23.0.0 on
# 2025-06-11 (commit ddd9206), 3.0-5 shipped with 23.0.0 (commit d4a0e90).
_GUNICORN = {"1.7-1": "23.0.0", "3.0-5": "23.0.0"}
GUNICORN_MASTER_PID = 18  # as in the reference transcript; workers follow from 25


def startup_events(image: XGBoostImage, vcpus: int) -> list[tuple]:
    """The container's start-up output on one instance: GPU detection, the nginx config, gunicorn and one worker
    booted per vCPU of the instance type (gunicorn -w <cpu count>), as logs.render takes them."""
    master = GUNICORN_MASTER_PID
    events: list[tuple] = [("container", "INFO", NO_GPUS), ("container", "INFO", NO_GPUS),
                           ("container", "INFO", "nginx config: \n" + NGINX_CONFIG)]
    events += [("gunicorn", master, f"Starting gunicorn {_GUNICORN.get(image.version, '19.10.0')}"),
               ("gunicorn", master, f"Listening at: unix:/tmp/gunicorn.sock ({master})"),
               ("gunicorn", master, "Using worker: gevent")]
    events += [("gunicorn", master + 7 + n, f"Booting worker with pid: {master + 7 + n}") for n in range(max(vcpus, 1))]
    return events


@dataclass
class Response:
    """One HTTP response of the container: status code, raw body and Content-Type header."""

    status: int
    body: bytes
    content_type: str


class _ParseError(Exception):
    """A payload the container answers with 415; the message is the container's own text."""


@dataclass
class _Payload:
    """Parsed request data: a dense float array (CSV, dense RecordIO) or a scipy CSR matrix (libsvm, sparse)."""

    matrix: object
    content_type: str  # CSV, LIBSVM or RECORDIO_PROTOBUF

    @property
    def num_col(self) -> int:
        return int(self.matrix.shape[1])


@dataclass
class _Model:
    """One loaded booster with what the container derives from it once."""

    booster: xgb.Booster
    model_format: str
    ntree_limit: int
    num_parallel_tree: int
    num_features: int
    feature_names_len: int | None


class XGBoostServer:
    """The serving process of one built-in XGBoost image over an unpacked model directory (/opt/ml/model).

    ``environ`` is the container environment (CreateModel env + job Environment + SAGEMAKER_BATCH ...). ``nthread``
    only changes speed, never output: the container pins each booster to 1 thread and runs one worker per CPU,
    so None means 1 inside a worker process and all cores when called from the main process.
    """

    def __init__(
        self,
        model_dir: str | os.PathLike,
        image: XGBoostImage,
        environ: Mapping[str, str],
        *,
        nthread: int | None = None,
        log: Callable[..., None] | None = None,
        cpu_count: int | None = None,
    ):
        self.model_dir = Path(model_dir)
        self.image = image
        self.environ = dict(environ)
        self._v = _ORDER.index(image.version)
        raw_log = log or (lambda line, level="INFO": None)
        # (message, level): the container's logger, which sees the model where SageMaker puts it
        self._log = lambda message, level="INFO": raw_log(message.replace(str(self.model_dir), "/opt/ml/model"), level)
        self._nthread = nthread if nthread is not None else (1 if multiprocessing.parent_process() else 0)
        # the CPUs of the instance the container runs on (None: this machine's), as multiprocessing.cpu_count() sees them
        self._cpu_count = cpu_count
        self._models: list[_Model] | None = None
        self._objective: str | None = None
        self._num_class = ""
        self._batch = bool(self.environ.get("SAGEMAKER_BATCH"))
        max_length = int(self.environ.get("MAX_CONTENT_LENGTH", str(DEFAULT_MAX_CONTENT_LENGTH)))
        # 0.90 caps the body at 20 MB whatever MAX_CONTENT_LENGTH says.
        self.max_content_length = max_length if self._since("1.0-1") else min(max_length, 20 * 1024**2)

    def _since(self, version: str) -> bool:
        return self._v >= _ORDER.index(version)

    # ----------------------------------------------------------------- endpoints
    def ping(self) -> Response:
        """GET /ping: loads the model; an exception there is not caught by the container, so Flask answers 500."""
        try:
            self._load()
        except Exception as error:  # noqa: BLE001 - mirrors Flask's catch-all
            self._log(f"Exception on /ping [GET]\n{error}", "ERROR")
            return Response(500, _FLASK_500, _HTML)
        return Response(200, b"", _HTML)

    def execution_parameters(self) -> Response:
        """GET /execution-parameters: one worker per CPU, MultiRecord, MaxPayloadInMB from MAX_CONTENT_LENGTH."""
        parameters = {
            "MaxConcurrentTransforms": self._cpu_count or multiprocessing.cpu_count(),
            "BatchStrategy": "MULTI_RECORD",
            "MaxPayloadInMB": int(self.max_content_length / (1024**2)),
        }
        return Response(200, json.dumps(parameters).encode(), "application/json")

    def invocations(self, body: bytes, content_type: str | None, accept: str | None) -> Response:
        """POST /invocations with the mini-batch ``body`` and the request's Content-Type and Accept headers."""
        if len(body) > self.max_content_length:
            return Response(413, _FLASK_413, _HTML)
        if len(body) == 0:
            return Response(204, b"", _HTML)
        try:
            payload = self._parse(body, content_type)
        except Exception as error:  # noqa: BLE001 - every parse failure is a 415 in serve.py
            return self._error(415, str(error))
        try:
            models = self._load()
        except Exception as error:  # noqa: BLE001
            return self._error(500, f"Unable to load model: {error}")
        try:
            preds = self._predict(models, payload)
        except Exception as error:  # noqa: BLE001
            return self._error(400, f"Unable to evaluate payload provided: {_short(error)}")

        selectable = self._since("1.0-1") and "SAGEMAKER_INFERENCE_OUTPUT" in self.environ
        accept_value = None
        if self._since("1.2-2") or selectable:  # 1.0-1 and 1.2-1 check Accept only for selectable output
            try:
                accept_value = self._parse_accept(accept)
            except ValueError as error:
                return self._error(406, str(error))
        try:
            if selectable:
                return self._selectable_response(preds, accept_value)
            return self._predictions_response(preds, accept_value)
        except _Uncaught as error:
            self._log(f"Exception on /invocations [POST]\n{error}", "ERROR")
            return Response(500, _FLASK_500, _HTML)

    # ----------------------------------------------------------------- parsing
    def _parse(self, body: bytes, raw_content_type: str | None) -> _Payload:
        content_type = _content_type_key(raw_content_type)
        if content_type == CSV:
            try:
                first = bytes(body[:4096]).strip().split(b"\n", 1)[0].decode("utf-8", "replace")
                self._log(f"Determined delimiter of CSV input is '{_sniff_delimiter(first)}'")
            except csv.Error:
                pass  # the parser below raises the container's own error for it
            try:
                numpy_era = 2 if self._since("3.0-5") else (1 if self._since("1.5-1") else 0)
                return _Payload(_parse_csv(body, numpy_era), CSV)
            except Exception as error:  # noqa: BLE001
                raise _ParseError(
                    "Loading csv data failed with Exception, "
                    f"please ensure data is in csv format:\n {type(error)}\n {error}"
                ) from error
        if content_type == LIBSVM:
            try:
                return _Payload(_parse_libsvm(body), LIBSVM)
            except Exception as error:  # noqa: BLE001
                raise _ParseError(
                    "Loading libsvm data failed with Exception, "
                    f"please ensure data is in libsvm format:\n {type(error)}\n {error}"
                ) from error
        if content_type == RECORDIO_PROTOBUF:
            try:
                return _Payload(_parse_recordio_protobuf(body), RECORDIO_PROTOBUF)
            except Exception as error:  # noqa: BLE001
                raise _ParseError(
                    "Loading recordio-protobuf data failed with Exception, please ensure data is in "
                    f"recordio-protobuf format: {type(error)} {error}"
                ) from error
        raise _ParseError(f"Content-type {raw_content_type} is not supported.")

    def _parse_accept(self, accept: str | None) -> str:
        value, _ = _parse_header(accept or "")
        if not value or value == "*/*":
            return self.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")
        if value.lower() not in SUPPORTED_ACCEPTS:
            raise ValueError(
                f"Accept type {value} is not supported. Please use supported accept types: {SUPPORTED_ACCEPTS}."
            )
        return value.lower()

    # ----------------------------------------------------------------- model
    def _load(self) -> list[_Model]:
        if self._models is None:
            self._models = self._load_models()
            config = json.loads(self._models[0].booster.save_config())
            self._objective = config["learner"]["objective"]["name"]
            self._num_class = config["learner"]["learner_model_param"].get("num_class", "")
            if self._since("1.2-2"):
                self._log(f"Model objective : {self._objective}")
        return self._models

    def _model_paths(self) -> list[Path]:
        # os.listdir order is whatever the file system gives; sorted keeps runs reproducible.
        regular = [path for path in sorted(self.model_dir.iterdir()) if path.is_file()]
        if self._since("1.3-1") or (self._since("1.2-1") and not self._since("1.2-2")):
            for path in regular:
                if path.name.startswith("."):
                    self._log(
                        f"Ignoring dotfile '{path}' found in model directory"
                        " - please exclude dotfiles from model archives"
                    )
            regular = [path for path in regular if not path.name.startswith(".")]
        if not self._since("1.2-1"):  # 0.90, 1.0-1: next() over the listing
            if not regular:
                raise StopIteration()
            return regular[:1]
        if not self._since("1.2-2"):  # 1.2-1: the first file only, with its own error for none
            if not regular:
                raise RuntimeError(f"No valid model files found in '{self.model_dir}'")
            if len(regular) > 1:
                self._log(f"Found {len(regular)} model files - only '{regular[0]}' will be loaded")
            return regular[:1]
        ensemble = self.environ.get("SAGEMAKER_INFERENCE_ENSEMBLE", "true") == "true"
        if not regular:
            raise IndexError("list index out of range")  # models[0] on an empty list
        return regular if ensemble else regular[:1]

    def _load_models(self) -> list[_Model]:
        models = []
        for path in self._model_paths():
            if self._since("1.2-2"):
                self._log(f"Loading the model from {path}")
            try:
                with open(path, "rb") as handle:
                    booster = pickle.load(handle)
                model_format = PKL_FORMAT
            except Exception as pickle_error:  # noqa: BLE001
                try:
                    booster = xgb.Booster()
                    with warnings.catch_warnings(), xgb.config_context(verbosity=0):
                        warnings.simplefilter("ignore")  # no note that a file without extension is read as UBJSON
                        booster.load_model(str(path))
                    model_format = XGB_FORMAT
                except Exception as xgb_error:  # noqa: BLE001
                    raise RuntimeError(self._load_error_text(path, pickle_error, xgb_error)) from xgb_error
            booster.set_param("nthread", self._nthread)
            models.append(self._describe(booster, model_format))
        return models

    def _load_error_text(self, path: Path, pickle_error: Exception, xgb_error: Exception) -> str:
        if not self._since("1.2-1"):
            return f"Model at {self.model_dir} cannot be loaded:\n{pickle_error}\n{_short(xgb_error)}"
        if self._since("1.2-2") and not self._since("1.3-1"):
            return f"Model at {path} cannot be loaded:\n{pickle_error}\n{_short(xgb_error)}"
        return f"Model {path} cannot be loaded:\nPickle load error={pickle_error}\nXGB load model error={_short(xgb_error)}"

    def _describe(self, booster: xgb.Booster, model_format: str) -> _Model:
        # serve_utils predicts with getattr(booster, "best_ntree_limit", 0). A pickle carries that attribute;
        # xgboost 1.5.2 and 1.7.4 also restore it from the saved model attribute in load_model(), 3.0.5 does not.
        limit = getattr(booster, "best_ntree_limit", 0) or 0
        if model_format == XGB_FORMAT and self.image.version in ("1.5-1", "1.7-1"):
            limit = int(booster.attr("best_ntree_limit") or 0)
        config = json.loads(booster.save_config())
        tree_param = config["learner"].get("gradient_booster", {}).get("gbtree_model_param", {})
        names = booster.feature_names
        return _Model(
            booster=booster,
            model_format=model_format,
            ntree_limit=int(limit),
            num_parallel_tree=max(int(tree_param.get("num_parallel_tree", 1) or 1), 1),
            num_features=booster.num_features(),
            feature_names_len=len(names) if names is not None else None,
        )

    # ----------------------------------------------------------------- prediction
    def _predict(self, models: list[_Model], payload: _Payload) -> np.ndarray:
        first = models[0]
        if first.model_format == PKL_FORMAT:
            self._check_pickled_features(first, payload)
        predictions = [self._predict_one(model, payload) for model in models]
        if len(predictions) == 1:
            return predictions[0]
        how = "Vote" if self._objective in _VOTE_OBJECTIVES else "Average"
        self._log(f"{how} ensemble prediction of {self._objective} with {len(models)} models")
        if self._objective in _VOTE_OBJECTIVES:
            mode = _mode(np.stack(predictions))
            # 3.0-5 runs scipy 1.15, whose stats.mode drops the model axis, so `.mode[0]` keeps one value only.
            return mode[0] if self._since("3.0-5") else mode
        return np.mean(predictions, axis=0)

    def _check_pickled_features(self, model: _Model, payload: _Payload) -> None:
        # xgboost <= 1.3 always named features f0..fn-1, so len(feature_names) was the feature count.
        x = model.num_features if self._since("1.5-1") or model.feature_names_len is None else model.feature_names_len
        y = payload.num_col
        if payload.content_type == LIBSVM:
            if y > x + 1:
                raise ValueError(
                    f"Feature size of libsvm inference data {y} is larger than feature size of trained model {x}."
                )
        elif not (x == y or x == y + 1):
            raise ValueError(
                f"Feature size of {payload.content_type} inference data {y} is not consistent "
                f"with feature size of trained model {x}."
            )

    def _predict_one(self, model: _Model, payload: _Payload) -> np.ndarray:
        limit = model.ntree_limit
        if limit <= 0:
            iteration_range = (0, 0)
        elif self._since("3.0-5"):
            iteration_range = (0, limit)  # 3.0-5 passes best_ntree_limit straight in as an iteration count
        else:
            # ntree_limit counted trees; xgboost <= 1.7 clamps it to the trees there are.
            iteration_range = (0, min(limit // model.num_parallel_tree, model.booster.num_boosted_rounds()))
        matrix = payload.matrix
        if isinstance(matrix, np.ndarray) and matrix.ndim == 2 and matrix.shape[1] == model.num_features:
            # Same float32 conversion and trees as DMatrix + predict, without building a DMatrix.
            return model.booster.inplace_predict(matrix, iteration_range=iteration_range, validate_features=False)
        dmatrix = xgb.DMatrix(matrix, nthread=self._nthread)
        return model.booster.predict(dmatrix, iteration_range=iteration_range, validate_features=False)

    # ----------------------------------------------------------------- responses
    def _predictions_response(self, preds: np.ndarray, accept: str | None) -> Response:
        try:
            preds_list = preds.tolist()
            if self._batch:
                text = "\n".join(map(str, preds_list)) + "\n"
            elif not self._since("1.2-2"):
                text = ",".join(map(str, preds_list))
            elif accept == "application/json":
                text = json.dumps({"predictions": [{"score": pred} for pred in preds_list]})
            elif accept == "text/csv":
                text = _array_to_csv(preds_list)
            else:  # sagemaker_containers' encoders know only csv, json and npy
                raise _Uncaught(f"Content type {accept} is not supported by this framework.")
        except TypeError as error:  # the 3.0-5 vote ensemble's single value is not iterable
            raise _Uncaught(str(error)) from error
        mimetype = accept if self._since("1.2-2") else "text/csv"
        return Response(200, text.encode(), _with_charset(mimetype))

    def _selectable_response(self, preds: np.ndarray, accept: str) -> Response:
        try:
            keys = self.environ["SAGEMAKER_INFERENCE_OUTPUT"].replace(" ", "").lower().split(",")
            selected = _selected_predictions(preds, keys, self._objective, self._num_class)
            body = _encode_selected(selected, keys, accept, self._batch)
        except Exception as error:  # noqa: BLE001 - serve.py answers 500 with the message
            return self._error(500, str(error))
        return Response(200, body if isinstance(body, bytes) else body.encode(), _with_charset(accept))

    def _error(self, status: int, message: str) -> Response:
        self._log(message, "ERROR")  # serve.py: logging.exception(e) before answering
        return Response(status, message.encode(), _HTML)


class _Uncaught(Exception):
    """An exception serve.py does not catch, so Flask turns it into its generic 500 page."""


# --------------------------------------------------------------------- helpers without state
def _content_type_key(raw: str | None) -> str:
    """data_utils.get_content_type: no Content-Type means libsvm; unknown ones raise the container's UserError."""
    if raw is None:
        return LIBSVM
    value, params = _parse_header(raw.lower())
    if value in (CSV, "text/csv"):
        if params and "label_size" in params and params["label_size"] != "1":
            raise _ParseError(
                f"{raw} is not an accepted csv ContentType. Optional parameter label_size must be equal to 1"
            )
        return CSV
    if value in (LIBSVM, "text/libsvm", "text/x-libsvm"):
        return LIBSVM
    if value in (PARQUET, "application/x-parquet"):
        return PARQUET
    if value in (RECORDIO_PROTOBUF, "application/x-recordio-protobuf"):
        return RECORDIO_PROTOBUF
    raise _ParseError(f"{raw} is not an accepted ContentType: {', '.join(_VALID_CONTENT_TYPES)}.")


def _parse_header(line: str) -> tuple[str, dict[str, str]]:
    """cgi.parse_header (removed from Python 3.13), which the container uses for Content-Type and Accept."""
    parts = _header_parts(";" + line)
    key = next(parts)
    params = {}
    for part in parts:
        i = part.find("=")
        if i >= 0:
            name = part[:i].strip().lower()
            value = part[i + 1 :].strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1].replace("\\\\", "\\").replace('\\"', '"')
            params[name] = value
    return key, params


def _header_parts(s: str):
    while s[:1] == ";":
        s = s[1:]
        end = s.find(";")
        while end > 0 and (s.count('"', 0, end) - s.count('\\"', 0, end)) % 2:
            end = s.find(";", end + 1)
        if end < 0:
            end = len(s)
        yield s[:end].strip()
        s = s[end:]


def _parse_csv(body: bytes, numpy_era: int = 2) -> np.ndarray:
    """encoder.csv_to_dmatrix on the stripped body: fast with pandas, exact (and the error text) otherwise.

    ``numpy_era`` picks the image's numpy error texts: 0 before 1.24 (up to 1.3-1), 1 for 1.24 (1.5-1, 1.7-1),
    2 for numpy 2 (3.0-5).
    """
    fast = _parse_csv_fast(body)
    return fast if fast is not None else _parse_csv_exact(body, numpy_era)


def _sniff_delimiter(first_line: str) -> str:
    sniffed = csv.Sniffer().sniff(first_line[:512]).delimiter
    return "," if sniffed.isalnum() else sniffed


def _parse_csv_fast(body: bytes) -> np.ndarray | None:
    """pandas' C parser with the container's rules, or None whenever it might disagree with them.

    Returns only when the result provably equals the exact path: same delimiter, one row per '\\n',
    the same number of fields in every row, values parsed as Python floats would be, no inf.
    """
    data = body.strip()
    if data.startswith(_UTF8_BOM) or b"\r" in data:
        return None  # pandas drops a BOM and ends lines at '\r'; the container does neither
    newline = data.find(b"\n")
    try:
        delimiter = _sniff_delimiter((data if newline < 0 else data[:newline]).decode("utf-8"))
    except (UnicodeDecodeError, csv.Error):
        return None
    if delimiter not in _FAST_DELIMITERS:
        return None
    try:
        frame = pd.read_csv(
            io.BytesIO(data), sep=delimiter, header=None, dtype=np.float64, engine="c", encoding="utf-8",
            na_values=["", "nan", "NaN"], keep_default_na=False, quoting=csv.QUOTE_NONE,
            skip_blank_lines=False, lineterminator="\n",
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - anything odd goes to the exact path
        return None
    # pandas keeps columns apart: this view is column-major, and xgboost predicts from it as it is (a C-ordered
    # copy would cost more than parsing)
    values = frame.to_numpy()
    if values.dtype != np.float64:
        values = values.astype(np.float64)
    rows, cols = values.shape
    if not np.isfinite(values).all():
        if np.isinf(values).any():
            return None  # DMatrix refuses inf; let the exact path raise xgboost's own error
        # Padded short rows and blank lines show up as NaN, so the counting checks (a scan of the whole body)
        # are needed only when some value is NaN.
        if data.count(b"\n") != rows - 1:
            return None
        if cols > 1 and data.count(delimiter.encode()) != rows * (cols - 1):
            return None  # pandas pads short rows with NaN; the container rejects ragged rows
    return values


def _parse_csv_exact(body: bytes, numpy_era: int = 2) -> np.ndarray:
    """Line-for-line encoder.csv_to_dmatrix: sniff, split on '\\n', '' -> 'nan', numpy float cast, DMatrix."""
    text = body.strip().decode("utf-8")
    delimiter = _sniff_delimiter(text.split("\n")[0])
    rows = [["nan" if field == "" else field for field in line.split(delimiter)] for line in text.split("\n")]
    if numpy_era == 0 and len({len(row) for row in rows}) > 1:
        # numpy < 1.24 (images up to 1.3-1) built an object array here and failed in astype.
        raise ValueError("setting an array element with a sequence.")
    try:
        values = np.array(rows).astype(float)
    except ValueError as error:
        if numpy_era == 2:
            raise
        # numpy 1.x quoted the bad field as 'a'; numpy 2 writes np.str_('a').
        raise ValueError(re.sub(r"np\.str_\((.*)\)$", r"\1", str(error))) from None
    xgb.DMatrix(values)  # raises xgboost's error for inf, as the container's DMatrix() call does
    return values


def _parse_libsvm(body: bytes):
    """serve_utils._get_sparse_matrix_from_libsvm: 'idx:val' tokens; tokens without ':' (labels) are skipped."""
    text = body.strip().decode("utf-8")
    row, col, data = [], [], []
    for row_idx, line in enumerate(text.split("\n")):
        for item in line.split(" "):
            if ":" in item:
                parts = item.split(":")
                row.append(row_idx)
                col.append(parts[0])
                data.append(parts[1])
    matrix = csr_matrix((np.array(data).astype(float), (np.array(row), np.array(col).astype(int))))
    xgb.DMatrix(matrix)  # the container builds it while parsing, so its errors are 415s too
    return matrix


def _parse_recordio_protobuf(body: bytes):
    """encoder.recordio_protobuf_to_dmatrix: the 'values' tensor of every record; labels are ignored."""
    from sagemaker.amazon.common import read_records  # imported on demand: importing the SDK takes ~1.5 s

    rows, sparse = [], False
    for record in read_records(io.BytesIO(bytes(body))):
        value = record.features["values"]
        tensor = next(
            getattr(value, name) for name in ("float32_tensor", "float64_tensor", "int32_tensor") if value.HasField(name)
        )
        values = np.array(tensor.values, dtype=np.float64 if value.HasField("float64_tensor") else np.float32)
        if tensor.keys:
            sparse = True
            width = int(tensor.shape[0]) if tensor.shape else int(max(tensor.keys)) + 1
            keys = np.array(tensor.keys, dtype=np.int64)
            rows.append(csr_matrix((values, keys, [0, len(keys)]), shape=(1, width)))
        else:
            rows.append(values)
    if not rows:
        raise ValueError("no records found in the payload")
    matrix = sparse_vstack([r if issparse(r) else csr_matrix(r) for r in rows]).tocsr() if sparse else np.vstack(rows)
    xgb.DMatrix(matrix)
    return matrix


def _mode(stack: np.ndarray) -> np.ndarray:
    """scipy.stats.mode along the model axis: the most common value, the smallest one on ties."""
    ordered = np.sort(stack, axis=0)
    counts = np.stack([(ordered == ordered[i]).sum(axis=0) for i in range(len(ordered))])
    return np.take_along_axis(ordered, counts.argmax(axis=0)[None, ...], axis=0)[0]


def _array_to_csv(preds_list: list) -> str:
    """sagemaker_containers encoders.array_to_csv: one row per record, values through str() of a float64."""
    array = np.array(preds_list)
    if array.ndim == 1:
        return "".join(f"{value}\n" for value in array.tolist())
    return "".join(",".join(str(value) for value in row) + "\n" for row in array.tolist())


def _with_charset(mimetype: str) -> str:
    """Werkzeug adds a charset to text/* mimetypes."""
    return f"{mimetype}; charset=utf-8" if mimetype.startswith("text/") or mimetype.endswith("+xml") else mimetype


def _short(error: Exception) -> str:
    """An exception's text without the native stack trace xgboost appends (it only names this machine's paths)."""
    return str(error).split("\nStack trace:")[0].rstrip()


def _selected_predictions(preds: np.ndarray, keys: list[str], objective: str, num_class: str) -> list[dict]:
    """serve_utils.get_selected_predictions: one dict per record with the keys valid for the objective, nan for others."""
    if objective not in _VALID_OBJECTIVES:
        raise ValueError(f"Objective `{objective}` unsupported for selectable inference predictions.")
    valid = set(keys) & set(_VALID_OBJECTIVES[objective])
    invalid = set(keys) - set(_VALID_OBJECTIVES[objective])
    out = []
    for raw in preds:
        item = {}
        if "predicted_label" in valid:
            item["predicted_label"] = _predicted_label(objective, raw)
        if "labels" in valid:
            item["labels"] = _labels(objective, num_class)
        if "probability" in valid:
            item["probability"] = max(raw).item() if objective == "multi:softprob" else raw.item()
        if "probabilities" in valid:
            item["probabilities"] = raw.tolist() if objective == "multi:softprob" else [1.0 - raw.item(), raw.item()]
        if "raw_score" in valid:
            item["raw_score"] = max(raw).item() if objective == "multi:softprob" else raw.item()
        if "raw_scores" in valid:
            item["raw_scores"] = raw.tolist() if objective == "multi:softprob" else [1.0 - raw.item(), raw.item()]
        if "predicted_score" in valid:
            item["predicted_score"] = raw.item()
        for key in invalid:
            item[key] = np.nan
        out.append(item)
    return out


def _labels(objective: str, num_class: str):
    if "binary:" in objective:
        return [0, 1]
    if "multi:" in objective and num_class:
        return list(range(int(num_class)))
    return np.nan


def _predicted_label(objective: str, raw: np.ndarray):
    if objective in ("binary:hinge", "multi:softmax"):
        return raw.item()
    if objective == "binary:logistic":
        return int(raw > 0.5)
    if objective == "binary:logitraw":
        return int(raw > 0)
    if objective == "multi:softprob":
        return np.argmax(raw).item()
    return np.nan


def _encode_selected(selected: list[dict], keys: list[str], accept: str, batch: bool):
    """serve_utils.encode_selected_predictions for the four supported Accept types."""
    if accept == "application/json":
        return json.dumps({"predictions": selected})
    if accept == "application/jsonlines":
        return "".join(json.dumps(entry) + "\n" for entry in selected).encode()
    if accept == "application/x-recordio-protobuf":
        from sagemaker.amazon.common import _write_recordio
        from sagemaker.amazon.record_pb2 import Record

        # serve_utils never resets record_bio, so each frame repeats all earlier records; kept as shipped.
        record_bio, recordio_bio, record = io.BytesIO(), io.BytesIO(), Record()
        for item in selected:
            for key, value in item.items():
                record.label[key].float32_tensor.values.extend(value if isinstance(value, list) else [value])
            record_bio.write(record.SerializeToString())
            record.Clear()
            _write_recordio(recordio_bio, record_bio.getvalue())
        return recordio_bio.getvalue()
    if accept == "text/csv":
        lines = (
            ",".join(f'"{item[key]}"' if isinstance(item[key], list) else str(item[key]) for key in keys)
            for item in selected
        )
        text = "\n".join(lines)
        return text + "\n" if batch else text
    raise RuntimeError(f"Cannot encode selected predictions into accept type '{accept}'.")
