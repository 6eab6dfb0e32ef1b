"""The digit figures: what they draw and how they reject bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex

from lab_utils import softmax
from lab_utils.calibration import reliability_table
from lab_utils.digit_plots import (
    TRUE_COLOR,
    plot_digit_probabilities,
    plot_digits,
    plot_reliability,
    plot_start_curves,
)

RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 17, size=(12, 64)).astype(float)
PROBABILITIES = softmax(RNG.normal(size=(3, 10)) * 3)
LABELS = np.array([4, 0, 9])


pytestmark = pytest.mark.usefixtures("close_figures")


def test_digits_are_one_mosaic_with_a_caption_each():
    fig, ax = plot_digits(IMAGES, [f"label {i}" for i in range(12)], ncols=5, title="mine")
    (mosaic,) = ax.get_images()
    data = mosaic.get_array()
    assert data.shape[1] == 5 * (8 + 2)  # 5 columns of 8 pixels and a gap
    assert data.count() == 12 * 64  # every pixel of every image, nothing else
    assert [t.get_text() for t in ax.texts] == [f"label {i}" for i in range(12)]
    assert ax.get_title() == "mine"


def test_the_first_image_is_drawn_where_its_caption_is():
    fig, ax = plot_digits(IMAGES[:2], ["a", "b"])
    data = np.ma.getdata(ax.get_images()[0].get_array())
    x, y = ax.texts[0].get_position()
    top, left = int(round(y + 0.7)), int(round(x - 4))
    np.testing.assert_array_equal(data[top : top + 8, left : left + 8], IMAGES[0].reshape(8, 8))


def test_each_row_shows_the_image_and_its_probabilities_with_the_true_class_hatched():
    fig, axes = plot_digit_probabilities(IMAGES[:3], PROBABILITIES, LABELS)
    assert axes.shape == (3, 2)
    for i, ((ax_image, ax_bars), p, label) in enumerate(
        zip(axes, PROBABILITIES, LABELS, strict=True)
    ):
        np.testing.assert_array_equal(ax_image.get_images()[0].get_array(), IMAGES[i].reshape(8, 8))
        heights = [bar.get_height() for bar in ax_bars.patches]
        np.testing.assert_allclose(heights, p)
        hatched = [k for k, bar in enumerate(ax_bars.patches) if bar.get_hatch()]
        assert hatched == [label]
        assert to_hex(ax_bars.patches[label].get_facecolor()) == TRUE_COLOR.lower()
        predicted = int(np.argmax(p))
        assert ax_bars.get_title().startswith(f"predicted {predicted} ({p[predicted]:.3f})")
        assert ("right" if predicted == label else "wrong") in ax_bars.get_title()
        assert ax_image.get_title() == f"label {label}"


TABLE = reliability_table(softmax(RNG.normal(size=(200, 10)) * 3), RNG.integers(0, 10, 200))


def test_reliability_draws_one_curve_per_model_the_diagonal_and_the_bin_counts():
    other = reliability_table(
        softmax(RNG.normal(size=(50, 10))), RNG.integers(0, 10, 50), strategy="quantile"
    )
    fig, (ax, ax_counts) = plot_reliability({"before": TABLE, "after": other})
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["perfectly calibrated", "before", "after"]
    filled = TABLE.count > 0
    np.testing.assert_allclose(
        ax.get_lines()[1].get_xydata(), np.column_stack([TABLE.confidence, TABLE.accuracy])[filled]
    )
    assert ax.get_xlim() == (0, 1.02) and ax_counts.get_yscale() == "log"
    stairs = ax_counts.patches
    assert len(stairs) == 2
    np.testing.assert_array_equal(stairs[0].get_data().values, TABLE.count)
    np.testing.assert_allclose(stairs[1].get_data().edges, other.edges)
    assert ax.get_ylabel() == "accuracy in the bin" and ax_counts.get_xlabel().startswith(
        "confidence"
    )
    assert ", ".join(str(c) for c in TABLE.count[filled]) in fig.axes[0]._softmax_lab_description


def test_a_colour_can_keep_its_meaning_and_line_styles_tell_curves_apart():
    fig, (ax, ax_counts) = plot_reliability(
        {"T = 1": TABLE, "T = 0.6": TABLE}, colors={"T = 1": "#FF9300", "T = 0.6": "#FF9300"}
    )
    first, second = ax.get_lines()[1:]
    assert to_hex(first.get_color()) == to_hex(second.get_color()) == "#ff9300"
    assert first.get_linestyle() != second.get_linestyle()
    assert first.get_marker() != second.get_marker()


def test_start_curves_draw_every_start_in_one_colour_one_style_per_name():
    training, validation = RNG.uniform(size=(5, 20)), RNG.uniform(size=(5, 20))
    fig, ax = plot_start_curves({"training": training, "validation": validation}, color="#0096FF")
    lines = ax.get_lines()
    assert len(lines) == 10
    assert {to_hex(line.get_color()) for line in lines} == {"#0096ff"}
    assert {line.get_linestyle() for line in lines[:5]} != {
        line.get_linestyle() for line in lines[5:]
    }
    np.testing.assert_allclose(
        lines[7].get_xydata(), np.column_stack([np.arange(1, 21), validation[2]])
    )
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: plot_digits(IMAGES[:, :60], ["x"] * 12), ValueError, "not square images"),
        (lambda: plot_digits(IMAGES, ["x"] * 11), ValueError, "captions has 11 entries"),
        (lambda: plot_digits(IMAGES, "x" * 12), TypeError, "list of strings"),
        (lambda: plot_digits(IMAGES, ["x"] * 12, ncols=0), ValueError, "ncols must be at least 1"),
        (lambda: plot_digits(IMAGES, ["x"] * 12, ncols=2.0), TypeError, "ncols must be an integer"),
        (lambda: plot_digits(IMAGES[0], ["x"]), ValueError, "must be 3-D"),
        (
            lambda: plot_digit_probabilities(IMAGES[:2], PROBABILITIES, LABELS),
            ValueError,
            r"probabilities must have one row per image \(2\), got shape \(3, 10\)",
        ),
        (
            lambda: plot_digit_probabilities(IMAGES[:3], PROBABILITIES, LABELS + 0.5),
            ValueError,
            "y must hold whole-number class labels",
        ),
        (
            lambda: plot_digit_probabilities(IMAGES[:3], PROBABILITIES, np.array([4, 0, 10])),
            ValueError,
            r"y must hold class labels in 0..9, got y\[2\] = 10",
        ),
        (
            lambda: plot_digit_probabilities(IMAGES[:3], PROBABILITIES * 2, LABELS),
            ValueError,
            r"probabilities must hold probabilities in \[0, 1\]",
        ),
        (
            lambda: plot_digit_probabilities(IMAGES[:3], PROBABILITIES, LABELS, axes=[1, 2]),
            TypeError,
            r"axes must be an \(3, 2\) array",
        ),
        (lambda: plot_reliability({}), TypeError, "non-empty dict"),
        (
            lambda: plot_reliability({"a": [0.1, 0.2, 0.3]}),
            TypeError,
            "must be a reliability table",
        ),
        (
            lambda: plot_reliability({"a": ([0, 0.5, 1], [1, 2], [0.3], [0.2])}),
            ValueError,
            "3 edges need 2 counts",
        ),
        (
            lambda: plot_reliability({"a": TABLE}, colors={"b": "red"}),
            ValueError,
            "colors must map each of",
        ),
        (lambda: plot_reliability({"a": TABLE}, ax=plt.gca()), TypeError, "ax must be a pair"),
        (lambda: plot_start_curves({"a": [0.1, 0.2]}), ValueError, "must be 2-D"),
        (lambda: plot_start_curves([]), TypeError, "non-empty dict"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
