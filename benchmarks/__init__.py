"""softmax-lab's benchmarks: measured claims about time, latency and accuracy (not tests).

Run them all with ``make bench`` (or ``python -m benchmarks.run``); each module also
runs alone, e.g. ``python -m benchmarks.accuracy``.
"""
