"""The serving side of script mode: a framework container (scikit-learn or XGBoost) that imports the learner's
SAGEMAKER_PROGRAM and answers /invocations with its model_fn / input_fn / predict_fn / output_fn (or transform_fn),
the container's defaults where the script omits them; and an inference pipeline of such containers.

Sources: aws/sagemaker-scikit-learn-container serving.py (_user_module_transformer; default_input_fn decodes and casts
CSV/JSON to float32; default_predict_fn is model.predict), aws/sagemaker-xgboost-container serving.py at
cb8df91cd44c7b01c53ccf321fd3fdf3eb78adae (default_input_fn decodes to a DMatrix; predict with validate_features=False),
aws/sagemaker-containers at 526dda90d636c7fb0c25791e6c57d077bd972000: _transformer.py (default_model_fn raises "Please
provide a model_fn implementation", an UnsupportedFormatError is a 415 from input_fn and a 406 from output_fn, any
other exception in a handler is a 500), _encoders.py (application/json, text/csv, application/x-npy), _worker.py
(Content-Type defaults to application/json; a missing or */* Accept takes SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, else
application/json)."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
import textwrap
import traceback
from pathlib import Path
from typing import Callable

from sagemaker_offline.xgboost_container import Response

JSON, CSV, NPY, ANY = "application/json", "text/csv", "application/x-npy", "*/*"
_HTML = "text/html; charset=utf-8"
_FLASK_500 = (b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error"
              b"</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the "
              b"server is overloaded or there is an error in the application.</p>\n")


class UnsupportedFormatError(Exception):
    """sagemaker_containers._errors.UnsupportedFormatError: its message, word for word."""

    def __init__(self, content_type):
        super().__init__(textwrap.dedent(
            """Content type %s is not supported by this framework.

            Please implement input_fn to to deserialize the request data or an output_fn to
            serialize the response. For more information, see the SageMaker Python SDK README."""
            % content_type))


def _decode(data: bytes, content_type: str):
    import numpy as np

    if content_type == JSON:
        return np.array(json.loads(data))
    if content_type == CSV:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=",", quotechar='"', doublequote=True,
                               strict=True))
        return np.array(rows).squeeze()
    if content_type == NPY:
        return np.load(io.BytesIO(data), allow_pickle=True)
    raise UnsupportedFormatError(content_type)


def _encode(array_like, accept: str) -> bytes:
    import numpy as np

    if accept == JSON:
        return json.dumps(array_like, default=lambda a: a.tolist() if hasattr(a, "tolist") else str(a)).encode()
    if accept == CSV:
        array = np.array(array_like)
        if array.ndim == 1:
            array = array.reshape(array.shape[0], 1)
        out = io.StringIO()
        csv.writer(out, lineterminator="\n", delimiter=",", quotechar='"', doublequote=True, strict=True).writerows(array)
        return out.getvalue().encode()
    if accept == NPY:
        buffer = io.BytesIO()
        np.save(buffer, array_like)
        return buffer.getvalue()
    raise UnsupportedFormatError(accept)


def default_model_fn(model_dir):
    raise NotImplementedError(textwrap.dedent("""
    Please provide a model_fn implementation.
    See documentation for model_fn at https://github.com/aws/sagemaker-python-sdk
    """))


def sklearn_input_fn(input_data, content_type):
    import numpy as np

    array = _decode(input_data, content_type)
    return array.astype(np.float32) if content_type in (JSON, CSV) else array


def xgboost_input_fn(input_data, content_type):
    """sagemaker_xgboost_container.encoder.decode: CSV or libsvm into a DMatrix (RecordIO is not emulated here)."""
    import xgboost as xgb

    from sagemaker_offline import xgboost_container as xc

    media = (content_type or "").split(";")[0].strip().lower()
    if media == CSV:
        return xgb.DMatrix(xc._parse_csv(input_data if isinstance(input_data, bytes) else input_data.encode()))
    if media in ("text/libsvm", "text/x-libsvm"):
        return xgb.DMatrix(xc._parse_libsvm(input_data if isinstance(input_data, bytes) else input_data.encode()))
    raise UnsupportedFormatError(media)


def sklearn_predict_fn(input_data, model):
    return model.predict(input_data)


def xgboost_predict_fn(input_data, model):
    return model.predict(input_data, validate_features=False)


def default_output_fn(prediction, accept):
    return _encode(prediction, accept), accept


_KIT_DIR = str(Path(__file__).resolve().parent)


def _user_traceback(error: BaseException) -> str:
    """The traceback from the learner's code on: the runtime's own frames (where the container's would be on AWS) left
    out, so the log shows what the script did."""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename.startswith(_KIT_DIR):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb)).rstrip()


def import_program(code_dir: Path, program: str, unique: str):
    """The learner's module, imported as the container imports it (its folder first on sys.path), under a name of
    its own so two containers' scripts of the same name do not collide."""
    path = code_dir / program
    if not path.is_file():
        raise FileNotFoundError(f"No module named '{program.rsplit('.py', 1)[0]}': SAGEMAKER_PROGRAM is {program!r}, "
                                f"and the code directory holds {sorted(p.name for p in code_dir.iterdir())}")
    if str(code_dir) not in sys.path:
        sys.path.insert(0, str(code_dir))
    spec = importlib.util.spec_from_file_location(f"{path.stem}_{unique}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ScriptServer:
    """One framework container serving a learner's script over its unpacked model (/opt/ml/model)."""

    def __init__(self, framework: str, model_dir, code_dir, program: str, environ: dict, *, log=None, unique="0"):
        self.framework, self.model_dir, self.code_dir = framework, Path(model_dir), Path(code_dir)
        self.program, self.environ, self.unique = program, dict(environ), unique
        raw_log = log or (lambda message, level="INFO": None)
        # the model directory is shown where SageMaker puts it; the code keeps its real path (on AWS the container
        # installs it as a package, whose path the logs of a real job would show)
        self._log = lambda message, level="INFO": raw_log(message.replace(str(self.model_dir), "/opt/ml/model"), level)
        self._handlers: dict[str, Callable] | None = None
        self._model = None

    def _load(self) -> None:
        if self._handlers is not None:
            return
        module = import_program(self.code_dir, self.program, self.unique)
        user = {name: getattr(module, name, None) for name in
                ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn")}
        if user["transform_fn"] and (user["input_fn"] or user["predict_fn"] or user["output_fn"]):
            raise ValueError("Cannot use transform_fn implementation with input_fn, predict_fn, and/or output_fn")
        sklearn = self.framework == "sklearn"
        handlers = {
            "model_fn": user["model_fn"] or default_model_fn,
            "input_fn": user["input_fn"] or (sklearn_input_fn if sklearn else xgboost_input_fn),
            "predict_fn": user["predict_fn"] or (sklearn_predict_fn if sklearn else xgboost_predict_fn),
            "output_fn": user["output_fn"] or default_output_fn,
            "transform_fn": user["transform_fn"],
        }
        self._model = handlers["model_fn"](str(self.model_dir))
        self._handlers = handlers

    def ping(self) -> Response:
        """The first request loads the module and the model (serving.main builds the app on its first call)."""
        try:
            self._load()
        except Exception as error:  # noqa: BLE001 - Flask's catch-all
            self._log("Exception on /ping [GET]\n" + _user_traceback(error), "ERROR")
            return Response(500, _FLASK_500, _HTML)
        return Response(200, b"", _HTML)

    def execution_parameters(self) -> Response:
        """Without an execution_parameters_fn the framework's worker has no such route (404): defaults apply."""
        return Response(404, b"", _HTML)

    def invocations(self, body: bytes, content_type: str | None, accept: str | None) -> Response:
        self._load()
        content_type = content_type or JSON
        if not accept or accept == ANY:
            accept = self.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", JSON)
        h = self._handlers
        try:
            if h["transform_fn"] is not None:
                result = h["transform_fn"](self._model, body, content_type, accept)
            else:
                try:
                    data = h["input_fn"](body, content_type)
                except UnsupportedFormatError as error:
                    return self._error(error, 415)
                prediction = h["predict_fn"](data, self._model)
                try:
                    result = h["output_fn"](prediction, accept)
                except UnsupportedFormatError as error:
                    return self._error(error, 406)
        except Exception as error:  # noqa: BLE001 - a handler's exception: logged, and Flask answers 500
            self._log("Exception on /invocations [POST]\n" + _user_traceback(error), "ERROR")
            return Response(500, _FLASK_500, _HTML)
        if isinstance(result, tuple):
            out, mimetype = result[0], result[1]
        else:
            out, mimetype = result, JSON  # the worker's Response defaults to application/json
        if isinstance(out, str):
            out = out.encode("utf-8")
        return Response(200, bytes(out), mimetype or JSON)

    def _error(self, error: Exception, status: int) -> Response:
        body = json.dumps({"error": type(error).__name__, "error-message": str(error),
                           "stack-trace": traceback.format_exc()})
        return Response(status, body.encode(), JSON)


class PipelineServer:
    """An inference pipeline on one instance: each container's response is the next one's request, with the
    response's Content-Type; the job's Accept goes to the last container, the others answer with their own default
    (SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, as AWS's pipeline models set it: the Autopilot container definitions in
    https://docs.aws.amazon.com/sagemaker/latest/dg/autopilot-automate-model-development-container-output.html)."""

    def __init__(self, servers: list, names: list[str]):
        self.servers, self.names = servers, names

    def ping(self) -> Response:
        for server in self.servers:
            answer = server.ping()
            if answer.status != 200:
                return answer
        return Response(200, b"", _HTML)

    def execution_parameters(self) -> Response:
        return Response(404, b"", _HTML)

    def invocations(self, body: bytes, content_type: str | None, accept: str | None) -> Response:
        for position, server in enumerate(self.servers):
            last = position == len(self.servers) - 1
            answer = server.invocations(body, content_type, accept if last else None)
            if answer.status not in (200, 204) or last:
                if answer.status not in (200, 204):
                    answer.failed_container = self.names[position]
                return answer
            body, content_type = answer.body, answer.content_type.split(";")[0].strip()
        return answer
