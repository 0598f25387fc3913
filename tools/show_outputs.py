"""Print a notebook's code cells with their text outputs, for reviewing committed outputs in a terminal."""
import sys

import nbformat

for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        print(f"--- [{cell.execution_count}] {cell.source.splitlines()[0] if cell.source else ''}")
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                print(f"({output.name})", output.text[:1500])
            elif output.output_type == "error":
                print("ERROR", output.ename, output.evalue[:500])
            elif "text/plain" in output.get("data", {}):
                print(output["data"]["text/plain"][:800])
            if "image/png" in output.get("data", {}):
                print("<figure>")
