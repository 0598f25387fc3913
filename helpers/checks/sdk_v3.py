"""Check cells of the SDK v3 appendix (notebooks/A1_sdk_v3.ipynb). Imports SDK v3 only inside the checks, so the
module loads in either environment."""
from __future__ import annotations

import numpy as np

from helpers.checks.common import correct, unanswered


def check_single_record(answer, session, predictions) -> None:
    """Exercise A1.1: notebook 04's SingleRecord job on one instance (one object keeps a second one idle: 04 Step 4),
    written with v3's Transformer and run."""
    if unanswered(answer):
        return
    from sagemaker.core.s3 import S3Downloader
    from sagemaker.core.transformer import Transformer

    assert isinstance(answer, Transformer), (f"answer_1 is a {type(answer).__name__}; put the "
                                             "sagemaker.core.transformer.Transformer itself in it.")
    assert answer.latest_transform_job is not None, "The transformer has not run yet: call answer_1.transform(...)."
    job = answer.latest_transform_job.refresh()
    assert job.transform_job_status == "Completed", (f"The job ended {job.transform_job_status}: "
                                                     f"{job.failure_reason}")
    assert job.batch_strategy == "SingleRecord", (f"The job ran with BatchStrategy {job.batch_strategy}: v2's "
                                                  "strategy='SingleRecord' is the same argument of Transformer(...).")
    assert job.transform_resources.instance_count == 1, (f"The job ran on {job.transform_resources.instance_count} "
                                                         "instance(s); the v2 call asks for instance_count=1 (one "
                                                         "object keeps any second instance idle, and billed).")
    assert job.transform_input.split_type == "Line", ("SingleRecord needs records to send one at a time: "
                                                      "transform(..., split_type='Line').")
    out = S3Downloader.read_file(f"{job.transform_output.s3_output_path.rstrip('/')}/test.csv.out",
                                 sagemaker_session=session)
    values = np.array([float(line) for line in out.splitlines() if line.strip()])
    assert len(values) == len(predictions) and np.allclose(values, predictions, rtol=1e-5), (
        "The job read other data than Step 4's: run it on course_data.test_uri.")
    correct("One record per request on one instance, and the same predictions as Step 4: the strategy changes how "
            "records travel, not what the model answers.")


def check_id_and_prediction(answer, test_with_ids, predictions) -> None:
    """Exercise A1.2: a joined .out that keeps only tract_id and the prediction (output_filter "$[0,-1]")."""
    if unanswered(answer):
        return
    assert isinstance(answer, str), (f"answer_2 is a {type(answer).__name__}; put the .out's text in it "
                                     "(S3Downloader.read_file returns a str).")
    lines = answer.splitlines()
    assert len(lines) == len(test_with_ids), (f"The .out has {len(lines)} lines for {len(test_with_ids)} input records; "
                                              "keep split_type='Line' and assemble_with='Line'.")
    fields = len(lines[0].split(","))
    assert fields != 16, "Each line still holds the whole input and the prediction: set output_filter."
    assert fields != 3, "Each line still holds MEDV: keep only the first column and the last one."
    assert fields == 2, f"Each line holds {fields} fields; keep tract_id (column 0) and the prediction (the last)."
    ids = [line.split(",")[0] for line in lines]
    values = [line.split(",")[1] for line in lines]
    assert ids == list(test_with_ids["tract_id"]), ("The first field should be tract_id, the input's column 0, in "
                                                    "input order.")
    try:
        values = np.array([float(value) for value in values])
    except ValueError:
        raise AssertionError("The second field should be the prediction: the joined record's last column.") from None
    assert np.allclose(values, predictions, rtol=1e-5), ("The second field is not the prediction: take the last "
                                                         "column of the joined record.")
    correct('output_filter="$[0,-1]" picks the ID and the prediction from the joined record [input..., prediction].')
