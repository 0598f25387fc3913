"""docs/offline-runtime.md's table of SageMaker APIs says what the runtime really does with each: the table is the one
sagemaker_offline/api_support.py makes, its "runs for real" rows are the runtime's own handlers, and its "refused" rows
are refused by the running offline AWS."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sagemaker_offline import api_support
from sagemaker_offline.jobs import response_handlers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import api_table  # noqa: E402


def test_the_docs_table_is_the_one_the_runtime_makes():
    written = api_table.current_table(api_table.DOC.read_text())
    assert written == api_support.table_markdown(), "run .venv/bin/python tools/api_table.py"


def test_runs_for_real_is_exactly_what_the_runtime_handles():
    from sagemaker_offline import endpoints

    handled = set(response_handlers(aws=None)) | set(endpoints.response_handlers(aws=None))
    assert {api_support.method_name(op) for op in api_support.RUNS} == handled
    assert {api_support.method_name(op) for op in api_support.RUNS_RUNTIME} == set(endpoints.runtime_handlers(None))


def test_no_operation_is_in_two_kinds():
    recorded = set(api_support.recorded_only())
    assert not (set(api_support.RUNS) & set(api_support.REFUSED))
    assert not (recorded & (set(api_support.RUNS) | set(api_support.REFUSED)))


@pytest.mark.parametrize("operation", sorted(api_support.REFUSED))
def test_each_refused_operation_is_one_moto_would_answer_with_a_canned_success(operation):
    from moto.sagemaker.responses import SageMakerResponse

    assert callable(getattr(SageMakerResponse, api_support.method_name(operation), None)), \
        f"{operation}: moto has no handler, so nothing to refuse: remove it from REFUSED"


def test_the_running_offline_aws_refuses_them():
    from moto.sagemaker.responses import SageMakerResponse
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    import sagemaker_offline

    with sagemaker_offline.running():
        for operation in api_support.REFUSED:
            handler = getattr(SageMakerResponse, api_support.method_name(operation))
            with pytest.raises(Exception, match="The offline AWS cannot run " + operation):
                handler(None)
        for operation in api_support.REFUSED_RUNTIME:
            handler = getattr(SageMakerRuntimeResponse, api_support.method_name(operation))
            with pytest.raises(Exception, match="NotSupportedOffline|The offline AWS cannot run"):
                handler(None)
    sagemaker_offline.allow_aws()  # this test process goes on with other tests
