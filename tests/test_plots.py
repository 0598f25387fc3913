"""The course's figures draw what they claim: one row per instance, a lane per concurrent request, coloured legend."""
import matplotlib

matplotlib.use("Agg")

from helpers.course import plots
from sagemaker_offline.transform import BatchTrace, TransformTrace


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


def test_console_form_draws_every_field_of_the_table_in_its_section():
    """Notebook 08's mock-ups come from the same field table as the request: every label and section is drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.course import console, plots

    for fields, values in ((console.CONSOLE_FIELDS, console.demo_form()),
                           (console.MODEL_FIELDS, console.demo_model_form())):
        ax = plots.console_form(fields, values, "form")
        texts = [t.get_text() for t in ax.texts]
        for field in fields:
            assert field.label + (" *" if field.required else "") in texts, field.label
        for section in {f.section for f in fields}:
            also_a_label = any(f.label == section for f in fields)  # "Tags" is a section and its field
            assert texts.count(section) == 1 + also_a_label, section  # one box per section, fields kept together
        demo_job = values.get("Job name") or values.get("Model name")
        assert demo_job in texts  # the form's values, not just its labels
        plt.close(ax.figure)
