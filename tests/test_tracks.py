"""The two tracks (SDK v2 in notebooks/, SDK v3 in notebooks/sdk-v3/) teach the same course: every v2 course notebook
has a v3 sibling, their shared cells are one source (tools/tracks.py), and their outlines agree."""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import tracks  # noqa: E402


def test_the_two_tracks_agree():
    problems = tracks.check()
    assert not problems, "\n".join(problems)


def _pair(v3_heading="## Step 1. Train with `ModelTrainer`", v3_key_point="- The job writes `model.tar.gz`."):
    v2 = new_notebook(cells=[
        new_markdown_cell("# 1. Train", id="title"),
        new_markdown_cell("Read [the guide](../docs/glossary.md) and [notebook 2](02_batch_transform_sdk.ipynb).",
                          id="intro"),
        new_markdown_cell("## Step 1. Train with `Estimator`", id="step1"),
        new_markdown_cell("**Exercise 1.** Predict the `.out` name. Then run.", id="ex1"),
        new_markdown_cell("## Key points\n- The job writes `model.tar.gz`.\n", id="keys")])
    v3 = new_notebook(cells=[
        new_markdown_cell("# 1. Train (SDK v3)", id="t3"),
        new_markdown_cell("", id="i3", metadata={"course": {"from_v2": "intro"}}),
        new_markdown_cell(v3_heading, id="s3"),
        new_markdown_cell("**Exercise 1.** Predict the `.out` name. Then run.", id="e3"),
        new_markdown_cell(f"## Key points\n{v3_key_point}\n", id="k3")])
    tracks.refresh_shared_cells(v2, v3)
    return v2, v3


def test_outlines_compare_words_not_the_calls_in_backticks():
    v2, v3 = _pair()
    assert tracks.outline_differences(v2, v3) == []


def test_a_planted_difference_in_steps_or_key_points_fails():
    v2, v3 = _pair(v3_heading="## Step 1. Train a model with `ModelTrainer`")
    assert any(line.startswith("headings:") for line in tracks.outline_differences(v2, v3))
    v2, v3 = _pair(v3_key_point="- The job writes `model.tar.gz` to S3.")
    assert any(line.startswith("key points:") for line in tracks.outline_differences(v2, v3))


def test_a_shared_cell_is_generated_with_links_one_folder_down_and_a_hand_edit_is_reported():
    v2, v3 = _pair()
    shared = v3.cells[1]
    assert shared.source == ("Read [the guide](../../docs/glossary.md) and "
                             "[notebook 2](02_batch_transform_sdk.ipynb).")  # a course notebook: its v3 sibling
    shared.source += " Edited by hand."
    assert tracks.refresh_shared_cells(v2, v3, "v3") == ["v3 cell i3 differs from its v2 cell intro"]
    assert tracks.refresh_shared_cells(v2, v3, "v3") == []  # rewritten from the v2 cell


def test_a_code_span_that_looks_like_a_link_is_left_as_written():
    pattern = "The pattern `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}` and [the guide](../docs/glossary.md)."
    assert tracks.shared_source(pattern, None) == ("The pattern `[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}` and "
                                                   "[the guide](../../docs/glossary.md).")


def test_replacements_name_the_v3_calls_and_must_still_apply():
    assert tracks.shared_source("Train with `Estimator`.", {"`Estimator`": "`ModelTrainer`"}) == \
        "Train with `ModelTrainer`."
    v2, v3 = _pair()
    v3.cells[1].metadata["course"]["replace"] = {"`Estimator`": "`ModelTrainer`"}  # not in the shared v2 cell
    assert "does not occur" in tracks.refresh_shared_cells(v2, v3)[0]


def test_every_shared_cell_names_a_v2_cell_of_its_sibling():
    """A v3 cell pointing at a v2 cell id that was deleted is reported, never silently kept."""
    v2, v3 = _pair()
    v3.cells[1].metadata["course"]["from_v2"] = "no-such-cell"
    assert "is gone" in tracks.refresh_shared_cells(v2, v3)[0]
