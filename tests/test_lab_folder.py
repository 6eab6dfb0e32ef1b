"""`make lab`'s folder: the exercises first, the solved notebooks one click away."""

import re
from pathlib import Path

from jupyter_server.services.contents.filemanager import FileContentsManager

REPO = Path(__file__).resolve().parent.parent
LAB = REPO / "lab"


def test_make_lab_serves_the_lab_folder():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lab:.*\n\t(.*)$", makefile, re.MULTILINE).group(1)
    assert "--ServerApp.root_dir=lab " in recipe + " "


def test_the_exercises_come_first_and_the_solutions_sit_beside_them():
    listing = FileContentsManager(root_dir=str(LAB)).get("", content=True)["content"]
    folders = sorted(item["name"] for item in listing if item["type"] == "directory")
    assert folders == ["exercises", "solutions"]  # alphabetical: what JupyterLab lists first
    assert (LAB / "exercises").resolve() == REPO / "course" / "release"
    assert (LAB / "solutions").resolve() == REPO / "notebooks"


def test_jupyter_opens_an_exercise_unsolved_and_its_solution_solved():
    contents = FileContentsManager(root_dir=str(LAB))
    released = sorted(p.name for p in (REPO / "course" / "release").iterdir() if p.is_dir())
    assert released, "course/release/ is empty: run `make exercises`"
    for name in released:
        exercise = contents.get(f"exercises/{name}/{name}.ipynb")["content"]
        solution = contents.get(f"solutions/{name}.ipynb")["content"]
        exercise_code = "".join(c["source"] for c in exercise["cells"] if c["cell_type"] == "code")
        solution_code = "".join(c["source"] for c in solution["cells"] if c["cell_type"] == "code")
        assert "raise NotImplementedError()" in exercise_code, name
        assert "### BEGIN SOLUTION" in solution_code, name
