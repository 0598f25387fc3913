"""Tests for sagemaker_offline.data_processing: spec section 4 and conformance cases 17-22 of section 7."""

import io
import json

import numpy as np
import pytest

from sagemaker_offline.data_processing import DataProcessing, DataProcessingError

CSV = "text/csv"
JSONL = "application/jsonlines"
JSON = "application/json"


def dp(input_filter="$", join_source="None", output_filter="$"):
    return DataProcessing.from_request(
        {"InputFilter": input_filter, "JoinSource": join_source, "OutputFilter": output_filter}
    )


def container_batch_output(body: bytes) -> bytes:
    """What the XGBoost container returns in batch mode: one str(float) per CSV line, from a real booster."""
    import xgboost

    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 2))
    booster = xgboost.train(
        {"objective": "binary:logistic", "nthread": 1},
        xgboost.DMatrix(features, label=(features[:, 0] > 0).astype(float)),
        num_boost_round=3,
    )
    rows = np.loadtxt(io.StringIO(body.decode()), delimiter=",", ndmin=2)
    predictions = booster.inplace_predict(rows)
    return ("\n".join(str(p) for p in predictions.tolist()) + "\n").encode()


# ---- conformance cases 17-22 ----------------------------------------------------------------------------------

def test_case_17_csv_filter_join_output():
    processing = dp("$[1:]", "Input", "$[0,-1]")
    processing.check_job(CSV, CSV, "Line", "Line")
    records = [b"id1,1,2", b"id2,-1,0.5"]
    body = processing.filter_input(records, CSV)
    assert body == b"1,2\n-1,0.5\n"
    response = container_batch_output(body)
    p1, p2 = response.decode().split()
    assert processing.process_output(records, response, CSV, CSV) == [f"id1,{p1}".encode(), f"id2,{p2}".encode()]


def test_case_18_csv_join_appends_result_row():
    assert dp(join_source="Input").process_output([b"1,2,3"], b"1\n", CSV, CSV) == [b"1,2,3,1"]


def test_case_19_json_join_adds_sagemaker_output():
    out = dp(join_source="Input").process_output([b'{"key":1}'], b'{"label":1}\n', JSON, JSON)
    assert out == [b'{"key":1,"SageMakerOutput":{"label":1}}']


def test_case_20_json_non_object_input_is_wrapped():
    out = dp(join_source="Input").process_output([b"[1,2]"], b'{"label":1}\n', JSONL, JSONL)
    assert out == [b'{"SageMakerInput":[1,2],"SageMakerOutput":{"label":1}}']


def test_case_21_json_features_in_id_and_output_out():
    processing = dp("$.features", "Input", "$['id','SageMakerOutput']")
    processing.check_job(JSONL, JSONL, "Line", "Line")
    record = b'{"id":7,"features":[1,2],"note":"x"}'
    assert processing.filter_input([record], JSONL) == b"[1,2]\n"
    assert processing.process_output([record], b"0.25\n", JSONL, JSONL) == [b'{"id":7,"SageMakerOutput":0.25}']


def test_case_22_output_index_beyond_joined_width_is_an_error():
    processing = dp(join_source="Input", output_filter="$[10]")
    with pytest.raises(DataProcessingError, match=r"index 10.*only 4 columns.*0 to 3"):
        processing.process_output([b"1,2,3"], b"0.5\n", CSV, CSV)


# ---- JSONPath: slices and indices -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "path, expected",
    [
        ("$[1:4]", b"b,c,d\n"),  # standard JSONPath: the end index is excluded
        ("$[:2]", b"a,b\n"),
        ("$[3:]", b"d,e\n"),
        ("$[-2:]", b"d,e\n"),
        ("$[1:-1]", b"b,c,d\n"),
        ("$[*]", b"a,b,c,d,e\n"),
        ("$[1:99]", b"b,c,d,e\n"),  # slices clamp, unlike indices
    ],
)
def test_slices_follow_standard_jsonpath(path, expected):
    assert dp(path).filter_input([b"a,b,c,d,e"], CSV) == expected


