"""The in-process XGBoost inference container: conformance cases 7-14, 27-29 of the spec, loading and byte-identity."""

import json
import pickle

import numpy as np
import pytest
import xgboost as xgb
from scipy.sparse import csr_matrix

from sagemaker_offline.xgboost_container import XGBoostServer, _parse_csv_exact, _parse_csv_fast
from sagemaker_offline.xgboost_images import XGBoostImage

BATCH = {"SAGEMAKER_BATCH": "true"}
IMAGES = {
    version: XGBoostImage("sagemaker-xgboost", version, version, "x")
    for version in ["0.90-2", "1.0-1", "1.2-1", "1.2-2", "1.3-1", "1.5-1", "1.7-1", "3.0-5"]
}


def _train(params, X, y, rounds=5, **kwargs):
    return xgb.train({"nthread": 1, "seed": 0, **params}, xgb.DMatrix(X, y), rounds, **kwargs)


def _model_dir(tmp_path_factory, name, booster, how="save_model", filename="xgboost-model"):
    directory = tmp_path_factory.mktemp(name)
    if how == "save_model":
        booster.save_model(str(directory / filename))
    else:
        (directory / filename).write_bytes(pickle.dumps(booster))
    return directory


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 8, (200, 2))
    booster = _train({"objective": "binary:logistic"}, X, (X[:, 0] > X[:, 1]).astype(float))
    return booster, _model_dir(tmp_path_factory, "binary", booster)


@pytest.fixture(scope="module")
def softprob(tmp_path_factory):
    rng = np.random.default_rng(1)
    X = rng.uniform(0, 3, (150, 2))
    booster = _train({"objective": "multi:softprob", "num_class": 3}, X, np.floor(X[:, 0]).clip(0, 2))
    return booster, _model_dir(tmp_path_factory, "softprob", booster)


@pytest.fixture(scope="module")
def regression(tmp_path_factory):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 4))
    booster = _train({"objective": "reg:squarederror", "max_depth": 4}, X, X @ [1.0, -2.0, 0.5, 3.0], rounds=20)
    return booster, X


def _server(model_dir, version="1.7-1", environ=BATCH, **kwargs):
    return XGBoostServer(model_dir, IMAGES[version], environ, nthread=1, **kwargs)


def _batch_text(preds):
    return "".join(f"{value}\n" for value in np.asarray(preds).tolist())


# ---------------------------------------------------------------- conformance cases
def test_case_07_binary_logistic_single_record_format(binary):
    booster, model_dir = binary
    server = _server(model_dir)
    bodies = [server.invocations(record, "text/csv", None).body for record in (b"1,2\n", b"6,1\n")]
    expected = booster.predict(xgb.DMatrix(np.array([[1.0, 2.0], [6.0, 1.0]])))
    assert expected.dtype == np.float32
    assert b"".join(bodies).decode() == f"{float(expected[0])}\n{float(expected[1])}\n"


def test_case_08_multi_record_and_split_none_are_byte_identical(binary):
    _, model_dir = binary
    server = _server(model_dir)
    single = b"".join(server.invocations(r, "text/csv", None).body for r in (b"1,2\n", b"6,1\n"))
    multi = server.invocations(b"1,2\n6,1\n", "text/csv", None)
    assert multi.status == 200 and multi.body == single
    assert server.invocations(b"1,2\n6,1", "text/csv", None).body == single


def test_case_09_missing_content_type_is_libsvm(binary):
    booster, model_dir = binary
    response = _server(model_dir).invocations(b"0:1 1:2", None, None)
    assert response.status == 200
    expected = booster.predict(xgb.DMatrix(csr_matrix(([1.0, 2.0], ([0, 0], [0, 1])))))
    assert response.body.decode() == _batch_text(expected)


def test_case_10_json_content_type_is_415(binary):
    response = _server(binary[1]).invocations(b'{"instances": [[1, 2]]}', "application/json", None)
    assert response.status == 415
    assert response.body.decode().startswith("application/json is not an accepted ContentType: csv, libsvm, parquet")


