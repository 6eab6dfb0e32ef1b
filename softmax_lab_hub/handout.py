"""The hand-out: each learner's own copy of the notebooks, in their home.

It runs as root in a home the learner controls: softmax_lab_hub.learner_files opens every
directory by file descriptor, never through a symlink, and only ever creates files.
"""

import logging
import os
import shutil
from pathlib import Path

from .learner_files import CREATE_FILE, learners_dir

log = logging.getLogger("JupyterHub")

#: Where each learner's copy of the notebooks is, in their home.
LEARNER_NOTEBOOKS = Path("softmax-lab", "notebooks")
#: "exercises": a notebook with exercises is handed out as its nbgrader release (each
#: solution replaced by `raise NotImplementedError()`); "solved": notebooks/ as it is.
HAND_OUTS = ("exercises", "solved")


def handout(notebook, suite, hand_out="exercises"):
    """The file a learner gets for `notebook` of `suite`: its exercise version, if it has
    one and `hand_out` is "exercises"."""
    if hand_out not in HAND_OUTS:
        raise ValueError(f'hand_out must be "exercises" or "solved", not {hand_out!r}')
    exercises = suite.release / notebook.stem / notebook.name
    return exercises if hand_out == "exercises" and exercises.exists() else notebook


def copy_missing_notebooks(home, suite, uid=None, gid=None, hand_out="exercises"):
    """Copy into `home`/softmax-lab/notebooks each notebook of `suite` the learner does not
    have yet, as files of `uid`'s. Returns the paths copied.

    A learner's own edits are never overwritten; notebooks added to the suite later
    still reach them at their next server start. Whatever the learner put in the way
    (a symlink, a file) is left alone, and nothing is copied past it.
    """
    target = Path(home) / LEARNER_NOTEBOOKS
    with learners_dir(home, LEARNER_NOTEBOOKS.parts, uid, gid) as fd:
        if fd is None:
            log.warning(
                "not handing out notebooks: %s is not a directory of the learner's own all the way",
                target,
            )
            return []
        copied = []
        for notebook in sorted(suite.notebooks.glob("*.ipynb")):
            try:
                out = os.open(notebook.name, CREATE_FILE, 0o644, dir_fd=fd)
            except FileExistsError:
                continue
            with open(out, "wb") as copy, open(handout(notebook, suite, hand_out), "rb") as source:
                if uid is not None:
                    os.fchown(out, uid, gid)
                shutil.copyfileobj(source, copy)
            copied.append(target / notebook.name)
        return copied