@pytest.mark.parametrize("path, expected", [("$[-1]", b"e\n"), ("$[0,-1]", b"a,e\n"), ("$[-5,2]", b"a,c\n")])
def test_negative_indices_count_from_the_end(path, expected):
    assert dp(path).filter_input([b"a,b,c,d,e"], CSV) == expected


def test_negative_index_beyond_width_is_an_error():
    with pytest.raises(DataProcessingError, match="index -6"):
        dp("$[-6]").filter_input([b"a,b,c,d,e"], CSV)


def test_any_listed_index_beyond_width_is_an_error():
    with pytest.raises(DataProcessingError, match="index 7"):
        dp(join_source="Input", output_filter="$[0,7]").process_output([b"1,2"], b"3\n", CSV, CSV)


def test_slice_on_a_json_object_is_an_error():
    with pytest.raises(DataProcessingError, match="JSON object.*'\\$.features'"):
        dp("$[1:]").filter_input([b'{"features":[1]}'], JSONL)


# ---- CSV records ----------------------------------------------------------------------------------------------

def test_csv_fields_keep_their_text():
    processing = dp("$[1:]", "Input", "$[0,2,-1]")
    records = [b"id1,1.50,2.0e3", b"id2,007,-0"]
    assert processing.filter_input(records, CSV) == b"1.50,2.0e3\n007,-0\n"
    response = b"0.20000000298023224\n1.0\n"
    assert processing.process_output(records, response, CSV, CSV) == [
        b"id1,2.0e3,0.20000000298023224",
        b"id2,-0,1.0",
    ]


def test_csv_join_without_filter_keeps_every_byte():
    records = [b'"id 1",1.50', b"x,  2"]
    out = dp(join_source="Input").process_output(records, b"[0.1, 0.2, 0.7]\n0.5\n", CSV, CSV)
    assert out == [b'"id 1",1.50,[0.1, 0.2, 0.7]', b"x,  2,0.5"]


def test_csv_quoted_fields_are_read_per_rfc_4180():
    body = dp("$[1]").filter_input([b'"Smith, J",1', b'"say ""hi""",2', b'"a,b",3'], CSV)
    assert body == b"1\n2\n3\n"
    body = dp("$[0]").filter_input([b'"Smith, J",1', b'"say ""hi""",2'], CSV)
    assert body == b'"Smith, J"\n"say ""hi"""\n'


def test_invalid_csv_names_the_record():
    with pytest.raises(DataProcessingError, match="record 2.*RFC 4180"):
        dp("$[1:]").filter_input([b"1,2", b'"open,3'], CSV)


def test_multi_column_model_output_is_appended_as_columns():
    out = dp(join_source="Input", output_filter="$[0,-2,-1]").process_output([b"id,5"], b"0.1,0.9\n", CSV, CSV)
    assert out == [b"id,0.1,0.9"]


# ---- JSON and JSON Lines --------------------------------------------------------------------------------------

def test_json_lines_mini_batch():
    processing = dp("$.features", "Input", "$['id','SageMakerOutput']")
    records = [b'{"id":1,"features":[1.0,2]}', b'{"id":"b","features":[3,4.50]}', b'{"id":null,"features":[]}']
    assert processing.filter_input(records, JSONL) == b"[1.0,2]\n[3,4.50]\n[]\n"
    out = processing.process_output(records, b"0.1\n[0.2, 0.8]\n{\"label\": 1}\n", JSONL, JSONL)
    assert out == [
        b'{"id":1,"SageMakerOutput":0.1}',
        b'{"id":"b","SageMakerOutput":[0.2,0.8]}',
        b'{"id":null,"SageMakerOutput":{"label":1}}',
    ]
    assert all(json.loads(line) for line in out)


def test_json_join_overwrites_an_input_sagemaker_output():
    out = dp(join_source="Input").process_output([b'{"SageMakerOutput":0,"a":1}'], b"9\n", JSONL, JSONL)
    assert out == [b'{"SageMakerOutput":9,"a":1}']


