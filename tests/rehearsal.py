"""The AWS path, rehearsed (tests/test_aws_rehearsal.py): every course notebook run top to bottom in AWS mode
(COURSE_BACKEND=aws), against the offline AWS standing in for the account.

The offline AWS runs in the test process and serves the kernels on 127.0.0.1 (sagemaker_offline/server.py), so one
"account" lasts across the notebooks as a real one does: notebook 01's training job is the one later notebooks
reuse, and notebook 99 cleans up what all of them left. Each kernel sees an AWS account in every way it can look:
stand-in keys, a region, COURSE_ROLE_ARN, and endpoints reached over the network (here: loopback only). Three things
differ from a real account, each made here and nowhere in the kit:
- the SDK (v2 and v3) builds its STS client with AWS's regional STS address, ignoring AWS_ENDPOINT_URL; the kernels
  send it to the server too (as AWS_ENDPOINT_URL does for every other client);
- the SDK's and waiters' sleeps are shortened as in offline mode (sagemaker_offline/service.py, CompressedClock);
- SDK telemetry is off (the offline AWS's SageMaker config file), so no request goes to AWS's telemetry host.
Every kernel, and every process it starts (the AWS CLI of `!aws` cells), refuses and records any connection or
name lookup outside loopback.
"""
from __future__ import annotations

import os
import re
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

GUARD = textwrap.dedent('''
    import os, socket
    _log = os.environ["REHEARSAL_NETWORK_ATTEMPTS"]
    _LOOPBACK = ("127.0.0.1", "::1", "localhost")
    with open(os.environ["REHEARSAL_GUARDED"], "a") as f:  # which processes ran under the guard
        f.write(f"{os.getpid()}\\n")
    def _record(what):
        with open(_log, "a") as f:
            f.write(f"{os.getpid()} {what}\\n")
    _connect = socket.socket.connect
    def _guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in _LOOPBACK:
            _record(address)
            raise OSError("the AWS rehearsal reaches loopback only")
        return _connect(self, address, *args)
    socket.socket.connect = _guarded
    _getaddrinfo = socket.getaddrinfo
    def _lookup(host, *args, **kwargs):
        if host not in _LOOPBACK:
            _record(f"lookup {host}")
            raise OSError("the AWS rehearsal looks up loopback names only")
        return _getaddrinfo(host, *args, **kwargs)
    socket.getaddrinfo = _lookup
''')

# Run in each kernel before the notebook's first cell (the kernel's first execution; not saved anywhere). Both tracks:
# - the STS address: SDK v2 builds its STS client in sagemaker.session with `sts_regional_endpoint(region)`; SDK v3 does
#   the same in sagemaker.core.helper.session_helper (account id for default_bucket(), get_caller_identity), which in 3.12
#   imports the function from sagemaker.core.common_utils and in 3.27 defines its own: the module's name is patched
#   either way (read in .venv-v3's sagemaker 3.27.0 and the Studio 4.3.0 replica's 3.12.0, session_helper.py);
# - the clocks: the modules whose `time` drives the SDK's polling, the list offline mode patches
#   (sagemaker_offline/service.py, _sdk_polling_modules: v2 sagemaker.session; v3 the resources' wait(), the session
#   helper's log tailing and the core Transformer), and botocore's waiters.
KERNEL_PREAMBLE = textwrap.dedent('''
    def _rehearsal_preamble():
        import importlib, logging, os, time
        import botocore.waiter
        from sagemaker_offline import sdk_setup
        from sagemaker_offline.service import CompressedClock, ServiceClock, _sdk_polling_modules
        sdk_setup.quiet_config_log()  # as connect() does before the first `import sagemaker`
        logging.getLogger("botocore").setLevel(logging.WARNING)  # as sdk_v3.connect() does before SDK 3.12's import
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        from importlib.metadata import version
        v2 = version("sagemaker").startswith("2.")
        sts_module = importlib.import_module("sagemaker.session" if v2 else "sagemaker.core.helper.session_helper")
        sts_module.sts_regional_endpoint = lambda region: endpoint
        clock = ServiceClock(time)  # the kernel's own: the account's jobs run on the test process's clock
        for name in _sdk_polling_modules():
            importlib.import_module(name).time = CompressedClock(time, clock)
        botocore.waiter.time = CompressedClock(time, clock)
    _rehearsal_preamble()
    del _rehearsal_preamble
''')

