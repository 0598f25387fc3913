"""Writes the table of docs/offline-runtime.md, "Which SageMaker APIs run offline", from sagemaker_offline/api_support.py
(tests/test_api_support.py fails when the two differ): .venv/bin/python tools/api_table.py"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "offline-runtime.md"
BEGIN, END = "<!-- api-table: begin (tools/api_table.py) -->", "<!-- api-table: end -->"


def current_table(text: str) -> str:
    match = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    return match.group(1) if match else ""


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from sagemaker_offline.api_support import table_markdown

    text = DOC.read_text()
    if BEGIN not in text:
        raise SystemExit(f"{DOC} has no {BEGIN} marker")
    DOC.write_text(text.replace(current_table(text), table_markdown(), 1) if current_table(text)
                   else text.replace(BEGIN + "\n" + END, BEGIN + "\n" + table_markdown() + "\n" + END))
    print(f"wrote the API table into {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
