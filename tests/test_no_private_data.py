"""No file in the repository carries private AWS data: account ids, role ARNs, keys, or machine paths in outputs.

Scans every tracked or untracked-but-not-ignored file (`git ls-files -co --exclude-standard`). Allowed account
ids: moto's fake 123456789012, the public image-registry accounts listed in the SageMaker SDK's image_uri_config
files, and the two placeholder accounts of AWS's documentation. Notebook outputs must not show machine paths
(/root/, /home/<user>/, /Users/<user>/, the checkout's own path).
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FAKE_ACCOUNT = "123456789012"  # moto's account id
# The placeholder accounts AWS's own documentation uses (IAM examples); public, never anyone's account.
DOC_ACCOUNTS = frozenset({"111122223333", "444455556666"})

# Where a 12-digit number is an account id: ARNs, ECR registry hosts, default bucket names, "Account" fields.
ACCOUNT_PATTERNS = [
    re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):"),
    re.compile(r"\b(\d{12})\.dkr\.ecr\."),
    re.compile(r"\bsagemaker-[a-z]{2}(?:-[a-z]+)+-\d-(\d{12})\b"),
    re.compile(r"""(?i)["']?account(?:_?id)?["']?\s*[:=]\s*["']?(\d{12})\b"""),
]
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+")
ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
SECRET_AFTER_NAME = re.compile(
    r"""(?i)(?:secret_?access_?key|aws_secret\w*|secretkey)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])""")
BARE_40 = re.compile(r"(?<![A-Za-z0-9/+=_.-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_.-])")
MACHINE_PATHS = [
    re.compile(r"/root/"),
    re.compile(r"/home/[^/\s\"'\\]+/"),
    re.compile(r"/Users/[^/\s\"'\\]+/"),
    re.compile(r"[A-Za-z]:\\\\?Users\\\\?"),
    re.compile(re.escape(str(REPO)) + r"(?=/|\b)"),
]
# AWS's own documentation examples, published as placeholders.
DOC_EXAMPLES = ("EXAMPLE",)


@lru_cache(maxsize=1)
def registry_accounts() -> frozenset[str]:
    """Every account in the SDK's image_uri_config files: AWS's public image registries, fine to show."""
    spec = importlib.util.find_spec("sagemaker")
    config_dir = Path(next(iter(spec.submodule_search_locations))) / "image_uri_config"
    accounts: set[str] = set()

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "registries" and isinstance(value, dict):
                    accounts.update(str(v) for v in value.values())
                else:
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    for path in config_dir.glob("*.json"):
        collect(json.loads(path.read_text()))
    return frozenset(accounts)


def allowed_account(account: str) -> bool:
    return account == FAKE_ACCOUNT or account in DOC_ACCOUNTS or account in registry_accounts()


def looks_like_secret(token: str) -> bool:
    """A 40-character token mixing cases and digits (git hashes are lower-case hex, so they never qualify)."""
    return (any(c.islower() for c in token) and any(c.isupper() for c in token) and any(c.isdigit() for c in token)
            and not any(example in token for example in DOC_EXAMPLES))


def mask(text: str) -> str:
    return text[:4] + "…" if len(text) > 4 else text


def scan_text(text: str) -> list[str]:
    """Findings ("line N: kind match", secrets masked): account ids, role ARNs, access keys, secret keys."""
    found = []

    def report(match, what):
        found.append(f"line {text.count(chr(10), 0, match.start()) + 1}: {what}")

    for pattern in ACCOUNT_PATTERNS:
        for match in pattern.finditer(text):
            if not allowed_account(match.group(1)):
                report(match, f"account id {match.group(1)} in {match.group(0)[:60]!r}")
    for match in ROLE_ARN.finditer(text):
        if match.group(1) != FAKE_ACCOUNT and match.group(1) not in DOC_ACCOUNTS:
            report(match, f"role ARN {match.group(0)[:80]!r}")
    for match in ACCESS_KEY.finditer(text):
        if not any(example in match.group(0) for example in DOC_EXAMPLES):
            report(match, f"access key {mask(match.group(0))}")
    secrets = [(m, m.group(1)) for m in SECRET_AFTER_NAME.finditer(text)]
    secrets += [(m, m.group(0)) for m in BARE_40.finditer(text) if looks_like_secret(m.group(0))]
    seen = set()
    for match, secret in secrets:
        if secret not in seen and not any(example in secret for example in DOC_EXAMPLES):
            seen.add(secret)
            report(match, f"secret-key-like string {mask(secret)}")
    return found


def notebook_output_text(notebook: dict) -> str:
    """The text a reader sees in a notebook's outputs (streams, results, errors), images left out."""
    parts = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            for key in ("text", "traceback", "evalue", "ename"):
                value = output.get(key)
                parts.extend(value if isinstance(value, list) else [value] if value else [])
            for mime, value in (output.get("data") or {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    parts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(str(part) for part in parts)


def scan_notebook_outputs(text: str) -> list[str]:
    found = []
    for pattern in MACHINE_PATHS:
        for match in pattern.finditer(text):
            found.append(f"machine path {match.group(0)!r} in an output")
    return found


def repo_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    return [REPO / name for name in listed if name and (REPO / name).is_file()]


def scan_file(path: Path) -> list[str]:
    raw = path.read_bytes()
    if b"\0" in raw:
        return []  # binary
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return []
    found = scan_text(text)
    if path.suffix == ".ipynb":
        try:
            notebook = json.loads(text)
        except ValueError:
            return found + ["not valid notebook JSON"]
        found += scan_notebook_outputs(notebook_output_text(notebook))
    return found


# --- the repository ----------------------------------------------------------------------------------------------

def test_the_repository_holds_no_private_aws_data():
    files = repo_files()
    assert any(f.name == "backend.py" for f in files)  # the listing really covers the kit
    problems = [f"{path.relative_to(REPO)}: {finding}" for path in files for finding in scan_file(path)]
    assert not problems, "Private or machine-specific data found:\n" + "\n".join(problems)


def test_registry_accounts_come_from_the_sdk():
    accounts = registry_accounts()
    assert len(accounts) > 20 and all(re.fullmatch(r"\d{12}", a) for a in accounts)
    assert FAKE_ACCOUNT not in accounts


# --- the scanner itself --------------------------------------------------------------------------------------------
# Bad examples are assembled at run time, so this file does not trip its own scan.

OTHER = "4" * 12


def test_fake_and_registry_accounts_pass():
    registry = sorted(registry_accounts())[0]
    text = (f"arn:aws:iam::{FAKE_ACCOUNT}:role/BatchTransformCourseRole s3://sagemaker-us-west-2-{FAKE_ACCOUNT}/x "
            f"{registry}.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.7-1")
    assert scan_text(text) == []


@pytest.mark.parametrize("text", [
    f"model_data = 's3://sagemaker-us-west-2-{OTHER}/boston-xgboost-HL/output/model.tar.gz'",
    f"arn:aws:sagemaker:us-west-2:{OTHER}:transform-job/t1",
    f"{OTHER}.dkr.ecr.eu-west-1.amazonaws.com/my-image:latest",
    f'{{"Account": "{OTHER}"}}',
])
def test_other_account_ids_are_found(text):
    assert any("account id" in finding for finding in scan_text(text))


def test_a_real_looking_role_arn_is_found():
    assert any("role ARN" in f for f in scan_text("role = 'arn:aws:iam::" + OTHER + ":role/service-role/X'"))


def test_access_keys_are_found_but_aws_doc_examples_pass():
    key = "AK" + "IA" + "Q7" * 8
    assert scan_text(f"x = 1\naws_access_key_id = {key}") == [f"line 2: access key {key[:4]}…"]
    assert scan_text("aws_access_key_id = AKIAIOSFODNN7EXAMPLE") == []


def test_secret_keys_are_found_by_name_or_by_shape():
    secret = "Zq3" + "x/Y9" * 9 + "k"
    assert len(secret) == 40
    assert scan_text(f"aws_secret_access_key = {secret}")
    assert scan_text(f"token: {secret}\n")


def test_hashes_and_long_base64_runs_are_not_secrets():
    git_hash = "3f" * 20
    image_data = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk" * 3
    assert scan_text(f"commit {git_hash}\n\"image/png\": \"{image_data}\"") == []


def test_machine_paths_are_found_in_notebook_outputs_only():
    home = "/" + "home/learner/"
    notebook = {"cells": [
        {"cell_type": "markdown", "source": [f"Files live in {home} on your machine"]},
        {"cell_type": "code", "source": ["print(1)"], "outputs": [
            {"output_type": "stream", "name": "stderr", "text": [f"{home}.venv/lib/python3.11/warnings.py:1\n"]},
            {"output_type": "error", "ename": "E", "evalue": "", "traceback": [f"File {REPO}/helpers/x.py"]},
        ]},
    ]}
    findings = scan_notebook_outputs(notebook_output_text(notebook))
    assert len(findings) == 2 and "learner" in findings[0] and str(REPO) in findings[1]
    clean = {"cells": [{"cell_type": "code", "source": [home], "outputs": [
        {"output_type": "execute_result", "data": {"text/plain": ["Backend: offline"]}}]}]}
    assert scan_notebook_outputs(notebook_output_text(clean)) == []


def test_a_whole_notebook_file_is_scanned(tmp_path):
    path = tmp_path / "lesson.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": [
        "model_data = 's3://sagemaker-us-west-2-" + OTHER + "/model.tar.gz'"],
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["/" + "root/.aws/credentials\n"]}]}]}))
    findings = scan_file(path)
    assert any("account id" in f for f in findings) and any("machine path" in f for f in findings)


