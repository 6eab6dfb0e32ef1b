"""`make exercises`: regenerate the learners' notebooks in course/release/ with nbgrader.

Every notebook in notebooks/ that has nbgrader cells is one assignment, named after the
notebook. course/source/<name>/<name>.ipynb is a relative symlink to the solved notebook,
so notebooks/ stays the only copy (nbgrader's formgrader edits it in place). nbgrader's
`generate_assignment` then writes course/release/<name>/<name>.ipynb: solutions replaced
by `raise NotImplementedError()`, outputs cleared, test cells locked.

    python course/generate.py [--course-dir DIR]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
COURSE = REPO / "course"


def has_exercises(notebook):
    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    return any("nbgrader" in cell.get("metadata", {}) for cell in cells)


def assignments(notebooks=NOTEBOOKS):
    """Names of the notebooks with nbgrader cells: one assignment each."""
    return [nb.stem for nb in sorted(Path(notebooks).glob("*.ipynb")) if has_exercises(nb)]


def link_sources(course_dir, names, notebooks=NOTEBOOKS):
    """Point course_dir/source/<name>/<name>.ipynb at each solved notebook; drop stale links."""
    source = Path(course_dir) / "source"
    if source.exists():
        for folder in source.iterdir():
            if folder.name not in names:
                shutil.rmtree(folder)
    for name in names:
        link = source / name / f"{name}.ipynb"
        link.parent.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(Path(notebooks) / f"{name}.ipynb", link.parent)
        if link.is_symlink() and os.readlink(link) == target:
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(target)


def nbgrader(course_dir, *args):
    """Run the nbgrader command line of this environment in course_dir."""
    env = dict(os.environ)
    # nbgrader runs `alembic` (its database migrations) by name: it must be on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=course_dir,
        env=env,
        check=True,
    )


def generate(course_dir=COURSE, notebooks=NOTEBOOKS):
    """Regenerate course_dir/release/ from the solved notebooks; return the assignment names."""
    names = assignments(notebooks)
    link_sources(course_dir, names, notebooks)
    shutil.rmtree(Path(course_dir) / "release", ignore_errors=True)
    if names:  # one nbgrader run for all: each run spends seconds starting up
        nbgrader(course_dir, "generate_assignment", "*", "--force")
    return names


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-dir", type=Path, default=COURSE)
    names = generate(parser.parse_args().course_dir)
    print(f"released {len(names)} assignment(s): {', '.join(names)}")
