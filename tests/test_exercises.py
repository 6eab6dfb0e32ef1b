"""The nbgrader assignments: the committed release never drifts, and autograding works.

course/release/ must be exactly what `make exercises` generates from the solved notebooks
now. nbgrader's autograde, run for real, gives a submission with the solutions full marks
and one with a typical mistake planted in every exercise no marks, with the check's
explanation in the graded cell.

Each submission ends at its last graded cell, as a learner's who hands in once the exercise
passes: what comes after it grades nothing, and strict nbval runs it already (`make nbval`).
The solutions are graded from their stored outputs, which strict nbval reproduces by running
them; only the planted mistakes need nbgrader to run them again.
"""

import csv
import importlib.util
import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"
SOLUTION = re.compile(r"^( *)### BEGIN SOLUTION\n(.*?)^ *### END SOLUTION\n?", re.S | re.M)

#: A typical mistake for each exercise, by the grade_id of its solution cell: the body
#: a learner could have written between BEGIN and END SOLUTION.
PLANTED = {
    "my_softmax": "ez = np.exp(z)\nreturn ez / np.sum(ez)",  # the textbook version
    "my_cost": "m = len(y)\nreturn -np.mean(np.log(A[np.arange(m), y]))",  # not clipped
    "preferred_output_and_loss": (  # the obvious model's last layer and loss
        'return (keras.layers.Dense(NUM_CLASSES, activation="softmax"),\n'
        "        keras.losses.SparseCategoricalCrossentropy())"
    ),
    "classify": (  # W1 @ x: the rows of W1 taken as the units
        "h = np.maximum(0, W1 @ x + b1)\nreturn int(np.argmax(h @ W2 + b2))"
    ),
    "compute_gradient": (  # the targets not subtracted
        "A = softmax(predict_logits(X, W, b))\nreturn X.T @ A / len(y), A.sum(axis=0) / len(y)"
    ),
    "exact_loss": (  # clipped as Keras' probability loss clips
        "a = np.exp(Z - Z.max(axis=1, keepdims=True))\na /= a.sum(axis=1, keepdims=True)\n"
        "return -np.mean(np.log(np.clip(a[np.arange(len(y)), y], 1e-7, 1)))"
    ),
    "my_ece": (  # every bin counts the same, whatever it holds
        "confidence, correct = P.max(axis=1), P.argmax(axis=1) == y\n"
        "edges = np.linspace(0, 1, n_bins + 1)\n"
        "gaps = [abs(correct[b].mean() - confidence[b].mean())\n"
        "        for b in ((confidence > lo) & (confidence <= hi)\n"
        "                  for lo, hi in zip(edges[:-1], edges[1:], strict=True)) if b.any()]\n"
        "return float(np.mean(gaps))"
    ),
}


def load_generator():
    spec = importlib.util.spec_from_file_location("course_generate", COURSE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = load_generator()
ASSIGNMENTS = generator.assignments()


def is_nbgrader(cell, kind):
    return cell.metadata.get("nbgrader", {}).get(kind, False)


def nbgrader_cells(nb, kind):
    return [cell for cell in nb.cells if is_nbgrader(cell, kind)]


def solved(name):
    return nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)


@pytest.fixture(scope="module")
def fresh_course(tmp_path_factory):
    """A course directory where the generator has just run, with its own gradebook."""
    course_dir = tmp_path_factory.mktemp("course")
    (course_dir / "nbgrader_config.py").write_bytes((COURSE / "nbgrader_config.py").read_bytes())
    assert generator.generate(course_dir) == ASSIGNMENTS
    return course_dir


