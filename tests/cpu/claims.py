"""Claims: what the prose says about a CPU-dependent cell's output, in a form code can check.

A notebook's claims live in ``tests/cpu/claims/<notebook>.toml``, keyed by cell id::

    [[claim]]
    cell = "d876aa69"
    says = "the rescue undone ends with about twice the loss of the rescued one"
    pattern = 'obvious +final loss (?P<rescued>\\S+),(?s:.*)undone +final loss (?P<undone>\\S+)'
    holds = ["undone >= 1.5 * rescued"]
    undone = { at_most = 0.3 }

``pattern`` is searched for in the cell's printed text (its streams and ``text/plain``); with
``every = true`` every match is checked (``matches = N``: there must be exactly N). Each named
group holds a number, or several (then each of them is checked); a table of conditions on a
group name bounds it: ``at_least``, ``at_most``, ``equals``, or ``near`` with ``within``.
``holds`` are comparisons between the groups (``+ - * /``, numbers, and ``abs``, ``min``,
``max``, ``sum``, ``len``, which also take a group of several numbers). The margins are in
the bounds and comparisons: :func:`without_margins` replaces them all by "exactly the
stored numbers", which is what a claim without a margin would say.
"""

import ast
import math
import operator
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from .outputs import NUMBER

BOUNDS = {"at_least", "at_most", "equals", "near", "within"}
FIELDS = {"cell", "says", "pattern", "every", "matches", "holds"}


@dataclass(frozen=True)
class Claim:
    cell: str
    says: str
    pattern: str
    every: bool = False
    matches: int | None = None
    holds: tuple = ()
    #: ``{group: {bound: value}}``
    bounds: dict = field(default_factory=dict)
    #: The numbers of each match, exactly (a claim without margins); () for none.
    pinned: tuple = ()

    @classmethod
    def from_table(cls, table):
        unknown = {
            key for key, value in table.items() if key not in FIELDS and not isinstance(value, dict)
        }
        if unknown:
            raise ValueError(f"claim on cell {table.get('cell')}: unknown fields {unknown}")
        bounds = {name: value for name, value in table.items() if isinstance(value, dict)}
        for name, bound in bounds.items():
            if not bound or set(bound) - BOUNDS or ("within" in bound) != ("near" in bound):
                raise ValueError(
                    f"claim on cell {table['cell']}: bounds of {name!r} must be "
                    f"at_least, at_most, equals or near + within, not {bound}"
                )
        claim = cls(
            table["cell"],
            table["says"],
            table["pattern"],
            table.get("every", False),
            table.get("matches"),
            tuple(table.get("holds", ())),
            bounds,
        )
        missing = (set(bounds) | claim.names_in_holds()) - set(re.compile(claim.pattern).groupindex)
        if missing:
            raise ValueError(f"claim on cell {claim.cell}: no group named {sorted(missing)}")
        if not bounds and not claim.holds:
            raise ValueError(f"claim on cell {claim.cell} bounds nothing")
        return claim

    def names_in_holds(self):
        return {
            node.id
            for text in self.holds
            for node in ast.walk(ast.parse(text, mode="eval"))
            if isinstance(node, ast.Name) and node.id not in FUNCTIONS
        }

    def values(self, text):
        """``[{group: number or [numbers]}]``, one dict per match of the pattern in ``text``."""
        matches = list(re.finditer(self.pattern, text, re.MULTILINE))
        if not self.every:
            matches = matches[:1]
        return [
            {name: numbers(value) for name, value in match.groupdict().items()} for match in matches
        ]

    def problems(self, text):
        """Why this claim does not hold for ``text``, in words; [] when it holds."""
        found = self.values(text)
        if not found:
            return [f"pattern {self.pattern!r} not found"]
        if self.matches is not None and len(found) != self.matches:
            return [f"pattern found {len(found)} times, not {self.matches}"]
        if self.pinned and list(self.pinned) != found:
            return [f"numbers {found} are not exactly {list(self.pinned)}"]
        problems = []
        for values in found:
            for name, bound in self.bounds.items():
                problems += [
                    f"{name} = {value} is not {describe(bound)}"
                    for value in each(values[name])
                    if not within(value, bound)
                ]
            problems += [
                f"not {text_}: {values}" for text_ in self.holds if not evaluate(text_, values)
            ]
        return problems


def numbers(text):
    """The number a group caught, or the list of them if it caught several."""
    if text is None:
        raise ValueError("a claim's group matched nothing")
    found = [float(n) for n in NUMBER.findall(text)]
    if not found:
        raise ValueError(f"no number in {text!r}")
    return found[0] if len(found) == 1 else found


def each(value):
    return value if isinstance(value, list) else [value]


def within(value, bound):
    checks = {
        "at_least": lambda b: value >= b,
        "at_most": lambda b: value <= b,
        "equals": lambda b: value == b,
    }
    if "near" in bound and not abs(value - bound["near"]) <= bound["within"]:
        return False
    return all(checks[kind](limit) for kind, limit in bound.items() if kind in checks)


def describe(bound):
    words = {"at_least": "at least {}", "at_most": "at most {}", "equals": "equal to {}"}
    parts = [words[kind].format(limit) for kind, limit in bound.items() if kind in words]
    if "near" in bound:
        parts.append(f"within {bound['within']} of {bound['near']}")
    return " and ".join(parts)


FUNCTIONS = {"abs": abs, "min": min, "max": max, "sum": sum, "len": len}
OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def evaluate(text, values):
    """The truth of a comparison such as ``"undone >= 1.5 * rescued"`` (no other Python)."""

    def value(node):
        match node:
            case ast.Expression(body=body):
                return value(body)
            case ast.Constant(value=number) if isinstance(number, int | float):
                return number
            case ast.Name(id=name) if name in values:
                return values[name]
            case ast.UnaryOp(op=op, operand=operand) if type(op) in OPERATORS:
                return OPERATORS[type(op)](value(operand))
            case ast.BinOp(left=left, op=op, right=right) if type(op) in OPERATORS:
                return OPERATORS[type(op)](value(left), value(right))
            case ast.Call(func=ast.Name(id=name), args=args) if name in FUNCTIONS:
                return FUNCTIONS[name](*(value(arg) for arg in args))
            case ast.Compare(left=left, ops=ops, comparators=rights):
                result, current = True, value(left)
                for op, right in zip(ops, rights, strict=True):
                    following = value(right)
                    result = result and OPERATORS[type(op)](current, following)
                    current = following
                return result
        raise ValueError(f"not allowed in a claim: {ast.dump(node)}")

    try:
        result = value(ast.parse(text, mode="eval"))
    except TypeError as error:  # arithmetic on a group of several numbers
        raise ValueError(f"{text!r}: {error} (use sum, min or max of a group)") from error
    if not isinstance(result, bool):
        raise ValueError(f"{text!r} is not a comparison")
    return result and all(math.isfinite(v) for v in values.values() if not isinstance(v, list))


def without_margins(claim, stored_text):
    """The claim with its margins removed: every number must equal the stored one."""
    found = claim.values(stored_text)
    if not found:
        raise ValueError(f"claim on cell {claim.cell} does not match its stored output")
    return replace(claim, bounds={}, holds=(), pinned=tuple(found))


def load(path):
    """``{cell id: [Claim, ...]}`` from a claims file (empty if there is none)."""
    path = Path(path)
    if not path.exists():
        return {}
    claims = {}
    for table in tomllib.loads(path.read_text()).get("claim", []):
        claim = Claim.from_table(table)
        claims.setdefault(claim.cell, []).append(claim)
    return claims