# The lines helpers/connection/aws/guards.py prints before a request that starts instances.
NOTICE = re.compile(r"AWS: this starts an? (training job|batch transform job|real-time endpoint) on (\d+) x (ml\.\w+\.\w+)")
ENDPOINT_NOTICE = "AWS: this deploys a real-time endpoint"
KINDS = {"training job": "training", "batch transform job": "transform", "real-time endpoint": "endpoint"}


@dataclass
class CellRun:
    """One executed cell: what it printed, whether it raised, and what it started on the stand-in account."""

    index: int
    text: str
    raised: bool
    started: list[tuple[str, int, str]]  # (kind, instance count, instance type)

    @property
    def notices(self) -> list[tuple[str, int, str]]:
        return [(KINDS[kind], int(count), itype) for kind, count, itype in NOTICE.findall(self.text)]


@dataclass
class NotebookRun:
    """One notebook in AWS mode: whether it ran, its printed text, and its cells."""

    name: str
    ok: bool
    error: str
    seconds: float
    cells: list[CellRun] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(cell.text for cell in self.cells)

    @property
    def started(self) -> list[tuple[str, int, str]]:
        return [start for cell in self.cells for start in cell.started]


def kernel_environment(aws, workdir: Path) -> dict[str, str]:
    """The kernels' environment: AWS mode, the stand-in account's keys, region, role and endpoint; the socket guard."""
    (workdir / "sitecustomize.py").write_text(GUARD)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COURSE_"))}
    env.update(aws.cli_environment)  # endpoint, stand-in keys, region, config file, no instance metadata
    env.update(
        COURSE_BACKEND="aws",
        COURSE_ROLE_ARN=aws.role_arn,
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]),
        REHEARSAL_NETWORK_ATTEMPTS=str(workdir / "network-attempts.txt"),
        REHEARSAL_GUARDED=str(workdir / "guarded-processes.txt"),
    )
    return env


def cell_text(cell) -> str:
    """Everything a cell printed, in order (stdout, stderr, results, errors)."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
    return "\n".join(parts)


def run_notebook(path: Path, env: dict[str, str], sagemaker_client) -> NotebookRun:
    """Execute one notebook in a fresh kernel in AWS mode; record what it started on the stand-in account."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}},  # notebooks/ or notebooks/sdk-v3/
                            extra_arguments=["--IPKernelApp.log_level=ERROR"])
    run = NotebookRun(path.name, True, "", 0.0)
    started = time.time()
    with client.setup_kernel(env=env):
        client.execute_cell(nbformat.v4.new_code_cell(KERNEL_PREAMBLE), -1, store_history=False)
        before = _instance_starts(sagemaker_client)
        for index, cell in enumerate(notebook.cells):
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as exc:
                run.ok, run.error = False, f"cell {index}: {exc.ename}: {exc.evalue}"[:500]
            if cell.cell_type != "code":
                continue
            after = _instance_starts(sagemaker_client)
            raised = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
            run.cells.append(CellRun(index, cell_text(cell), raised, [after[n] for n in after if n not in before]))
            before = after
            if not run.ok:
                break
    run.seconds = time.time() - started
    return run


