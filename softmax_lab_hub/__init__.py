"""The class hub of softmax-lab, as installed code (`pip install ".[hub]"`): what
deploy/jupyterhub_config.py selects and the instructor runs.

- `authenticator`: ClassAuthenticator, selected by name (`authenticator_class =
  "softmax-lab"`): one-time codes, then passwords, throttled guesses;
- `logins`: the logins file of bcrypt hashes it reads and `admin` writes;
  `throttle`: failures counted in a sliding window;
- `admin`: the instructor's command, `softmax-lab-class` (logins, collect, grade, return);
- `grading`: collect, autograde (nbgrader, unprivileged) and return one assignment;
- `spawning`: each learner's server as it starts (the pre_spawn_hook);
  `accounts`: their unix accounts; `handout`: their copy of the notebooks;
  `learner_files`: files in a learner's home, read and written by root without
  following a path the learner controls;
- `serving`: where the hub listens, and what it refuses to serve in clear;
- `suite`: the checkout the hub serves.

Imports point one way, and the hub imports none of admin's: admin -> grading, accounts,
logins, suite; authenticator -> logins, throttle; spawning -> handout, accounts, suite; grading ->
handout, learner_files; logins -> accounts -> learner_files; handout -> learner_files.
"""
