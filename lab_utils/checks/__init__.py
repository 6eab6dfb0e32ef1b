"""Checks for the exercises: run a learner's code on cases that catch the usual mistakes.

Each check prints one line per problem it finds, each with a hint, or one short
success line. Called from a learner's cell it never raises because of a mistake in
the learner's code: it explains it. With ``strict=True`` (the nbgrader autograded
test cells) it raises ``AssertionError`` after explaining, which fails the cell.

One module per exercise, in lesson order; each module's docstring gives the exact
signature its check calls:

* `softmax`: ``check_softmax(my_softmax)``, notebook 01
* `cost`: ``check_cost(my_cost)``, notebook 02
* `preferred_model`: ``check_preferred_model(model)``, notebook 03
* `classify`: ``check_classify(classify)``, notebook 04
* `gradient`: ``check_softmax_regression_gradient(my_gradient)``, notebook 05
* `exact_loss`: ``check_exact_loss(exact_loss)``, notebook 06
* `calibration_error`: ``check_calibration_error(my_ece)``, notebook 07

What they share (calling the learner's code, collecting and reporting the findings, the
per-case skeleton `Exercise`) is in ``_runner``. Every ``check_*`` has a pure partner
``*_findings(...) -> list[str]`` that returns the problems without printing, for tests
and for instructors' own tooling. All of them are importable from here, as the notebooks
import them.
"""

from ._runner import FAIL, NOT_WRITTEN, PASS
from .calibration_error import ECE_CASES, calibration_error_findings, check_calibration_error
from .classify import (
    CLASSIFY_MISTAKES,
    CLASSIFY_POINTS,
    CLASSIFY_WEIGHTS,
    CLASSIFY_WIDE,
    UNITS_HINT,
    check_classify,
    classify_findings,
    reference_class,
)
from .cost import COST_CASES, LABELS_HINT, ROWS_HINT, check_cost, cost_findings, reference_cost
from .exact_loss import (
    EXACT_LOSS_CASES,
    EXACT_LOSS_HINT,
    check_exact_loss,
    exact_loss_findings,
    reference_exact_loss,
)
from .gradient import (
    GRADIENT_CASES,
    check_softmax_regression_gradient,
    reference_gradient,
    softmax_regression_gradient_findings,
)
from .preferred_model import PREFERRED_LOSS, check_preferred_model, preferred_model_findings
from .softmax import KEEPDIMS_HINT, OVERFLOW, SOFTMAX_CASES, check_softmax, softmax_findings

__all__ = [
    "CLASSIFY_MISTAKES",
    "CLASSIFY_POINTS",
    "CLASSIFY_WEIGHTS",
    "CLASSIFY_WIDE",
    "COST_CASES",
    "ECE_CASES",
    "EXACT_LOSS_CASES",
    "EXACT_LOSS_HINT",
    "FAIL",
    "GRADIENT_CASES",
    "KEEPDIMS_HINT",
    "LABELS_HINT",
    "NOT_WRITTEN",
    "OVERFLOW",
    "PASS",
    "PREFERRED_LOSS",
    "ROWS_HINT",
    "SOFTMAX_CASES",
    "UNITS_HINT",
    "calibration_error_findings",
    "check_calibration_error",
    "check_classify",
    "check_cost",
    "check_exact_loss",
    "check_preferred_model",
    "check_softmax",
    "check_softmax_regression_gradient",
    "classify_findings",
    "cost_findings",
    "exact_loss_findings",
    "preferred_model_findings",
    "reference_class",
    "reference_cost",
    "reference_exact_loss",
    "reference_gradient",
    "softmax_findings",
    "softmax_regression_gradient_findings",
]
