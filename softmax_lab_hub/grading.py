"""Collect, autograde and return one assignment for the class hub, with nbgrader and
without its exchange directory (which every learner would have to be able to write).

The hub already hands each learner the assignment (the nbgrader release) in their own
home, `~/softmax-lab/notebooks/<assignment>.ipynb`. Then, as root on the class machine
(`softmax-lab-class collect|grade|return ASSIGNMENT`):

1. collect: each learner's copy, read from their home without following a path they
   control (softmax_lab_hub.learner_files), goes to nbgrader's
   `<course>/submitted/<name>/<assignment>/`;
2. grade: `nbgrader generate_assignment`, `autograde` and `generate_feedback` run as the
   unprivileged grading account, never as root: autograding runs the learners' code;
3. return: each learner's feedback goes into their own home,
   `~/softmax-lab/feedback/<assignment>/<assignment>.html`, where only they can read it.

The course directory belongs to the grading account and nobody else may enter it (it
holds the solutions and every submission). Root writes into it as into a home: by
descriptor, checking each directory is the grading account's own, because the learners'
code that autograde runs could plant links there.
"""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .handout import LEARNER_NOTEBOOKS
from .learner_files import read_learners_file, write_learners_file

NOTEBOOKS_IN_HOME = LEARNER_NOTEBOOKS.parts
FEEDBACK_IN_HOME = ("softmax-lab", "feedback")
COURSE_DIR_MODE = 0o700


@dataclass
class Account:
    """A unix account's home and ids (uid None: files are not checked or given to it)."""

    home: Path
    uid: int | None = None
    gid: int | None = None


def prepare_course(course_dir, grader, assignment, suite):
    """The course directory of `grader`'s, with nbgrader's config and `assignment`'s source
    (the solved notebook of `suite`)."""
    course_dir = Path(course_dir)
    if not course_dir.exists():
        course_dir.mkdir(mode=COURSE_DIR_MODE, parents=True)
        if grader.uid is not None:
            os.chown(course_dir, grader.uid, grader.gid)
    os.chmod(course_dir, COURSE_DIR_MODE)
    solved = suite.notebooks / f"{assignment}.ipynb"
    for parts, source in [
        (("nbgrader_config.py",), suite.nbgrader_config),
        (("source", assignment, solved.name), solved),
    ]:
        data = source.read_bytes()
        if not write_learners_file(course_dir, parts, data, grader.uid, grader.gid):
            raise RuntimeError(f"{course_dir}: {'/'.join(parts)} is not the grader's own")


def collect(course_dir, grader, assignment, learners):
    """Copy each learner's `assignment` from their home into nbgrader's submitted/.
    Returns {name: True if collected, False if missing or refused}."""
    collected = {}
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()).encode()
    for name, learner in sorted(learners.items()):
        notebook = read_learners_file(
            learner.home, (*NOTEBOOKS_IN_HOME, f"{assignment}.ipynb"), learner.uid
        )
        collected[name] = notebook is not None and all(
            write_learners_file(
                course_dir, ("submitted", name, assignment, file), data, grader.uid, grader.gid
            )
            for file, data in [(f"{assignment}.ipynb", notebook), ("timestamp.txt", stamp)]
        )
    return collected


def nbgrader(course_dir, grader, *args):
    """Run nbgrader in `course_dir` as `grader` (with nothing of root's: no groups, an
    environment of its own)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin:/bin",
        "HOME": str(course_dir),
        "MPLCONFIGDIR": str(Path(course_dir, ".matplotlib")),
        "JUPYTER_RUNTIME_DIR": str(Path(course_dir, ".runtime")),
    }
    if "PYTHONPATH" in os.environ:  # a checkout's own lab_utils, as in its tests
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    as_grader = (
        {} if grader.uid is None else {"user": grader.uid, "group": grader.gid, "extra_groups": []}
    )
    subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=course_dir,
        env=env,
        check=True,
        **as_grader,
    )


def grade(course_dir, grader, assignment, suite):
    """Autograde every submission of `assignment` of `suite` and write its feedback;
    returns {name: (score, max_score)}."""
    prepare_course(course_dir, grader, assignment, suite)
    for step in ["generate_assignment", "autograde", "generate_feedback"]:
        nbgrader(course_dir, grader, step, assignment, "--force")
    return scores(course_dir, assignment)


def scores(course_dir, assignment):
    # nbgrader is the `instructor` extra's: the hub and the login commands run without it
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course_dir) / 'gradebook.db'}") as gradebook:
        return {
            submission.student_id: (submission.score, submission.max_score)
            for submission in gradebook.assignment_submissions(assignment)
        }


def return_feedback(course_dir, grader, assignment, learners):
    """Put each learner's feedback on `assignment` into their own home. Returns {name:
    True if returned, False if there was none or the learner's home was in the way}."""
    returned = {}
    for name, learner in sorted(learners.items()):
        page = f"{assignment}.html"
        feedback = read_learners_file(course_dir, ("feedback", name, assignment, page), grader.uid)
        returned[name] = feedback is not None and write_learners_file(
            learner.home, (*FEEDBACK_IN_HOME, assignment, page), feedback, learner.uid, learner.gid
        )
    return returned
