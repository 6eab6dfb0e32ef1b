"""The instructor's command for the class hub: logins, and assignments to collect and grade.

Logins are kept as hashes (softmax_lab_hub.logins); collect, grade and return are
softmax_lab_hub.grading's.

    softmax-lab-class instructor --init           # first install: the logins file
    softmax-lab-class instructor                  # a new instructor password, printed once
    softmax-lab-class codes --roster roster.txt   # a one-time code for each new learner
    softmax-lab-class codes --reset ada           # a new code for a learner who lost theirs
    softmax-lab-class remove ada                  # ada can no longer log in
    softmax-lab-class remove --purge ada          # ... and her unix account and home go
    softmax-lab-class collect 01_softmax_function # every learner's copy, into nbgrader
    softmax-lab-class grade 01_softmax_function   # autograde + feedback, unprivileged
    softmax-lab-class return 01_softmax_function  # each learner's feedback into their home

Each secret is printed once and only its bcrypt hash is stored, in the logins file
(SOFTMAX_LAB_LOGINS, by default /var/lib/jupyterhub/logins.json, the hub's state
directory). The hub reads that file at every login: no restart is needed. collect, grade
and return read the suite's notebooks from SOFTMAX_LAB_SUITE (by default /opt/softmax-lab,
the checkout deploy/jupyterhub.service runs), or `--suite DIR`.

A new instructor password, `codes --reset` and `remove` also end the sessions of those
names at once: their cookies and API tokens stop working and their server is stopped
(through the hub's API, with the token the hub keeps in CLASS_ADMIN_TOKEN; if the hub is
not running, the hub refuses those sessions at their next use anyway).
"""

import argparse
import os
import pwd
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from . import grading
from .accounts import NO_LOGIN_SHELL, USERADD, delete_unix_user, unix_name
from .logins import (
    INSTRUCTOR,
    NAME,
    Logins,
    admin_token_path,
    logins_path,
    new_secret,
    private_file,
    read_roster,
)
from .suite import Suite

#: The hub's own API, on loopback (JupyterHub's default hub_bind_url).
DEFAULT_HUB_API = "http://127.0.0.1:8081/hub/api"
PASSWORD_LENGTH = 20
#: nbgrader's course directory on the class machine, and the account that grades in it.
DEFAULT_COURSE_DIR = "/var/lib/softmax-lab-grading"
GRADER = "softmax-lab-grader"
#: The checkout the hub serves (deploy/jupyterhub.service).
DEFAULT_SUITE = "/opt/softmax-lab"


def logins_file():
    return Logins(logins_path())


def check_name(name):
    if not NAME.fullmatch(name):
        raise ValueError(f"learner name {name!r} must match {NAME.pattern} (lowercase)")
    if name == INSTRUCTOR:
        raise ValueError(f"{INSTRUCTOR!r} is the instructor's account, not a learner's")
    return name


def set_instructor_password(logins, init=False):
    """A new random password for the instructor account; returns it."""
    password = new_secret(PASSWORD_LENGTH)
    logins.set_password(INSTRUCTOR, password, create=init)
    return password


def issue_codes(logins, names, reset=False):
    """{name: code} for each of `names` that has no login yet (every one, if `reset`)."""
    for name in names:
        check_name(name)
    known = logins.read()
    return {name: logins.issue_code(name) for name in sorted(names) if reset or name not in known}


def remove(logins, names):
    """Forget the logins of `names`; returns those that had one."""
    with logins.editing() as entries:
        return sorted(name for name in names if entries.pop(name, None) is not None)


def end_sessions(logins, names, hub_api=None):
    """Delete `names` from the running hub: their server stops, their cookies and tokens
    stop working (the hub makes the user anew at their next login). Returns a message."""
    hub_api = hub_api or os.environ.get("SOFTMAX_LAB_HUB_API", DEFAULT_HUB_API)
    token_path = admin_token_path(logins.path)
    if not token_path.exists():
        return f"no {token_path} (has the hub ever run?): sessions end at their next use"
    token = private_file(token_path)
    ended = []
    for name in sorted(names):
        request = urllib.request.Request(
            f"{hub_api}/users/{name}", method="DELETE", headers={"Authorization": f"token {token}"}
        )
        try:
            urllib.request.urlopen(request, timeout=120).close()
            ended.append(name)
        except urllib.error.HTTPError as err:
            if err.code != 404:  # 404: never logged in, nothing to end
                raise
        except urllib.error.URLError as err:
            return f"the hub is not answering ({err.reason}): sessions end at their next use"
    return f"sessions ended: {', '.join(ended) or 'none were open'}"


def purge_accounts(names):
    """Delete the unix accounts and homes of `names` (the next learner given one of these
    names starts afresh). Returns the accounts deleted."""
    accounts = [unix_name(check_name(name)) for name in sorted(names)]
    return [account for account in accounts if delete_unix_user(account)]