def test_json_document_split_none_may_be_pretty_printed():
    document = b'{\n  "id": 3,\n  "features": [1, 2]\n}'
    processing = dp("$.features", "Input", "$.SageMakerOutput.label")
    processing.check_job(JSON, JSON, "None", "None")
    assert processing.filter_input([document], JSON) == b"[1,2]\n"
    assert processing.process_output([document], b'{\n  "label": "yes"\n}\n', JSON, JSON) == [b'"yes"']


def test_json_multi_name_selection_skips_missing_names_and_keeps_path_order():
    out = dp(output_filter="$['b','zz','a']").process_output([b"{}"], b'{"a":1,"b":"\xc3\xa9"}\n', JSONL, JSONL)
    assert out == ['{"b":"é","a":1}'.encode()]


def test_wildcard_on_an_object_lists_its_values():
    assert dp("$.f.*").filter_input([b'{"f":{"x":1,"y":[2]}}'], JSONL) == b"[1,[2]]\n"


def test_missing_attribute_is_an_error_naming_the_attributes():
    with pytest.raises(DataProcessingError, match=r"'features'.*attributes: id, Features.*case-sensitive"):
        dp("$.features").filter_input([b'{"id":1,"Features":[1]}'], JSONL)


def test_invalid_json_record_is_an_error():
    with pytest.raises(DataProcessingError, match="Input record 1.*not valid JSON"):
        dp("$.a").filter_input([b"{'a': 1}"], JSONL)


def test_csv_input_with_json_output_is_wrapped():
    out = dp(join_source="Input").process_output([b"1,2"], b"0.5\n", CSV, JSONL)
    assert out == [b'{"SageMakerInput":["1","2"],"SageMakerOutput":0.5}']


def test_a_json_object_cannot_be_written_as_csv():
    with pytest.raises(DataProcessingError, match="cannot be written as a CSV line"):
        dp(join_source="Input").process_output([b'{"a":1}'], b"1\n", JSONL, CSV)


# ---- filter validation ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["$[1:", "$.", "$]", "$[?(@.a)]", "$[1,]"])
def test_invalid_jsonpath_is_rejected(path):
    with pytest.raises(DataProcessingError, match="not valid JSONPath"):
        dp(input_filter=path)


@pytest.mark.parametrize(
    "path, message",
    [
        ("$..a", "recursive descent"),
        ("$[::2]", "slice step"),
        ("$.a | $.b", "union"),
        ("$.f['c1','c2.g']", "nests a child"),
        ("$[0,5:]", "mixes indices and a slice"),
        ("features", "must start with '\\$'.*'\\$.features'"),
        ("", "empty"),
    ],
)
def test_paths_outside_sagemakers_subset_are_rejected(path, message):
    with pytest.raises(DataProcessingError, match=message):
        dp(output_filter=path)


def test_filter_length_limit_is_63_characters():
    longest = "$." + "a" * 61
    assert len(longest) == 63
    dp(input_filter=longest)
    with pytest.raises(DataProcessingError, match="64 characters.*at most 63"):
        dp(input_filter=longest + "a")


def test_from_request_defaults_and_bad_values():
    assert DataProcessing.from_request(None).is_default
    assert DataProcessing.from_request({}) == DataProcessing()
    assert DataProcessing.from_request({"JoinSource": "Input"}) == DataProcessing(join_source="Input")
    with pytest.raises(DataProcessingError, match="'Input'.*'None'"):
        DataProcessing.from_request({"JoinSource": "input"})
    with pytest.raises(DataProcessingError, match="unknown key.*InputFilters"):
        DataProcessing.from_request({"InputFilters": "$[1:]"})


# ---- job checks -----------------------------------------------------------------------------------------------

def test_default_processing_accepts_any_job():
    processing = DataProcessing()
    assert processing.is_default and not processing.processes_output and not processing.filters_input
    processing.check_job("text/libsvm", None, "RecordIO", "None")


