"""What every check shares: call the learner's code safely, collect the findings, report them.

A check never raises because of a mistake in the learner's code. `call` turns an exception
into a finding; a `Problem` stops the check with itself as the only finding (the code does
not run at all, or returns nothing that can be judged); `report` prints the findings, or
one success line, and raises ``AssertionError`` after them only in strict mode.

`Exercise` is the skeleton of a check that calls the learner's function once per case and
judges each result: a lesson's module describes its exercise with one, and its
``*_findings`` and ``check_*`` hand the learner's function to `Exercise.findings` and
`Exercise.run`.
"""

import functools
import sysconfig
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._learner_code import quietly, raised

PASS, FAIL = "\u2713", "\u2717"  # check mark, ballot x
NOT_WRITTEN = "is not written yet: replace `raise NotImplementedError()` with your code"


class Problem(Exception):
    """A finding that makes the remaining cases pointless (the code does not run at all)."""


# --- running the learner's code -----------------------------------------------------


def name_of(fn: Any) -> str:
    """The learner's function as the messages name it."""
    return getattr(fn, "__name__", type(fn).__name__)


def need_callable(fn: Any, check: str, example: str) -> None:
    """A `Problem` unless ``fn`` is a function: the usual slip is passing its result."""
    if fn is None or not callable(fn):
        what = "None" if fn is None else f"a {type(fn).__name__}"
        raise Problem(
            f"{check} needs your function itself, got {what}. "
            f"Hint: call {check}({example}), with no parentheses after {example}."
        )


def copies(arguments: Sequence[Any]) -> list[Any]:
    """Fresh copies of the arrays, so that a learner's in-place change cannot corrupt the cases."""
    return [a.copy() if isinstance(a, np.ndarray) else a for a in arguments]


#: Where Python's and the installed packages' code lives: not a learner's placeholder.
LIBRARIES = tuple({sysconfig.get_path(kind) for kind in ("stdlib", "purelib", "platlib")})


def unwritten(fn: Any, err: BaseException) -> str:
    """The name of the learner's function whose placeholder raised ``err``: fn, or one it
    calls (the innermost frame outside Python's and the packages' own code)."""
    name, frame = name_of(fn), err.__traceback__.tb_next  # the first frame is call's
    while frame is not None:
        code = frame.tb_frame.f_code
        if code.co_name.isidentifier() and not code.co_filename.startswith(LIBRARIES):
            name = code.co_name
        frame = frame.tb_next
    return name


def call(fn: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """``fn(*args)`` with NumPy's warnings silenced: the findings explain them.

    Returns ``(result, None)``, or ``(None, reason)`` when the call raised; an unwritten
    placeholder (``NotImplementedError``) is a `Problem`: nothing else is worth checking.
    """
    try:
        return quietly(fn, *args), None
    except NotImplementedError as err:
        raise Problem(f"{unwritten(fn, err)} {NOT_WRITTEN}.") from None
    except Exception as err:  # the learner's code: any error is a finding
        return None, raised(err)


def as_numbers(value: Any, name: str) -> np.ndarray:
    """The learner's result as a float array, or a `Problem` saying why it is not one."""
    if value is None:
        raise Problem(f"{name} returned None. Hint: end it with `return ...`.")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Problem(f"{name} returned a {type(value).__name__}, not numbers.") from None


def same(actual: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Equal shapes and values within the tolerances (NaN equals NaN)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    return actual.shape == expected.shape and np.allclose(
        actual, expected, rtol=rtol, atol=atol, equal_nan=True
    )


# --- collecting and reporting the findings ------------------------------------------


class Findings(list):
    """Lines ``"<where><problem>"``; a problem whose hint was given already is skipped."""

    def add(self, where: str, problem: str) -> None:
        hint = problem[problem.find("Hint:") :]
        if all(not line.endswith(hint) for line in self):
            self.append(f"{where}{problem}")


def listing_problems(findings_fn: Callable[..., list[str]]) -> Callable[..., list[str]]:
    """Make a findings function return a `Problem` as its only finding instead of raising it."""

    @functools.wraps(findings_fn)
    def findings(*args: Any, **kwargs: Any) -> list[str]:
        try:
            return list(findings_fn(*args, **kwargs))
        except Problem as problem:
            return [str(problem)]

    return findings


def report(
    check: str, name: str, findings: Sequence[str], cases: Sequence[str], strict: bool
) -> None:
    """Print the findings (or one success line); in strict mode fail after explaining."""
    if not findings:
        print(f"{PASS} {name} passes {check}: {', '.join(cases)}.")
        return
    for line in findings:
        print(f"{FAIL} {line}")
    if strict:
        count = f"{len(findings)} problem" + ("s" if len(findings) > 1 else "")
        raise AssertionError(f"{check}: {count} with {name}, explained above")


# --- the skeleton of a check --------------------------------------------------------


def after_label(case: Sequence[Any]) -> tuple[Any, ...]:
    """A case ``(label, *arguments)``'s arguments."""
    return tuple(case[1:])


@dataclass(frozen=True)
class Exercise:
    """A check that calls the learner's function once per case and judges each result.

    Each case is a tuple whose first item is its label (the success line lists them).
    For each case the function is called on fresh copies of the case's arguments; if it
    raises, the finding is the reason plus ``error_hint(reason)``; otherwise it is
    whatever ``problem(name, result, *arguments)`` returns (None when right). A finding
    about a case starts with ``where(name, case)``, ``name`` being the function's name.
    """

    #: The check's name, as the messages say it: ``"check_cost"``.
    check: str
    #: The learner's function as the notebook names it, for the "no parentheses" hint.
    placeholder: str
    #: Returns the cases; looked up at each run, so that replacing a module's list of cases
    #: (as a test does) changes what its check runs.
    cases: Callable[[], Sequence[Sequence[Any]]]
    #: ``(name, case) -> str``: what a finding about this case is about.
    where: Callable[[str, Sequence[Any]], str]
    #: ``(name, result, *arguments) -> str | None``: what is wrong with the result; it may
    #: raise a `Problem` when the result cannot be judged at all.
    problem: Callable[..., str | None]
    #: ``reason -> "Hint: ..."``, the hint for a call that raised (``"raised ..."``).
    error_hint: Callable[[str], str]
    #: ``case -> arguments``: how the learner's function is called on a case.
    arguments: Callable[[Sequence[Any]], Sequence[Any]] = after_label
    #: The finding (about the function itself) when it changes its arguments in place;
    #: None: not a finding of this exercise.
    in_place: str | None = None

    @listing_problems
    def findings(self, fn: Callable[..., Any]) -> list[str]:
        """The problems with ``fn`` on the cases, one line each (empty when it is right)."""
        need_callable(fn, self.check, self.placeholder)
        name, findings = name_of(fn), Findings()
        for case in self.cases():
            arguments = self.arguments(case)
            given = copies(arguments)
            result, error = call(fn, *given)
            if self.in_place and not all(
                np.array_equal(a, b) for a, b in zip(given, arguments, strict=True)
            ):
                findings.add(name, self.in_place)
            if error:
                findings.add(self.where(name, case), f" {error}. {self.error_hint(error)}")
                continue
            problem = self.problem(name, result, *arguments)
            if problem:
                findings.add(self.where(name, case), problem)
        return findings

    def labels(self) -> list[str]:
        """The cases' labels, as the success line lists them."""
        return [case[0] for case in self.cases()]

    def run(self, fn: Callable[..., Any], strict: bool) -> None:
        """Print the problems with ``fn`` (or one success line); see `report`."""
        report(self.check, name_of(fn), self.findings(fn), self.labels(), strict)