@pytest.mark.parametrize("version,status", [("1.0-1", 200), ("1.2-1", 200), ("1.2-2", 406), ("1.7-1", 406), ("3.0-5", 406)])
def test_case_11_unsupported_accept(binary, version, status):
    response = _server(binary[1], version).invocations(b"1,2", "text/csv", "text/plain")
    assert response.status == status
    if status == 406:
        assert response.body.decode() == (
            "Accept type text/plain is not supported. Please use supported accept types: "
            "['application/json', 'application/jsonlines', 'application/x-recordio-protobuf', 'text/csv']."
        )


def test_case_12_csv_header_is_415(binary):
    response = _server(binary[1]).invocations(b"a,b\n1,2", "text/csv", None)
    assert response.status == 415
    assert response.body.decode() == (
        "Loading csv data failed with Exception, please ensure data is in csv format:\n"
        " <class 'ValueError'>\n could not convert string to float: 'a'"
    )
    # 3.0-5 runs numpy 2, which quotes the field as a numpy scalar.
    numpy2 = _server(binary[1], "3.0-5").invocations(b"a,b\n1,2", "text/csv", None)
    assert numpy2.body.decode().endswith("could not convert string to float: np.str_('a')")


@pytest.mark.parametrize("body", [b"1,2\n\n3,4", b"1,2\n3,4,5"])
def test_case_13_ragged_rows_are_415(binary, body):
    response = _server(binary[1]).invocations(body, "text/csv", None)
    assert response.status == 415
    assert "inhomogeneous shape" in response.body.decode()
    # Images up to 1.3-1 ran numpy < 1.24, which failed in astype with the shorter message.
    old = _server(binary[1], "1.3-1").invocations(body, "text/csv", None)
    assert old.status == 415 and old.body.decode().endswith("\n setting an array element with a sequence.")


def test_case_14_empty_field_is_missing(binary):
    booster, model_dir = binary
    booster3 = _train({"objective": "binary:logistic"}, np.arange(30.0).reshape(10, 3), np.arange(10) % 2)
    directory = model_dir.parent / "three"
    directory.mkdir(exist_ok=True)
    booster3.save_model(str(directory / "xgboost-model"))
    response = _server(directory).invocations(b"1,,3\n4,5,6", "text/csv", None)
    assert response.status == 200
    expected = booster3.predict(xgb.DMatrix(np.array([[1, np.nan, 3], [4, 5, 6]])))
    assert response.body.decode() == _batch_text(expected)


def test_case_27_empty_body_is_204(binary):
    response = _server(binary[1]).invocations(b"", "text/csv", "text/csv")
    assert (response.status, response.body) == (204, b"")


def test_case_28_softprob_batch_lines(softprob):
    booster, model_dir = softprob
    response = _server(model_dir).invocations(b"0.5,1\n2.5,1", "text/csv", "text/csv")
    probs = booster.predict(xgb.DMatrix(np.array([[0.5, 1.0], [2.5, 1.0]])))
    lines = response.body.decode().splitlines()
    assert lines == [str([float(p) for p in row]) for row in probs]
    assert lines[0].startswith("[") and ", " in lines[0]


def test_case_29_saved_model_served_by_3_0_5(binary, tmp_path):
    # xgboost 3.2 cannot write (or read) the 1.7.4 legacy binary "binf" format, so the 1.7-1 artefact is
    # stood in for by what save_model("xgboost-model") writes now; a "binf" file gets xgboost's porting advice.
    booster, model_dir = binary
    response = _server(model_dir, "3.0-5").invocations(b"1,2", "text/csv", None)
    assert response.status == 200
    assert response.body.decode() == _batch_text(booster.predict(xgb.DMatrix(np.array([[1.0, 2.0]]))))
    (tmp_path / "xgboost-model").write_bytes(b"binf" + bytes(64))
    failed = _server(tmp_path, "3.0-5").invocations(b"1,2", "text/csv", None)
    assert failed.status == 500 and failed.body.decode().startswith("Unable to load model: Model ")
    assert "binary format" in failed.body.decode() and "UBJ" in failed.body.decode()


