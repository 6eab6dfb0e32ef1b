"""The checkout of softmax-lab the hub serves: where the notebooks, their exercise
versions and nbgrader's files are, and what learners must not read."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Suite:
    """A checkout of the suite at `root` (deploy/jupyterhub_config.py passes its own)."""

    root: Path

    @property
    def notebooks(self):
        """The solved notebooks."""
        return Path(self.root, "notebooks")

    @property
    def release(self):
        """nbgrader's release: each notebook with exercises, its solutions taken out."""
        return Path(self.root, "course", "release")

    @property
    def nbgrader_config(self):
        return Path(self.root, "course", "nbgrader_config.py")

    @property
    def solutions(self):
        """What learners must not read: the solved notebooks, nbgrader's sources, the history."""
        return [self.notebooks, Path(self.root, "course", "source"), Path(self.root, ".git")]
