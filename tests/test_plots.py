"""The course's figures draw what they claim: one row per instance, a lane per concurrent request, coloured legend."""
import matplotlib

matplotlib.use("Agg")

from helpers import plots
from helpers.offline.transform import BatchTrace, TransformTrace


def _trace():
    trace = TransformTrace("job", instance_count=2, max_concurrent_transforms=2)
    trace.batches = [BatchTrace(0, "in/a.csv", 0, 10, 100, 0.0, 1.0), BatchTrace(0, "in/a.csv", 1, 10, 100, 0.5, 1.5),
                     BatchTrace(0, "in/a.csv", 2, 10, 100, 1.2, 2.0), BatchTrace(1, "in/b.csv", 0, 10, 100, 0.0, 1.0)]
    return trace


def test_overlapping_requests_get_their_own_lanes():
    lanes = plots._lanes(_trace().batches)
    assert lanes == {0: 0, 1: 1, 2: 0, 3: 0}


def test_timeline_legend_has_one_colour_per_object():
    ax = plots.transform_timeline(_trace())
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    colours = {tuple(h.get_facecolor()) for h in legend.legend_handles}
    assert labels == ["a.csv", "b.csv"] and len(colours) == 2
    assert len(ax.patches) == 4


def test_predicted_vs_actual_draws_every_point():
    ax = plots.predicted_vs_actual([1, 2, 3], [1.5, 2.5, 2.0])
    assert len(ax.collections[0].get_offsets()) == 3