def learner_accounts(logins):
    """{name: Account} of every learner in the logins file who has a unix account."""
    accounts = {}
    for name in sorted(set(logins.read()) - {INSTRUCTOR}):
        try:
            entry = pwd.getpwnam(unix_name(name))
        except KeyError:
            continue  # never started a server: nothing to collect, nowhere to return
        accounts[name] = grading.Account(Path(entry.pw_dir), entry.pw_uid, entry.pw_gid)
    return accounts


def grader_account(course_dir):
    """The unprivileged account nbgrader grades as (made if missing: no login, no home)."""
    try:
        entry = pwd.getpwnam(GRADER)
    except KeyError:
        subprocess.run(
            [
                USERADD,
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                str(course_dir),
                "--shell",
                NO_LOGIN_SHELL,
                GRADER,
            ],
            check=True,
        )
        entry = pwd.getpwnam(GRADER)
    return grading.Account(Path(course_dir), entry.pw_uid, entry.pw_gid)


def grading_step(command, assignment, logins, course_dir, suite):
    """collect, grade or return `assignment` of `suite`: the lines to print."""
    grader = grader_account(course_dir)
    if command == "grade":
        scores = grading.grade(course_dir, grader, assignment, suite)
        return [
            f"  {name}  {score:g} / {max_score:g}"
            for name, (score, max_score) in sorted(scores.items())
        ]
    learners = learner_accounts(logins)
    if command == "collect":
        grading.prepare_course(course_dir, grader, assignment, suite)
        done = grading.collect(course_dir, grader, assignment, learners)
    else:
        done = grading.return_feedback(course_dir, grader, assignment, learners)
    return [
        f"  {name}  {'yes' if ok else 'nothing (missing, or not a file of their own)'}"
        for name, ok in done.items()
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    instructor = commands.add_parser(
        "instructor", help="set a new random instructor password; print it"
    )
    instructor.add_argument(
        "--init", action="store_true", help="create the logins file (first install only)"
    )
    codes = commands.add_parser("codes", help="one-time codes for learners; print them")
    codes.add_argument("names", nargs="*", help="learner names")
    codes.add_argument("--roster", type=Path, help="a file of learner names, one a line")
    codes.add_argument(
        "--reset", action="store_true", help="issue new codes even for learners who have a password"
    )
    removing = commands.add_parser("remove", help="forget learners' logins")
    removing.add_argument("names", nargs="+", help="learner names")
    removing.add_argument(
        "--purge", action="store_true", help="also delete their unix accounts and homes"
    )
    for command, text in [
        ("collect", "collect every learner's copy of an assignment"),
        ("grade", "autograde an assignment and make the feedback"),
        ("return", "put each learner's feedback into their home"),
    ]:
        step = commands.add_parser(command, help=text)
        step.add_argument("assignment", help="e.g. 01_softmax_function")
        step.add_argument("--course-dir", type=Path, default=Path(DEFAULT_COURSE_DIR))
        step.add_argument(
            "--suite",
            type=Path,
            default=Path(os.environ.get("SOFTMAX_LAB_SUITE", DEFAULT_SUITE)),
            help="the checkout the hub serves (default: %(default)s)",
        )
    args = parser.parse_args(argv)
    logins = logins_file()
    if args.command == "instructor" and args.init and logins.exists():
        parser.error(f"{logins.path} exists already: leave out --init for a new password")
    if args.command != "instructor" or not args.init:
        logins.read()  # a missing or corrupt file stops here, before anything is written
    if args.command in ("collect", "grade", "return"):
        print(f"{args.command} {args.assignment}:")
        print(
            "\n".join(
                grading_step(
                    args.command, args.assignment, logins, args.course_dir, Suite(args.suite)
                )
            )
        )
        return 0
    if args.command == "remove":
        removed = remove(logins, args.names)
        print(f"can no longer log in: {', '.join(removed) or 'nobody (no such login)'}")
        print(end_sessions(logins, removed))
        if args.purge:
            print(f"deleted: {', '.join(purge_accounts(args.names)) or 'no unix account'}")
        return 0
    if args.command == "instructor":
        password = set_instructor_password(logins, init=args.init)
        print(f"instructor password (shown once, only its hash is kept in {logins.path}):")
        print(f"  {INSTRUCTOR}  {password}")
        if not args.init:
            print(end_sessions(logins, [INSTRUCTOR]))
        return 0
    names = set(args.names) | (read_roster(args.roster) if args.roster else set())
    if not names:
        parser.error("name learners, or give --roster FILE")
    try:
        issued = issue_codes(logins, names, reset=args.reset)
    except ValueError as err:
        parser.error(str(err))
    skipped = sorted(names - issued.keys())
    if skipped:
        print(f"already have a login (use --reset for a new code): {', '.join(skipped)}")
    if issued:
        print("one-time codes (shown once; hand each learner theirs):")
        width = max(map(len, issued))
        for name, code in issued.items():
            print(f"  {name:<{width}}  {code}")
        if args.reset:
            print(end_sessions(logins, issued))
    return 0


if __name__ == "__main__":
    sys.exit(main())
