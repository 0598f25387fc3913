"""The offline AWS from a plain script, as a learner writes one: no `if __name__ == "__main__":` guard."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.test_offline_aws import GUARD

ROOT = Path(__file__).resolve().parent.parent

UNGUARDED_SCRIPT = textwrap.dedent("""\
    import os
    import sys

    import helpers
    from helpers.course import data, models

    with open(sys.argv[1], "a") as runs:  # one line each time this body runs, in whichever process
        runs.write(f"{os.getpid()}\\n")

    with helpers.offline():
        course = helpers.connect("offline", quiet=True)
        course_data = models.upload_course_data(course)
        model_data = models.train_course_model(course, course_data)
        sm = course.sagemaker_client
        sm.create_model(ModelName="script-model", ExecutionRoleArn=course.role,
                        PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
        s3 = course.s3_client
        rows = course_data.test[data.FEATURES]
        for part in range(2):
            s3.put_object(Bucket=course.bucket, Key=f"script/in/part-{part}.csv",
                          Body=rows.iloc[part::2].to_csv(header=False, index=False).encode())
        sm.create_transform_job(
            TransformJobName="script-job", ModelName="script-model",
            TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix",
                                                            "S3Uri": f"s3://{course.bucket}/script/in/"}},
                            "ContentType": "text/csv", "SplitType": "Line"},
            TransformOutput={"S3OutputPath": f"s3://{course.bucket}/script/out", "AssembleWith": "Line"},
            TransformResources={"InstanceType": "ml.m4.xlarge", "InstanceCount": 2})
        sm.get_waiter("transform_job_completed_or_stopped").wait(TransformJobName="script-job")
        job = sm.describe_transform_job(TransformJobName="script-job")
        outs = s3.list_objects_v2(Bucket=course.bucket, Prefix="script/out/")["Contents"]
        print(job["TransformJobStatus"], job.get("FailureReason", ""), len(outs))
""")


def test_a_script_without_a_main_guard_runs_its_body_once_and_its_two_instance_job_completes(tmp_path):
    script = tmp_path / "score.py"
    script.write_text(UNGUARDED_SCRIPT)
    (tmp_path / "sitecustomize.py").write_text(GUARD)  # every process refuses and records network connections
    runs, attempts = tmp_path / "runs.txt", tmp_path / "attempts.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]), NETWORK_ATTEMPTS_FILE=str(attempts))
    done = subprocess.run([sys.executable, str(script), str(runs)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["Completed", "2"], done.stdout + done.stderr[-3000:]  # and nothing else printed
    assert len(runs.read_text().split()) == 1  # the instances' processes never ran the script's body
    assert not attempts.exists(), attempts.read_text()
