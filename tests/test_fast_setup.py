"""The setup cell's deferred rfc3987-syntax import (helpers/connection/fast_setup.py): jsonschema still checks IRIs, later."""
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("rfc3987_syntax")  # installed by JupyterLab's jupyter-events (jsonschema[format-nongpl])


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_jsonschema_no_longer_builds_the_iri_grammars_yet_iri_checks_still_work():
    out = _run("""
        import sys
        from helpers.connection import fast_setup
        assert fast_setup.defer_iri_grammars()
        import jsonschema
        print(type(sys.modules["rfc3987_syntax"]).__name__, "lark" in sys.modules)
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        v = jsonschema.Draft202012Validator({"format": "iri"}, format_checker=checker)
        print(v.is_valid("https://example.com/préfixe"), v.is_valid("no scheme here"), "lark" in sys.modules)
    """)
    assert out.splitlines() == ["_DeferredIriSyntax False", "True False True"]


def test_the_same_answers_as_without_the_stand_in():
    check = """
        import jsonschema
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        values = ["https://example.com/a?b#c", "urn:isbn:0451450523", "relative/path", "http://[::1]:80/", ":bad"]
        for fmt in ("iri", "iri-reference"):
            v = jsonschema.Draft202012Validator({"format": fmt}, format_checker=checker)
            print(fmt, [v.is_valid(x) for x in values])
    """
    deferred = _run("from helpers.connection import fast_setup; fast_setup.defer_iri_grammars()\n" + textwrap.dedent(check))
    assert deferred == _run(check)


def test_a_second_setup_cell_in_the_same_kernel_changes_nothing():
    out = _run("""
        from helpers.connection import fast_setup
        import jsonschema
        print(fast_setup.defer_iri_grammars())
    """)
    assert out == "False"


def test_the_setup_cell_restores_the_collector_and_freezes_what_it_loaded():
    out = _run("""
        import gc
        import helpers
        helpers.connect("offline", quiet=True)
        first = gc.get_freeze_count()
        print(gc.isenabled(), first > 100_000)
        helpers.connect("offline", quiet=True)  # Run All twice: unfrozen, then frozen again
        print(gc.isenabled(), gc.get_freeze_count() >= first)
        gc.disable()
        try:
            helpers.connect("nowhere")
        except helpers.CourseSetupError:
            pass
        print(gc.isenabled())  # a learner's choice to keep it off is kept, error or not
    """)
    assert out.splitlines() == ["True True", "True True", "False"]
