"""What the docs and the notebooks' markdown quote from AWS's places (log streams, data-log lines, FailureReasons,
error messages, SDK log lines) exists: in the runtime's output as the notebooks committed it, or in the corpus of
real AWS output (tests/reference/aws/). Issue 21: the guide named a `<job>/data-log` stream and a "Bad HTTP status
received from algorithm: 415" line that neither AWS nor the kit writes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A quoted text is checked when it holds one of these: it then claims to be what AWS (or the SDK) writes.
MARKERS = ("[sagemaker logs]", "ClientError", "AlgorithmError", "Bad HTTP status", "Could not find",
           "No S3 objects found", "Loading csv data failed", "Unable to evaluate payload", "Unable to get response",
           "Request Entity Too Large", "See job logs", "Error for Transform job", "INFO:sagemaker:", "Member must",
           "validation error", "data-log")
QUOTE = re.compile(r"`([^`\n]+)`")
# A per-instance stream, as a placeholder or a real name (tests/reference/aws/README.md, "Log streams").
DATA_LOG_STREAM = re.compile(r"(<job(?: name)?>|[\w-]+)/(<instance[ -]id>-<epoch(?:_timestamp)?>|i-[0-9a-f]{17}-\d+)"
                             r"/data-log")


def quoting_sources() -> list[tuple[str, str]]:
    sources = [(str(p.relative_to(ROOT)), p.read_text()) for p in sorted((ROOT / "docs").glob("*.md"))]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        sources.append((str(path.relative_to(ROOT)),
                        "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")))
    return sources


def evidence() -> str:
    """The reference corpus and every output the committed notebooks show (the offline runtime's own output)."""
    parts = [p.read_text() for p in sorted((ROOT / "tests" / "reference" / "aws").iterdir()) if p.is_file()]
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                parts.append("".join(output.get("text", "")) + output.get("evalue", "")
                             + "".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def as_pattern(quote: str) -> re.Pattern:
    """`<placeholder>` stands for any text, `...` or `…` for any text or none; the rest is literal."""
    pattern = re.escape(quote)
    pattern = re.sub(r"<[^<>]+>", ".+?", pattern)
    pattern = pattern.replace(r"\.\.\.", ".*?").replace("…", ".*?")
    return re.compile(pattern)


def quoted_aws_texts() -> list[tuple[str, str]]:
    return [(name, quote) for name, text in quoting_sources() for quote in QUOTE.findall(text)
            if any(marker in quote for marker in MARKERS)]


def test_the_check_sees_the_quotes():
    quotes = quoted_aws_texts()
    assert len(quotes) > 20, quotes  # the docs do quote AWS: a check that sees nothing proves nothing
    assert any("ClientError: 413" in q for _, q in quotes)


def test_every_quoted_aws_text_exists_in_the_runtimes_output_or_the_corpus():
    found = evidence()
    missing = [f"{name}: `{quote}`" for name, quote in quoted_aws_texts() if not as_pattern(quote).search(found)]
    assert not missing, ("Quoted as AWS's, but neither the notebooks' outputs nor tests/reference/aws/ hold it:\n"
                         + "\n".join(missing))


def test_data_log_streams_are_named_per_instance():
    named = [(name, quote) for name, quote in quoted_aws_texts() if quote.endswith("data-log") and "/" in quote]
    assert named
    wrong = [f"{name}: `{quote}`" for name, quote in named if not DATA_LOG_STREAM.search(quote)]
    assert not wrong, "A data-log stream is per instance, <job>/<instance-id>-<epoch>/data-log:\n" + "\n".join(wrong)


@pytest.mark.parametrize("quote, text, hit", [
    ("<bucket>/<key>: ClientError: 415", "x:[sagemaker logs]: b/k.csv: ClientError: 415", True),
    ("Bad HTTP status received from algorithm: 415", "b/k.csv: ClientError: 415", False),
    ("Could not find model data at s3://....", "Could not find model data at s3://b/m.tar.gz.", True),
])
def test_placeholders_match_any_text_and_the_rest_is_literal(quote, text, hit):
    assert bool(as_pattern(quote).search(text)) is hit
