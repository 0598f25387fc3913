"""The course's figures: predicted against actual prices, and the per-instance timeline of a transform job."""
from __future__ import annotations

import numpy as np


def predicted_vs_actual(actual, predicted, title: str = "Batch transform predictions", ax=None):
    """Scatter of predictions against true prices with the y = x line; censored prices at $50k stand out on the right."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    actual, predicted = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    ax.scatter(actual, predicted, s=14, alpha=0.7)
    low, high = min(actual.min(), predicted.min()), max(actual.max(), predicted.max())
    ax.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1, label="perfect prediction")
    ax.set_xlabel("actual median value (MEDV, $1000s)")
    ax.set_ylabel("predicted (from the .out)")
    ax.set_title(title)
    ax.legend(loc="upper left")
    return ax


def transform_timeline(trace, ax=None):
    """One row per instance, one bar per mini-batch: how a job cut its objects and spread them over instances."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    lanes = _lanes(trace.batches)  # requests in flight together get lanes of their own within the instance's row
    height = 0.8 / max(max(lanes.values(), default=0) + 1, 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 1 + 0.6 * trace.instance_count))
    keys = sorted({b.object_key for b in trace.batches})
    colours = {key: plt.cm.tab10(i % 10) for i, key in enumerate(keys)}
    for i, b in enumerate(trace.batches):
        ax.barh(b.instance - 0.4 + height * (lanes[i] + 0.5), max(b.end - b.start, 1e-4), height=height * 0.9,
                left=b.start, color=colours[b.object_key], edgecolor="black", linewidth=0.4)
    handles = [Patch(facecolor=colours[key], edgecolor="black", label=key.rsplit("/", 1)[-1]) for key in keys]
    ax.set_yticks(range(trace.instance_count), [f"instance {i + 1}" for i in range(trace.instance_count)])
    ax.set_ylim(trace.instance_count - 0.5, -0.5)
    ax.set_xlabel("seconds since the job started (one bar = one mini-batch request)")
    ax.set_title(f"{trace.instance_count} instance(s), MaxConcurrentTransforms={trace.max_concurrent_transforms}, "
                 f"MaxPayloadInMB={trace.max_payload_mb}, {trace.batch_strategy}")
    ax.legend(handles=handles, title="input object", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize="small")
    return ax


def _lanes(batches) -> dict[int, int]:
    """Greedy interval partitioning per instance: each request takes the lowest lane free when it starts."""
    lanes: dict[int, int] = {}
    busy_until: dict[int, list[float]] = {}
    for i in sorted(range(len(batches)), key=lambda k: (batches[k].instance, batches[k].start)):
        b = batches[i]
        ends = busy_until.setdefault(b.instance, [])
        lane = next((n for n, end in enumerate(ends) if end <= b.start), len(ends))
        if lane == len(ends):
            ends.append(b.end)
        else:
            ends[lane] = b.end
        lanes[i] = lane
    return lanes


def console_form(fields, values, title: str, ax=None):
    """A drawn mock-up of a console form (notebook 08): its sections in order, each field's label and value, from the
    same field table (helpers/course/console.py) that turns the form into its API request. A drawing, not a screenshot."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Rectangle

    grouped: dict[str, list] = {}
    for field in fields:  # a section's fields together, sections in the order they first appear
        grouped.setdefault(field.section, []).append(field)
    sections = list(grouped.items())
    rows = len(fields) + 2 * len(sections) + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.32 * rows + 0.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(rows, 0)
    ax.axis("off")
    ax.text(0.1, 0.6, title, fontsize=13, weight="bold", va="center")
    y = 1.4
    for section, members in sections:
        height = len(members) + 1.2
        ax.add_patch(FancyBboxPatch((0.05, y - 0.1), 9.9, height, boxstyle="round,pad=0.02,rounding_size=0.1",
                                    facecolor="#f7f7f7", edgecolor="#999999", linewidth=0.8))
        ax.text(0.25, y + 0.35, section, fontsize=10, weight="bold", va="center")
        y += 1.0
        for field in members:
            value = values.get(field.label, "")
            blank = value in ("", None) or value == {}
            shown = field.default if blank else (", ".join(f"{k}={v}" for k, v in value.items())
                                                 if isinstance(value, dict) else str(value))
            label = field.label + (" *" if field.required else "")
            ax.text(0.4, y + 0.4, label, fontsize=8.5, va="center")
            ax.add_patch(Rectangle((4.2, y + 0.08), 5.5, 0.64, facecolor="white", edgecolor="#777777", linewidth=0.7))
            text = (shown[:58] + "…") if len(shown) > 59 else shown
            ax.text(4.3, y + 0.4, text or "(blank)", fontsize=8, va="center", family="monospace",
                    color="#999999" if blank else "black")
            if field.kind == "choice":
                ax.text(9.55, y + 0.4, "▾", fontsize=9, va="center", ha="center")
            y += 1.0 * 0.9 + 0.1
        y += 0.6
    ax.text(0.1, y, "* required by the API.  Grey: blank, not sent (the console's default shown).  "
                    "Drawn from the kit's field table, not a screenshot.", fontsize=7.5, color="#555555", va="top")
    return ax
