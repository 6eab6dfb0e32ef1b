"""The instructor's logins for the class hub (deploy/class_logins.py keeps them as hashes).

    class_admin.py instructor                 # a new instructor password, printed once
    class_admin.py codes --roster roster.txt  # a one-time code for each new learner
    class_admin.py codes --reset ada          # a new code for a learner who lost theirs
    class_admin.py remove ada                 # ada can no longer log in

Each secret is printed once and only its bcrypt hash is stored, in the logins file
(SOFTMAX_LAB_LOGINS, by default /var/lib/jupyterhub/logins.json, the hub's state
directory). The hub reads that file at every login: no restart is needed.
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from class_logins import Logins, new_secret, read_roster  # noqa: E402

DEFAULT_LOGINS = "/var/lib/jupyterhub/logins.json"
INSTRUCTOR = "instructor"
#: JupyterHub lowercases names at login; a unix account `jupyter-<name>` must be valid too.
NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,23}$")
PASSWORD_LENGTH = 20


def logins_file():
    return Logins(os.environ.get("SOFTMAX_LAB_LOGINS", DEFAULT_LOGINS))


def check_name(name):
    if not NAME.match(name):
        raise ValueError(f"learner name {name!r} must match {NAME.pattern} (lowercase)")
    if name == INSTRUCTOR:
        raise ValueError(f"{INSTRUCTOR!r} is the instructor's account, not a learner's")
    return name


def set_instructor_password(logins):
    """A new random password for the instructor account; returns it."""
    password = new_secret(PASSWORD_LENGTH)
    logins.set_password(INSTRUCTOR, password)
    return password


def issue_codes(logins, names, reset=False):
    """{name: code} for each of `names` that has no login yet (every one, if `reset`)."""
    for name in names:
        check_name(name)
    known = logins.read()
    return {name: logins.issue_code(name) for name in sorted(names)
            if reset or name not in known}


def remove(logins, names):
    """Forget the logins of `names`; returns those that had one."""
    with logins.editing() as entries:
        return sorted(name for name in names if entries.pop(name, None) is not None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("instructor", help="set a new random instructor password; print it")
    codes = commands.add_parser("codes", help="one-time codes for learners; print them")
    codes.add_argument("names", nargs="*", help="learner names")
    codes.add_argument("--roster", type=Path, help="a file of learner names, one a line")
    codes.add_argument("--reset", action="store_true",
                       help="issue new codes even for learners who have a password")
    removing = commands.add_parser("remove", help="forget learners' logins")
    removing.add_argument("names", nargs="+", help="learner names")
    args = parser.parse_args(argv)
    logins = logins_file()
    if args.command == "remove":
        removed = remove(logins, args.names)
        print(f"can no longer log in: {', '.join(removed) or 'nobody (no such login)'}")
        return 0
    if args.command == "instructor":
        password = set_instructor_password(logins)
        print(f"instructor password (shown once, only its hash is kept in {logins.path}):")
        print(f"  {INSTRUCTOR}  {password}")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