def files_under(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


# --- the release ---------------------------------------------------------------------------


def test_notebooks_with_exercises_include_at_least_notebook_01():
    assert "01_softmax_function" in ASSIGNMENTS


def test_every_source_links_to_its_solved_notebook():
    linked = sorted(p.name for p in (COURSE / "source").iterdir())
    assert linked == ASSIGNMENTS, "run `make exercises` to link the new notebooks"
    for name in ASSIGNMENTS:
        link = COURSE / "source" / name / f"{name}.ipynb"
        assert link.is_symlink(), f"{link} must link to notebooks/, the only copy"
        assert link.resolve() == (REPO / "notebooks" / f"{name}.ipynb").resolve()


def test_the_committed_release_is_what_the_generator_makes_now(fresh_course):
    # nbgrader writes nothing volatile here (no timestamps; the checksums derive from the
    # source cells), so the comparison is byte for byte.
    fresh, committed = fresh_course / "release", COURSE / "release"
    assert files_under(committed) == files_under(fresh), "run `make exercises`"
    for path in files_under(fresh):
        assert (committed / path).read_bytes() == (fresh / path).read_bytes(), (
            f"course/release/{path} drifted from its solved notebook: run `make exercises`"
        )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_release_holds_placeholders_and_locked_checks(name):
    released = nbformat.read(COURSE / "release" / name / f"{name}.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in released.cells), "outputs must be cleared"
    solutions = nbgrader_cells(released, "solution")
    assert solutions, f"{name} has no exercise"
    for cell in solutions:
        assert "raise NotImplementedError()" in cell.source
        assert "BEGIN SOLUTION" not in cell.source
    for cell in nbgrader_cells(released, "grade"):
        assert cell.metadata.nbgrader["locked"] and cell.metadata.nbgrader["points"] > 0
        assert re.search(r"check_\w+\(.*strict=True\)", cell.source), cell.source


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_solution_is_removed_from_the_release(name):
    released = nbformat.read(COURSE / "release" / name / f"{name}.ipynb", as_version=4)
    placeholders = {
        cell.metadata.nbgrader["grade_id"]: cell.source
        for cell in nbgrader_cells(released, "solution")
    }
    for cell in nbgrader_cells(solved(name), "solution"):
        placeholder = placeholders[cell.metadata.nbgrader["grade_id"]]
        for _, body in SOLUTION.findall(cell.source):
            for line in body.strip().splitlines():
                assert line.strip() not in placeholder, line


# --- autograding ---------------------------------------------------------------------------


def up_to_the_last_graded_cell(nb):
    """`nb` without the cells after its last graded one."""
    graded = [i for i, cell in enumerate(nb.cells) if is_nbgrader(cell, "grade")]
    nb.cells = nb.cells[: max(graded) + 1]
    return nb


def submission(name, planted):
    """The solved notebook as a learner would hand it in: the solutions, or planted mistakes."""
    nb = up_to_the_last_graded_cell(solved(name))
    for cell in nbgrader_cells(nb, "solution"):
        body = PLANTED[cell.metadata.nbgrader["grade_id"]] if planted else None

        def fill(match, body=body):
            indent, solution = match.group(1), match.group(2)
            if body is None:
                return solution
            return "".join(f"{indent}{line}\n" for line in body.splitlines())

        cell.source = SOLUTION.sub(fill, cell.source).rstrip("\n")
        if planted:
            cell.outputs = []
    return nb


def grades(course_dir):
    """{(assignment, student): (score, max_score)} from nbgrader's gradebook."""
    generator.nbgrader(course_dir, "export", "--to=grades.csv")
    with open(course_dir / "grades.csv", newline="") as table:
        return {
            (row["assignment"], row["student_id"]): (float(row["score"]), float(row["max_score"]))
            for row in csv.DictReader(table)
        }


@pytest.fixture(scope="module")
def autograded(fresh_course):
    """Every assignment autograded for a learner who solved it and one with planted mistakes.

    Each learner is graded in a copy of the course: the solver's keeps the stored outputs
    (nbgrader neither clears nor runs them), the planted mistakes' runs every notebook.
    """
    courses = {}
    for student, planted in (("solver", False), ("planted", True)):
        course_dir = courses[student] = fresh_course.with_name(f"{fresh_course.name}-{student}")
        shutil.copytree(fresh_course, course_dir)
        if not planted:
            with open(course_dir / "nbgrader_config.py", "a") as config:
                config.write("c.ClearOutput.enabled = False\nc.Execute.enabled = False\n")
        for name in ASSIGNMENTS:
            path = course_dir / "submitted" / student / name / f"{name}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(submission(name, planted), path)
    with ThreadPoolExecutor(len(courses)) as pool:
        list(
            pool.map(lambda d: generator.nbgrader(d, "autograde", "*", "--force"), courses.values())
        )
    return courses, {key: value for d in courses.values() for key, value in grades(d).items()}


def test_every_exercise_has_a_planted_mistake():
    for name in ASSIGNMENTS:
        for cell in nbgrader_cells(solved(name), "solution"):
            assert cell.metadata.nbgrader["grade_id"] in PLANTED, cell.source


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograde_gives_the_solution_full_marks(autograded, name):
    points = sum(cell.metadata.nbgrader["points"] for cell in nbgrader_cells(solved(name), "grade"))
    score, max_score = autograded[1][(name, "solver")]
    assert max_score == points
    assert score == max_score


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_autograde_gives_planted_mistakes_no_marks_and_explains_them(autograded, name):
    courses, scores = autograded
    assert scores[(name, "planted")][0] == 0
    graded = courses["planted"] / "autograded" / "planted" / name / f"{name}.ipynb"
    graded = nbformat.read(graded, as_version=4)
    for cell in nbgrader_cells(graded, "grade"):
        printed = "".join(out.get("text", "") for out in cell.outputs)
        assert "\u2717" in printed and "Hint:" in printed, printed
        assert any(
            out.output_type == "error" and out.ename == "AssertionError" for out in cell.outputs
        )
