"""Test helpers that read a widget view's chart, which the views keep to themselves."""


def sharp_chart(view):
    """The chart ``view`` draws at 2x once a slider stops: its saved image and alt text."""
    return view._charts.sharp
