"""ListTransformJobs, ListTrainingJobs and ListModels as the API reference describes them: filters, then the sort
(SortBy, SortOrder), then pages of MaxResults with a NextToken. moto pages first and filters the page, and ignores
the sort (docs/offline-runtime.md, "List calls").

Sources (SageMaker API Reference): ListTransformJobs (MaxResults default 10, 1-100; SortBy Name | CreationTime |
Status, default CreationTime; SortOrder default Descending), ListTrainingJobs (same, SortOrder default Ascending, and
its note: with StatusEquals and MaxResults, the MaxResults jobs are taken first and then filtered by status),
ListModels (SortBy Name | CreationTime, default CreationTime; SortOrder default Descending; no default page size is
documented, so all models are returned unless MaxResults is given)."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any, Callable


def _when(value) -> datetime | None:
    """A request timestamp (epoch seconds, as botocore sends it, or ISO text) as a naive UTC datetime like moto's."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed


def _token(offset: int, query: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "query": query}, sort_keys=True).encode()).decode()


def _offset(token: str | None, query: dict) -> int:
    """Where the page starts; a token from another query is refused, as AWS refuses it."""
    from sagemaker_offline.validation import validation_error

    if not token:
        return 0
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
        if state["query"] != query:
            raise ValueError
        return int(state["offset"])
    except (ValueError, KeyError, TypeError):
        raise validation_error("Invalid pagination token because it does not belong to this request.") from None


def page(items: list, params: dict, *, name: Callable, status: Callable | None, created: Callable,
         modified: Callable | None, default_order: str, default_size: int | None,
         status_after_page: bool = False) -> tuple[list, str | None]:
    """The items one List call returns, and its NextToken (None on the last page)."""
    query = {key: value for key, value in params.items() if key not in ("NextToken", "MaxResults")}
    contains = params.get("NameContains")
    bounds = [(created, _when(params.get("CreationTimeAfter")), _when(params.get("CreationTimeBefore")))]
    if modified is not None:
        bounds.append((modified, _when(params.get("LastModifiedTimeAfter")), _when(params.get("LastModifiedTimeBefore"))))
    wanted_status = params.get("StatusEquals") if status is not None else None

    def kept(item, with_status: bool) -> bool:
        if contains and contains not in name(item):
            return False
        for field, after, before in bounds:
            when = field(item)
            if after is not None and not (when and when > after):
                return False
            if before is not None and not (when and when < before):
                return False
        return not (with_status and wanted_status and status(item) != wanted_status)

    chosen = [item for item in items if kept(item, not status_after_page)]
    sort_by = params.get("SortBy") or "CreationTime"
    key = {"Name": name, "Status": status or name}.get(sort_by, created)
    chosen.sort(key=lambda item: (key(item), name(item)), reverse=(params.get("SortOrder") or default_order)
                == "Descending")
    size = params.get("MaxResults") or default_size
    start = _offset(params.get("NextToken"), query)
    if size is None:
        return chosen[start:], None
    end = start + int(size)
    shown = chosen[start:end]
    if status_after_page and wanted_status:
        shown = [item for item in shown if status(item) == wanted_status]
    return shown, (_token(end, query) if end < len(chosen) else None)


def list_transform_jobs(backend, params: dict) -> dict[str, Any]:
    jobs, token = page(list(backend.transform_jobs.values()), params, name=lambda j: j.transform_job_name,
                       status=lambda j: j.transform_job_status, created=lambda j: j.creation_time,
                       modified=lambda j: j.last_modified_time, default_order="Descending", default_size=10)
    summaries = [{key: value for key, value in {
        "TransformJobName": j.transform_job_name, "TransformJobArn": j.arn, "CreationTime": j.creation_time,
        "TransformEndTime": j.transform_end_time, "LastModifiedTime": j.last_modified_time,
        "TransformJobStatus": j.transform_job_status, "FailureReason": j.failure_reason}.items() if value is not None}
        for j in jobs]
    return {"TransformJobSummaries": summaries, **({"NextToken": token} if token else {})}


def list_training_jobs(backend, params: dict) -> dict[str, Any]:
    jobs, token = page(list(backend.training_jobs.values()), params, name=lambda j: j.training_job_name,
                       status=lambda j: j.training_job_status, created=lambda j: j.creation_time,
                       modified=lambda j: j.last_modified_time, default_order="Ascending", default_size=10,
                       status_after_page=True)
    summaries = [{key: value for key, value in {
        "TrainingJobName": j.training_job_name, "TrainingJobArn": j.arn, "CreationTime": j.creation_time,
        "TrainingEndTime": j.training_end_time, "LastModifiedTime": j.last_modified_time,
        "TrainingJobStatus": j.training_job_status}.items() if value is not None} for j in jobs]
    return {"TrainingJobSummaries": summaries, **({"NextToken": token} if token else {})}


def list_models(backend, params: dict) -> dict[str, Any]:
    models, token = page(list(backend._models.values()), params, name=lambda m: m.model_name, status=None,
                         created=lambda m: m.creation_time, modified=None, default_order="Descending",
                         default_size=None)
    summaries = [{"ModelName": m.model_name, "ModelArn": m.arn, "CreationTime": m.creation_time} for m in models]
    return {"Models": summaries, **({"NextToken": token} if token else {})}
