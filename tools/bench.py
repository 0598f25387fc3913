"""`make bench`: how close the offline Batch Transform comes to the fastest one-process pipeline on the same data.

The limit is one process doing pandas.read_csv + xgboost inplace_predict + the container's batch-mode formatting.
The job is create_transform_job through moto, timed from create to Completed. Reported: InstanceCount=1 on one
object, InstanceCount=2 on two objects, and the instances' peak memory for an object of 1x and 2x the size.
Run it directly (the instances are forkserver processes, which re-import this module: hence the __main__ guard).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FEATURES = 13


def make_csv(path: Path, features: np.ndarray, rows: int, seed: int) -> None:
    """`rows` rows drawn from the course's feature rows, each value jittered by up to 1% and written with 6 decimals
    (about 120 bytes a row), in chunks to bound the bench's own memory."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    with open(path, "w") as out:
        for start in range(0, rows, 250_000):
            n = min(250_000, rows - start)
            picked = features[rng.integers(0, len(features), n)]
            jitter = 1 + rng.uniform(-0.01, 0.01, size=picked.shape)
            pd.DataFrame(np.round(picked * jitter, 6)).to_csv(out, header=False, index=False)


def load_booster(course, model_data: str):
    """The course model as the container loads it, and the iteration range the 1.7-1 container predicts with."""
    from helpers.course import models

    booster = models.load_model_artifact(course, model_data)
    best = booster.attr("best_ntree_limit")
    return booster, (0, int(best) if best else 0)


def limit_run(booster, iterations: tuple[int, int], paths: list[Path], out_path: Path) -> float:
    """The limit: read, predict and format each object in one process, writing what the container would write."""
    import pandas as pd

    started = time.perf_counter()
    with open(out_path, "wb") as out:
        for path in paths:
            frame = pd.read_csv(path, header=None, dtype=np.float64)
            preds = booster.inplace_predict(frame.to_numpy(), iteration_range=iterations)
            out.write(("\n".join(map(str, preds.tolist())) + "\n").encode())
    return time.perf_counter() - started


def _limit_child(booster, iterations, path: str, out: str, seconds) -> None:
    seconds.value = limit_run(booster, iterations, [Path(path)], Path(out))