# --- the repository stands alone (issue 21) --------------------------------------------------------------------------
# A clone has only the repository: no file may point outside it, to the team's shared folder next to the checkout or
# to a path of the machine that built it. Container paths (/opt/ml/...) and /tmp are not machine paths.
OUTSIDE_PATHS = [
    re.compile(r"\.\./shared\b"),
    re.compile(r"(?<![\w.])/(?:work|home|Users)/[\w.-]+"),
    re.compile(r"(?<![\w.])/root/[\w.-]"),
    re.compile(re.escape(str(REPO)) + r"(?=/|\b)"),
]


def outside_paths(text: str) -> list[str]:
    return [f"line {text.count(chr(10), 0, m.start()) + 1}: {m.group(0)!r}"
            for pattern in OUTSIDE_PATHS for m in pattern.finditer(text)]


def test_no_file_names_a_path_outside_the_repository():
    problems = []
    for path in repo_files():
        raw = path.read_bytes()
        if b"\0" in raw:
            continue
        problems += [f"{path.relative_to(REPO)}: {finding}"
                     for finding in outside_paths(raw.decode("utf-8", "replace"))]
    assert not problems, ("Files name paths a clone does not have (move the facts into docs/, e.g. "
                          "docs/batch-transform-reference.md):\n" + "\n".join(problems))


@pytest.mark.parametrize("text", [".." + "/shared/spec/batch-transform.md", "see /" + "work/shared/spec/x.md",
                                  "/" + "home/someone/kit", "/" + "root/.aws/config", str(REPO) + "/helpers"])
def test_outside_paths_are_found(text):
    assert outside_paths(text)


@pytest.mark.parametrize("text", ["/opt/ml/model/xgboost-model", "tests/reference/aws/README.md",
                                  'r"/root|/home/|/work/|0x"', "docs/batch-transform-reference.md"])
def test_repository_and_container_paths_pass(text):
    assert not outside_paths(text)