@pytest.mark.parametrize("content_type, accept", [("text/libsvm", CSV), ("application/x-parquet", CSV), (CSV, None)])
def test_unsupported_content_type_is_rejected(content_type, accept):
    with pytest.raises(DataProcessingError, match="CSV and JSON records only.*'text/csv'"):
        dp(join_source="Input").check_job(content_type, accept, "Line", "Line")


def test_content_type_parameters_and_case_are_ignored():
    dp(join_source="Input").check_job("Text/CSV; charset=utf-8", "text/csv", "Line", "Line")


@pytest.mark.parametrize(
    "content_type, accept, split_type, assemble_with, message",
    [
        (CSV, CSV, "None", "Line", "SplitType must be 'Line'"),
        (CSV, CSV, "Line", "None", "AssembleWith must be 'Line'"),
        (CSV, CSV, "Line", None, "AssembleWith must be 'Line'"),
        (JSONL, JSONL, "RecordIO", "Line", "SplitType 'RecordIO' cannot be used"),
    ],
)
def test_splitting_rules(content_type, accept, split_type, assemble_with, message):
    with pytest.raises(DataProcessingError, match=message):
        dp("$[1:]").check_job(content_type, accept, split_type, assemble_with)


# ---- pairing results with records -----------------------------------------------------------------------------

@pytest.mark.parametrize("response", [b"0.1\n", b"0.1\n0.2\n0.3\n", b""])
def test_count_mismatch_is_an_error(response):
    with pytest.raises(DataProcessingError, match="mini-batch of 2 record.*one line per record"):
        dp(join_source="Input").process_output([b"1,2", b"3,4"], response, CSV, CSV)


def test_response_without_final_newline_and_with_crlf():
    out = dp(join_source="Input").process_output([b"1", b"2"], b"0.1\r\n0.2", CSV, CSV)
    assert out == [b"1,0.1", b"2,0.2"]


def test_output_filter_without_join_applies_to_the_result():
    out = dp(output_filter="$[1]").process_output([b"a", b"b"], b"0.1,0.9\n0.8,0.2\n", CSV, CSV)
    assert out == [b"0.9", b"0.2"]


def test_input_filter_only_passes_results_through():
    processing = dp("$[1:]")
    assert processing.filters_input and not processing.processes_output
    assert processing.process_output([b"a,1", b"b,2"], b"0.1\n0.2\n", CSV, CSV) == [b"0.1", b"0.2"]


@pytest.mark.parametrize("path", ["$[2:5]", "$[:3]", "$[-3:]", "$[-9:2]", "$[4:1]", "$[:]", "$[*]", "$[0,-1]", "$[7:]"])
def test_selection_agrees_with_jsonpath_ng(path):
    from jsonpath_ng import parse

    row = list("abcdefg")
    expected = [match.value for match in parse(path).find(row)]
    assert dp(path).filter_input([",".join(row).encode()], CSV) == (",".join(expected) + "\n").encode()


def test_output_rows_stay_one_per_record_even_with_embedded_newlines():
    records = [b'{"note":"two\\nlines","x":1}', b'{"note":"plain","x":2}']
    out = dp(join_source="Input", output_filter="$['note','x']").process_output(records, b"1\n2\n", JSONL, JSONL)
    assert out == [b'{"note":"two\\nlines","x":1}', b'{"note":"plain","x":2}']
    arrays = [b'["two\\nlines",1]', b'["plain",2]']
    out = dp(join_source="Input", output_filter="$.SageMakerInput").process_output(arrays, b"1\n2\n", JSONL, CSV)
    assert out == [b'"two\nlines",1', b"plain,2"]


def test_model_result_that_is_not_json_is_an_error():
    with pytest.raises(DataProcessingError, match="The model's result for record 2.*not valid JSON.*'text/csv'"):
        dp(join_source="Input").process_output([b"{}", b"{}"], b"0.1\nnan\n", JSONL, JSONL)


def test_records_must_be_utf8():
    with pytest.raises(DataProcessingError, match="Input record 1.*not UTF-8"):
        dp("$[1:]").filter_input([b"\xff,1"], CSV)
