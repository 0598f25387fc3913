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


def _demo_forms():
    from helpers.course import console

    bucket = "amzn-s3-demo-bucket"  # notebook 08's placeholder, with its longest values (URIs, the role ARN)
    model = {**console.demo_model_form(bucket),
             "IAM role": "arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-course"}
    job = {**console.demo_form(bucket), "S3 output path": f"s3://{bucket}/batch-transform-course/batch-transform-console/",
           "Tags": {"course": "sagemaker-batch-transform", "course-learner": "a-very-long-learner"}}
    return ((console.CONSOLE_FIELDS, job), (console.MODEL_FIELDS, model))


def test_console_form_draws_every_field_of_the_table_in_its_section():
    """Notebook 08's mock-ups come from the same field table as the request: every label and section is drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.course import plots

    for fields, values in _demo_forms():
        ax = plots.console_form(fields, values, "form")
        texts = [t.get_text() for t in ax.texts]
        joined = " ".join(texts)
        for field in fields:
            label = field.label + (" *" if field.required else "")
            assert label in texts or all(word in joined for word in label.split()), field.label
        for section in {f.section for f in fields}:
            also_a_label = any(f.label == section for f in fields)  # "Tags" is a section and its field
            assert texts.count(section) == 1 + also_a_label, section  # one box per section, fields kept together
        demo_job = values.get("Job name") or values.get("Model name")
        assert demo_job in texts  # the form's values, not just its labels
        plt.close(ax.figure)


def test_console_form_shows_every_value_whole_and_nothing_overlaps():
    """issue 22: at the site's width the drawn forms cut the S3 URIs and a long label ran into its value box. Every
    value is drawn whole (wrapped, never cut), and no two texts overlap, and each value stays inside its box."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from helpers.course import plots

    for fields, values in _demo_forms():
        ax = plots.console_form(fields, values, "form")
        figure = ax.figure
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        texts = [t for t in ax.texts if t.get_text().strip() and t.get_text() != "▾"]
        drawn = "".join(t.get_text() for t in texts).replace(" ", "")
        for value in values.values():
            shown = (", ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else str(value))
            assert shown.replace(" ", "") in drawn, f"{shown} is not drawn whole"
        assert "…" not in drawn
        boxes = [(t, t.get_window_extent(renderer)) for t in texts]
        for n, (first, a) in enumerate(boxes):
            for second, b in boxes[n + 1:]:
                assert not a.overlaps(b), f"{first.get_text()!r} overlaps {second.get_text()!r}"
        fields_boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, Rectangle)]
        for text, box in boxes:
            if text.get_position()[0] > 4:  # a value, drawn in a field's box
                assert any(f.x0 <= box.x0 and box.x1 <= f.x1 for f in fields_boxes), f"{text.get_text()!r} spills"
        plt.close(figure)
