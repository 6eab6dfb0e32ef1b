"""The class colours stay apart under simulated colour-vision deficiencies.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", their matrices for severity 1.0 (dichromacy),
applied to linear RGB. Distance: CIEDE2000 (Sharma, Wu & Dalal 2005) between CIELAB
colours (D65 white). Both in NumPy, so the test needs nothing beyond the suite.
"""

import itertools

import numpy as np
import pytest

from lab_utils.style import CLASS_COLORS, MIN_DELTA_E

MACHADO_2009 = {
    "normal vision": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}

SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
D65_WHITE = SRGB_TO_XYZ.sum(axis=1)


def srgb(hex_colors):
    """``"#RRGGBB"`` strings as an (n, 3) array of sRGB values in [0, 1]."""
    return np.array(
        [[int(h.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)] for h in hex_colors]
    )


def to_linear(rgb):
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def simulate(rgb, deficiency):
    """What a viewer with ``deficiency`` sees, as linear RGB (clipped to the gamut)."""
    return np.clip(to_linear(rgb) @ MACHADO_2009[deficiency].T, 0, 1)


def lab(linear_rgb):
    """CIELAB (D65) of linear RGB colours."""
    t = (linear_rgb @ SRGB_TO_XYZ.T) / D65_WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], axis=1
    )


def ciede2000(lab1, lab2):
    """CIEDE2000 colour difference of two CIELAB colours (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if c2p else 0.0
    dlp, dcp = l2 - l1, c2p - c1p
    dhp = 0.0 if c1p * c2p == 0 else (h2p - h1p + 180) % 360 - 180
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dhp / 2))
    lp_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_bar = (h1p + h2p) / 2
    else:
        hp_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(hp_bar - 30))
        + 0.24 * np.cos(np.radians(2 * hp_bar))
        + 0.32 * np.cos(np.radians(3 * hp_bar + 6))
        - 0.20 * np.cos(np.radians(4 * hp_bar - 63))
    )
    s_l = 1 + 0.015 * (lp_bar - 50) ** 2 / np.sqrt(20 + (lp_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * t
    r_t = (
        -2
        * np.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
        * np.sin(np.radians(60 * np.exp(-(((hp_bar - 275) / 25) ** 2))))
    )
    return float(
        np.sqrt(
            (dlp / s_l) ** 2 + (dcp / s_c) ** 2 + (dHp / s_h) ** 2 + r_t * (dcp / s_c) * (dHp / s_h)
        )
    )


def closest_pair(hex_colors, deficiency):
    """``(distance, i, j)`` of the two colours that look most alike under ``deficiency``."""
    seen = lab(simulate(srgb(hex_colors), deficiency))
    return min(
        (ciede2000(seen[i], seen[j]), i, j)
        for i, j in itertools.combinations(range(len(hex_colors)), 2)
    )


# --- the formulas, against published values ------------------------------------------


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [
        # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7, 17 and 25
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_sharmas_test_data(lab1, lab2, expected):
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def test_lab_of_white_and_black():
    np.testing.assert_allclose(
        lab(np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])), [[100, 0, 0], [0, 0, 0]], atol=1e-6
    )


@pytest.mark.parametrize("deficiency", list(MACHADO_2009))
def test_simulation_keeps_greys_grey(deficiency):
    greys = srgb(["#000000", "#777777", "#FFFFFF"])
    np.testing.assert_allclose(simulate(greys, deficiency), to_linear(greys), atol=2e-3)


def test_the_original_palette_fails_where_the_review_saw_it_fail():
    """The negative control: blue and magenta (classes 0 and 3) merge for red-green viewers."""
    original = ("#0096FF", "#FF9300", "#C00000", "#FF40FF", "#7030A0")
    for deficiency in ("protanopia", "deuteranopia"):
        distance, i, j = closest_pair(original, deficiency)
        assert distance < MIN_DELTA_E
        assert (i, j) == (0, 3)


# --- the suite's palette ---------------------------------------------------------------


@pytest.mark.parametrize("deficiency", list(MACHADO_2009))
def test_class_colors_stay_apart(deficiency):
    distance, i, j = closest_pair(CLASS_COLORS, deficiency)
    assert distance >= MIN_DELTA_E, (
        f"under {deficiency}, class {i} ({CLASS_COLORS[i]}) and class {j} ({CLASS_COLORS[j]}) "
        f"are only ΔE2000 = {distance:.1f} apart (want at least {MIN_DELTA_E})"
    )
