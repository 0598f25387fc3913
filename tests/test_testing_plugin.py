"""The pytest fixtures for a learner's own code (helpers/course/testing.py): the README's example test, run as a learner runs
it (a file of their own, outside the kit, `pytest` of the course's environment), passes."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MORE_TESTS = textwrap.dedent('''

    def test_the_fixtures_are_an_account_as_studio_shows_it(offline_session, offline_role, offline_bucket, course_model):
        import sagemaker

        assert sagemaker.get_execution_role(offline_session) == offline_role
        assert offline_bucket == offline_session.default_bucket()
        model = offline_session.sagemaker_client.describe_model(ModelName=course_model.name)
        assert model["PrimaryContainer"]["ModelDataUrl"] == course_model.model_data


    def test_each_test_has_its_own_prefix(offline_prefix):
        assert offline_prefix == "tests/test_each_test_has_its_own_prefix"
''')


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("**Test your own code.**"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_test_passes_with_the_installed_plugin(tmp_path):
    (tmp_path / "test_my_pipeline.py").write_text(readme_example() + MORE_TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_pipeline.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout, done.stdout[-2000:]