def _instance_starts(sm) -> dict[str, tuple[str, int, str]]:
    """Every job and endpoint on the account that started instances: name -> (kind, count, type)."""
    starts = {}
    for page in sm.get_paginator("list_training_jobs").paginate():
        for summary in page["TrainingJobSummaries"]:
            job = sm.describe_training_job(TrainingJobName=summary["TrainingJobName"])
            resources = job["ResourceConfig"]
            starts["training/" + job["TrainingJobName"]] = ("training", resources["InstanceCount"],
                                                            resources["InstanceType"])
    for page in sm.get_paginator("list_transform_jobs").paginate():
        for summary in page["TransformJobSummaries"]:
            job = sm.describe_transform_job(TransformJobName=summary["TransformJobName"])
            resources = job["TransformResources"]
            starts["transform/" + job["TransformJobName"]] = ("transform", resources["InstanceCount"],
                                                              resources["InstanceType"])
    for page in sm.get_paginator("list_endpoints").paginate():
        for endpoint in page["Endpoints"]:
            config = sm.describe_endpoint_config(
                EndpointConfigName=sm.describe_endpoint(EndpointName=endpoint["EndpointName"])["EndpointConfigName"])
            variant = config["ProductionVariants"][0]
            starts["endpoint/" + endpoint["EndpointName"]] = ("endpoint", variant.get("InitialInstanceCount", 1),
                                                              variant.get("InstanceType", ""))
    return starts


def untagged_resources(sm) -> list[str]:
    """Every SageMaker resource on the account without the course tag (jobs, models, endpoint configs, endpoints)."""
    from helpers.connection.aws.resources import has_course_tag

    listings = [("list_training_jobs", "TrainingJobSummaries", "TrainingJobName", "TrainingJobArn"),
                ("list_transform_jobs", "TransformJobSummaries", "TransformJobName", "TransformJobArn"),
                ("list_models", "Models", "ModelName", "ModelArn"),
                ("list_endpoint_configs", "EndpointConfigs", "EndpointConfigName", "EndpointConfigArn"),
                ("list_endpoints", "Endpoints", "EndpointName", "EndpointArn")]
    missing = []
    for operation, key, name, arn in listings:
        for page in sm.get_paginator(operation).paginate():
            for item in page[key]:
                if not has_course_tag(sm, item[arn]):
                    missing.append(f"{operation.removeprefix('list_')[:-1]} {item[name]}")
    return missing


def deletable_course_resources(sm) -> list[str]:
    """Course-tagged models, endpoint configs and endpoints (jobs cannot be deleted, on AWS either)."""
    from helpers.connection.aws.resources import has_course_tag

    left = []
    for operation, key, name, arn in (("list_models", "Models", "ModelName", "ModelArn"),
                                      ("list_endpoint_configs", "EndpointConfigs", "EndpointConfigName",
                                       "EndpointConfigArn"),
                                      ("list_endpoints", "Endpoints", "EndpointName", "EndpointArn")):
        for page in sm.get_paginator(operation).paginate():
            left += [f"{operation.removeprefix('list_')[:-1]} {item[name]}" for item in page[key]
                     if has_course_tag(sm, item[arn])]
    return left


def roles_used(sm) -> set[str]:
    """The execution roles of every training job and model on the account."""
    roles = set()
    for page in sm.get_paginator("list_training_jobs").paginate():
        roles |= {sm.describe_training_job(TrainingJobName=s["TrainingJobName"])["RoleArn"]
                  for s in page["TrainingJobSummaries"]}
    for page in sm.get_paginator("list_models").paginate():
        roles |= {sm.describe_model(ModelName=m["ModelName"])["ExecutionRoleArn"] for m in page["Models"]}
    return roles


def course_objects(s3) -> list[str]:
    """Every object under the course prefix, in every bucket of the account."""
    from helpers.connection.names import COURSE_PREFIX

    keys = []
    for bucket in s3.list_buckets()["Buckets"]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"], Prefix=COURSE_PREFIX + "/"):
            keys += [f"s3://{bucket['Name']}/{item['Key']}" for item in page.get("Contents", [])]
    return keys
