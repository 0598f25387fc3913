"""The v3 track's offline speed against the v2 track's (`make bench`): each notebook and its v3 sibling run one after
the other, alternating, in their own environments (.venv, .venv-v3), on the same machine in the same minutes; prints
each pair's wall times and their ratio, which the course keeps at most 1.5 (issue: the v3 track as fast to take as
the v2 one). `--rounds N` runs each pair N times and keeps each notebook's fastest run.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.course.index import notebook_path, track_pairs  # noqa: E402

PYTHONS = {"v2": ROOT / ".venv" / "bin" / "python", "v3": ROOT / ".venv-v3" / "bin" / "python"}
LIMIT = 1.5


def seconds(track: str, notebook: Path) -> float:
    """One offline run of one notebook by tools/run_course.py in the track's environment: its reported wall time."""
    done = subprocess.run([str(PYTHONS[track]), str(ROOT / "tools" / "run_course.py"), "--jobs", "1", str(notebook)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    found = re.search(r"^ok\s+([\d.]+) s", done.stdout, re.M)
    if not found:
        raise SystemExit(f"{notebook.relative_to(ROOT)} failed in {track}:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
    return float(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="runs of each pair; the fastest of each is kept")
    parser.add_argument("names", nargs="*", help="only these notebooks (file names, e.g. 02_batch_transform_sdk.ipynb)")
    args = parser.parse_args()
    missing = [str(path) for path in PYTHONS.values() if not path.exists()]
    if missing:
        raise SystemExit(f"make bench needs both environments; missing {', '.join(missing)} (make .venv-v3/.installed)")
    pairs = [(v2, v3) for v2, v3 in track_pairs() if not args.names or Path(v2["file"]).name in args.names]
    print(f"{'notebook':42} {'v2 s':>6} {'v3 s':>6} {'v3/v2':>6}")
    worst = 0.0
    for v2, v3 in pairs:
        times = {"v2": [], "v3": []}
        for _ in range(args.rounds):
            for track, entry in (("v2", v2), ("v3", v3)):
                times[track].append(seconds(track, notebook_path(entry)))
        ratio = min(times["v3"]) / min(times["v2"])
        worst = max(worst, ratio)
        flag = "" if ratio <= LIMIT else f"  over {LIMIT}x"
        print(f"{Path(v2['file']).stem:42} {min(times['v2']):6.1f} {min(times['v3']):6.1f} {ratio:6.2f}{flag}",
              flush=True)
    print(f"Largest v3/v2 ratio: {worst:.2f} (the course keeps it at most {LIMIT}).")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