def parallel_limit(booster, iterations, paths: list[Path], work: Path) -> float:
    """The machine's own ceiling for two instances: the limit run as one process per object, side by side."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    seconds = [context.Value("d", 0.0) for _ in paths]
    started = time.perf_counter()
    procs = [context.Process(target=_limit_child, args=(booster, iterations, str(p), str(work / f"{p.name}.par"), v))
             for p, v in zip(paths, seconds)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_job(course, model: str, name: str, input_uri: str, output_uri: str, instances: int) -> tuple[float, dict]:
    """Create the job and wait for its end; returns the seconds from create to the end state, and Describe."""
    client = course.sagemaker_client
    started = time.perf_counter()
    client.create_transform_job(
        TransformJobName=name, ModelName=model,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": input_uri}},
                        "ContentType": "text/csv", "SplitType": "Line"},
        TransformOutput={"S3OutputPath": output_uri, "AssembleWith": "Line"},
        TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": instances})
    # Join the job's thread rather than poll Describe: polling moto in this process would take CPU from the job.
    import helpers

    aws = helpers.offline.current()
    aws.jobs[("transform", aws.account_id, aws.region, name)].thread.join()
    seconds = time.perf_counter() - started
    return seconds, client.describe_transform_job(TransformJobName=name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per object (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is reported")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import helpers
    from helpers.course import data, models

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    course = helpers.connect("offline", quiet=True)
    try:
        print("Training the course model offline ...", flush=True)
        course_data = models.upload_course_data(course)
        model_data = models.train_course_model(course, course_data, job_prefix="bench-xgboost")
        booster, iterations = load_booster(course, model_data)
        features = np.concatenate([frame[data.FEATURES].to_numpy() for frame in
                                   (course_data.train, course_data.validation, course_data.test)])
        print(f"Preparing {args.rows:,} rows x {FEATURES} features per object ...", flush=True)
        objects = [work / "a.csv", work / "b.csv"]
        for n, path in enumerate(objects):
            make_csv(path, features, args.rows, seed=n + 1)
        double = work / "double.csv"
        with open(double, "wb") as out:
            for path in objects:
                out.write(path.read_bytes())
        size_mb = objects[0].stat().st_size / 1e6
        s3 = course.s3_client
        s3.upload_file(str(objects[0]), course.bucket, "bench/one/a.csv")
        for path in objects:
            s3.upload_file(str(path), course.bucket, f"bench/two/{path.name}")
        s3.upload_file(str(double), course.bucket, "bench/double/double.csv")
        course.sagemaker_client.create_model(
            ModelName="bench-model", ExecutionRoleArn=course.role,
            PrimaryContainer={"Image": models.image_uri(course), "ModelDataUrl": model_data})
        aws = helpers.offline.current()
        aws.quick_finish_seconds = 0  # create returns at once, as on AWS; the poll below sees the end
        aws.pace_jobs = False  # time the runtime itself, not the minutes of AWS phases the service clock stands for

        results = {}
        cases = [("1 instance, 1 object", 1, "bench/one/", [objects[0]]),
                 ("2 instances, 2 objects", 2, "bench/two/", objects)]
        for label, instances, prefix, paths in cases:
            limits, jobs, peaks = [], [], []
            expected_path = work / "expected.out"
            for attempt in range(args.repeat):
                limits.append(limit_run(booster, iterations, paths, expected_path))
                name = f"bench-{instances}x-{attempt}"
                seconds, described = run_job(course, "bench-model", name, f"s3://{course.bucket}/{prefix}",
                                             f"s3://{course.bucket}/bench/out/{name}", instances)
                if described["TransformJobStatus"] != "Completed":
                    print(f"FAILED: {described.get('FailureReason')}")
                    return 1
                jobs.append(seconds)
                peaks.append(aws.traces[name].peak_instance_memory_mb)
                produced = b"".join(s3.get_object(Bucket=course.bucket, Key=f"bench/out/{name}/{p.name}.out")["Body"]
                                    .read() for p in paths)
                if produced != expected_path.read_bytes():
                    print("FAILED: the job's output differs from the limit's (the container's batch-mode output)")
                    return 1
            results[label] = (min(limits), min(jobs), max(peaks), limits, jobs)

        ceilings = [parallel_limit(booster, iterations, objects, work) for _ in range(args.repeat)]
        double_seconds, described = run_job(course, "bench-model", "bench-double", f"s3://{course.bucket}/bench/double/",
                                            f"s3://{course.bucket}/bench/out/double", 1)
        if described["TransformJobStatus"] != "Completed":
            print(f"FAILED: {described.get('FailureReason')}")
            return 1
        double_peak = aws.traces["bench-double"].peak_instance_memory_mb
        main_peak = peak_rss_mb(os.getpid())
    finally:
        helpers.offline.stop()
        shutil.rmtree(work, ignore_errors=True)

    print()
    print(f"Offline Batch Transform benchmark: {args.rows:,} rows x {FEATURES} features ({size_mb:.0f} MB of CSV) "
          f"per object, best of {args.repeat}, {os.cpu_count()} CPUs")
    print("Limit = one process: pandas.read_csv + xgboost inplace_predict + the container's output formatting.")
    print(f"{'case':<24}{'limit s':>9}{'job s':>9}{'speed vs limit':>16}{'goal':>7}  instance peak MB")
    goals = {"1 instance, 1 object": 0.8, "2 instances, 2 objects": 1.3}
    met = True
    for label, (limit, job, peak, limits, jobs) in results.items():
        ratio = limit / job
        met &= ratio >= goals[label]
        print(f"{label:<24}{limit:>9.2f}{job:>9.2f}{ratio:>15.2f}x{goals[label]:>6.1f}x  {peak:>8.0f}")
        print(f"{'':<24}all runs: limit {', '.join(f'{s:.2f}' for s in limits)}; "
              f"job {', '.join(f'{s:.2f}' for s in jobs)}")
    two_limit = results["2 instances, 2 objects"][0]
    print(f"Machine ceiling: the limit as 2 processes side by side (one per object) took {min(ceilings):.2f} s, "
          f"{two_limit / min(ceilings):.2f}x the one-process limit (all runs: {', '.join(f'{s:.2f}' for s in ceilings)}); "
          "no job can beat this.")
    print(f"Peak memory of the instance: {results['1 instance, 1 object'][2]:.0f} MB for one {size_mb:.0f} MB object, "
          f"{double_peak:.0f} MB for one {2 * size_mb:.0f} MB object (job {double_seconds:.2f} s); "
          f"the bench process itself peaked at {main_peak:.0f} MB (it holds the offline S3).")
    print("Outputs: byte-identical to the container's batch-mode output in every run.")
    if met:
        print("Both speed goals met.")
    else:
        missed = [label for label, r in results.items() if r[0] / r[1] < goals[label]]
        print(f"Speed goal not met for: {'; '.join(missed)}. Compare with the machine ceiling above; timings on a "
              "shared machine vary, so run it again before drawing conclusions.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