# ---------------------------------------------------------------- loading
def test_ping_loads_and_reports_failure(binary, tmp_path):
    assert _server(binary[1]).ping().status == 200
    (tmp_path / "xgboost-model").write_text("not a model")
    response = _server(tmp_path).ping()
    assert response.status == 500 and b"Internal Server Error" in response.body


def test_execution_parameters(binary):
    response = _server(binary[1], environ={"MAX_CONTENT_LENGTH": str(12 * 1024 * 1024)}).execution_parameters()
    parameters = json.loads(response.body)
    assert parameters["BatchStrategy"] == "MULTI_RECORD" and parameters["MaxPayloadInMB"] == 12
    assert parameters["MaxConcurrentTransforms"] >= 1


@pytest.mark.parametrize("format_", ["ubj", "json", "pickle"])
def test_model_formats_load_and_predict_identically(regression, tmp_path, format_):
    booster, X = regression
    if format_ == "pickle":
        (tmp_path / "xgboost-model").write_bytes(pickle.dumps(booster))
    else:
        (tmp_path / "xgboost-model").write_bytes(bytes(booster.save_raw(raw_format=format_)))
    body = "\n".join(",".join(repr(v) for v in row) for row in X[:50].tolist()).encode()
    response = _server(tmp_path).invocations(body, "text/csv", None)
    assert response.body.decode() == _batch_text(booster.predict(xgb.DMatrix(X[:50])))


def test_pickled_model_checks_feature_count(regression, tmp_path):
    booster, _ = regression
    (tmp_path / "xgboost-model").write_bytes(pickle.dumps(booster))
    response = _server(tmp_path).invocations(b"1,2,3,4,5,6", "text/csv", None)
    assert response.status == 400
    assert response.body.decode() == (
        "Unable to evaluate payload provided: Feature size of csv inference data 6 is not consistent "
        "with feature size of trained model 4."
    )
    assert _server(tmp_path).invocations(b"1,2,3", "text/csv", None).status == 200  # n + 1 == model is allowed


def test_too_many_columns_for_saved_model_is_400(regression, tmp_path):
    regression[0].save_model(str(tmp_path / "xgboost-model"))
    response = _server(tmp_path).invocations(b"1,2,3,4,5", "text/csv", None)
    assert response.status == 400 and response.body.startswith(b"Unable to evaluate payload provided: ")
    assert b"Stack trace" not in response.body


def test_model_file_selection_by_version(binary, regression, tmp_path):
    regression[0].save_model(str(tmp_path / ".hidden"))  # 4 features: would break 2-column input
    binary[0].save_model(str(tmp_path / "xgboost-model"))
    (tmp_path / "sub").mkdir()
    assert _server(tmp_path, "1.7-1").invocations(b"1,2", "text/csv", None).status == 200  # dotfile skipped
    # 1.2-2 loads every regular file, dotfiles included, and averages them (fewer columns than features is allowed).
    ensemble = _server(tmp_path, "1.2-2").invocations(b"1,2", "text/csv", None)
    single = _server(tmp_path, "1.7-1").invocations(b"1,2", "text/csv", None)
    assert ensemble.status == 200 and ensemble.body != single.body
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _server(empty, "1.7-1").invocations(b"1,2", "text/csv", None).body == b"Unable to load model: list index out of range"
    assert _server(empty, "1.2-1").invocations(b"1,2", "text/csv", None).body.decode() == (
        f"Unable to load model: No valid model files found in '{empty}'"
    )


