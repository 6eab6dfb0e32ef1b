"""nbgrader's configuration for the softmax-lab course (run nbgrader from this directory).

source/<name>/<name>.ipynb links to notebooks/<name>.ipynb, the solved notebook and the
only copy of it; release/ holds the learners' versions that `make exercises` generates.
"""

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "softmax-lab"
# Learners submit only the notebook; nothing else from the assignment folder is graded.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
# A notebook that trains models takes well over nbgrader's default 30 s per cell on a
# loaded class server; autograding must not fail a correct submission for being slow.
c.Execute.timeout = 600