def test_ensemble_average_and_opt_out(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 2))
    boosters = [_train({"objective": "reg:squarederror", "seed": s, "subsample": 0.5}, X, X[:, 0], 4) for s in (1, 2)]
    for i, booster in enumerate(boosters):
        booster.save_model(str(tmp_path / f"xgboost-model-{i}"))
    data = np.array([[0.3, -1.0], [1.5, 0.2]])
    expected = np.mean([b.predict(xgb.DMatrix(data)) for b in boosters], axis=0)
    response = _server(tmp_path).invocations(b"0.3,-1\n1.5,0.2", "text/csv", None)
    assert response.body.decode() == _batch_text(expected)
    single = _server(tmp_path, environ={**BATCH, "SAGEMAKER_INFERENCE_ENSEMBLE": "false"})
    assert single.invocations(b"0.3,-1\n1.5,0.2", "text/csv", None).body.decode() == _batch_text(
        boosters[0].predict(xgb.DMatrix(data))
    )


def test_ensemble_vote_for_softmax(tmp_path):
    rng = np.random.default_rng(4)
    X = rng.uniform(0, 3, (90, 1))
    for i, seed in enumerate((1, 2, 3)):
        booster = _train({"objective": "multi:softmax", "num_class": 3, "seed": seed, "subsample": 0.6}, X, np.floor(X[:, 0]), 3)
        booster.save_model(str(tmp_path / f"m{i}"))
    response = _server(tmp_path, "1.7-1").invocations(b"0.5\n2.5", "text/csv", None)
    assert response.body == b"0.0\n2.0\n"
    # 3.0-5's scipy keeps a single value from stats.mode(...).mode[0], which the formatter cannot iterate.
    assert _server(tmp_path, "3.0-5").invocations(b"0.5\n2.5", "text/csv", None).status == 500


def test_best_ntree_limit_attribute_is_honoured_by_1_7_1_only(tmp_path):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(100, 2))
    booster = _train({"objective": "reg:squarederror"}, X, X[:, 0] * 3, 10)
    booster.set_attr(best_ntree_limit="3")  # what xgboost 1.7.4's training callback stores
    booster.save_model(str(tmp_path / "xgboost-model"))
    limited = booster.predict(xgb.DMatrix(X[:2]), iteration_range=(0, 3))
    full = booster.predict(xgb.DMatrix(X[:2]))
    body = "\n".join(",".join(repr(v) for v in row) for row in X[:2].tolist()).encode()
    assert _server(tmp_path, "1.7-1").invocations(body, "text/csv", None).body.decode() == _batch_text(limited)
    assert _server(tmp_path, "3.0-5").invocations(body, "text/csv", None).body.decode() == _batch_text(full)


# ---------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    "body,expected",
    [
        (b"1\t2\n3\t4", [[1, 2], [3, 4]]),
        (b"1;2\n3;4", [[1, 2], [3, 4]]),
        (b"1|2\n3|4", [[1, 2], [3, 4]]),
        (b"1 2\n3 4", [[1, 2], [3, 4]]),
        (b"1,2\r\n3,4\r\n", [[1, 2], [3, 4]]),
    ],
)
def test_delimiter_sniffing(body, expected):
    assert _parse_csv_exact(body, numpy_era=1).tolist() == expected
    fast = _parse_csv_fast(body)
    assert fast is None or fast.tolist() == expected


def test_single_column_sniffing_quirks(regression, tmp_path):
    # The sniffer picks a digit for "0.5" (alphanumeric -> ","), but "1;2,3" splits on ",": two fields.
    assert _parse_csv_exact(b"0.5\n1.5").tolist() == [[0.5], [1.5]]
    assert _parse_csv_fast(b"0.5\n1.5").tolist() == [[0.5], [1.5]]
    regression[0].save_model(str(tmp_path / "xgboost-model"))
    response = _server(tmp_path).invocations(b"1;2,3", "text/csv", None)
    assert response.status == 415 and "could not convert string to float: '1;2'" in response.body.decode()


@pytest.mark.parametrize(
    "body",
    [b"1,nan\n2,3", b"1,1_0\n2,3", b"\xef\xbb\xbf1,2", b"1,2\r3,4", b"1,inf\n2,3", b'"1",2', b"1, \n2,3", b"1,2\n3"],
)
def test_fast_parser_never_disagrees_with_the_container(body):
    fast = _parse_csv_fast(body)
    try:
        exact = _parse_csv_exact(body, numpy_era=1)
    except Exception:  # noqa: BLE001
        assert fast is None
    else:
        assert fast is None or np.array_equal(fast, exact, equal_nan=True)


def test_fast_parser_rounds_like_python_float():
    rng = np.random.default_rng(6)
    values = rng.normal(scale=1e3, size=(2000, 5))
    text = "\n".join(",".join(f"{v:.17g}" for v in row) for row in values).encode()
    fast = _parse_csv_fast(text)
    assert fast is not None and np.array_equal(fast, _parse_csv_exact(text, numpy_era=1))


def test_inplace_predict_matches_dmatrix_predict(regression, tmp_path):
    booster, X = regression
    booster.save_model(str(tmp_path / "xgboost-model"))
    X = X.copy()
    X[::7, 1] = np.nan
    body = "\n".join(",".join("" if np.isnan(v) else repr(v) for v in row) for row in X.tolist()).encode()
    response = _server(tmp_path).invocations(body, "text/csv", None)
    assert response.body.decode() == _batch_text(booster.predict(xgb.DMatrix(X), validate_features=False))


def test_label_size_and_parquet_content_types(binary):
    server = _server(binary[1])
    assert server.invocations(b"1,2", "text/csv; label_size=1", None).status == 200
    bad = server.invocations(b"1,2", "text/csv;label_size=2", None)
    assert bad.status == 415 and "Optional parameter label_size must be equal to 1" in bad.body.decode()
    parquet = server.invocations(b"PAR1", "application/x-parquet", None)
    assert (parquet.status, parquet.body) == (415, b"Content-type application/x-parquet is not supported.")


def test_recordio_protobuf_input(binary):
    import io

    from sagemaker.amazon.common import write_numpy_to_dense_tensor

    booster, model_dir = binary
    data = np.array([[1.0, 2.0], [6.0, 1.0]], dtype=np.float32)
    buffer = io.BytesIO()
    write_numpy_to_dense_tensor(buffer, data, labels=np.array([0.0, 1.0]))
    response = _server(model_dir).invocations(buffer.getvalue(), "application/x-recordio-protobuf", None)
    assert response.status == 200 and response.body.decode() == _batch_text(booster.predict(xgb.DMatrix(data)))


# ---------------------------------------------------------------- endpoint formats and selectable output
def test_endpoint_formats_by_version(binary):
    booster, model_dir = binary
    p = booster.predict(xgb.DMatrix(np.array([[1.0, 2.0], [6.0, 1.0]]))).tolist()
    old = _server(model_dir, "1.2-1", environ={}).invocations(b"1,2\n6,1", "text/csv", "application/json")
    assert (old.body.decode(), old.content_type) == (f"{p[0]},{p[1]}", "text/csv; charset=utf-8")
    new = _server(model_dir, "1.7-1", environ={})
    as_json = new.invocations(b"1,2\n6,1", "text/csv", "application/json")
    assert json.loads(as_json.body) == {"predictions": [{"score": p[0]}, {"score": p[1]}]}
    assert as_json.content_type == "application/json"
    assert new.invocations(b"1,2\n6,1", "text/csv", "text/csv").body.decode() == f"{p[0]}\n{p[1]}\n"
    assert new.invocations(b"1,2\n6,1", "text/csv", "application/jsonlines").status == 500


def test_selectable_inference_output(binary):
    booster, model_dir = binary
    environ = {**BATCH, "SAGEMAKER_INFERENCE_OUTPUT": "predicted_label, probability,probabilities,predicted_score"}
    response = _server(model_dir, environ=environ).invocations(b"1,2\n6,1", "text/csv", "text/csv")
    p = booster.predict(xgb.DMatrix(np.array([[1.0, 2.0], [6.0, 1.0]]))).tolist()
    rows = [f'{int(v > 0.5)},{v},"{[1.0 - v, v]}",nan' for v in p]
    assert response.body.decode() == "\n".join(rows) + "\n"
