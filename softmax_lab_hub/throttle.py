"""Failed logins counted per key (a name, or a name and an address) in a sliding window."""

import time
from collections import OrderedDict


class Throttle:
    """Counts failures per key in a sliding window (keeps at most the last `max_failures`
    of each key), in at most `max_keys` keys: the key failed longest ago goes first."""

    def __init__(self, max_failures, window_s, max_keys=10_000, clock=time.monotonic):
        self.max_failures, self.window_s, self.clock = max_failures, window_s, clock
        self.max_keys = max_keys
        self.failures = OrderedDict()  # oldest last failure first

    def _recent(self, key, now):
        return [t for t in self.failures.get(key, ()) if t > now - self.window_s]

    def retry_after_s(self, key):
        """0 if `key` may try now, else the seconds until it may."""
        now = self.clock()
        failures = self._recent(key, now)
        if len(failures) < self.max_failures:
            return 0
        return max(1, int(failures[0] + self.window_s - now) + 1)

    def failed(self, key):
        now = self.clock()
        self.failures[key] = [*self._recent(key, now), now][-self.max_failures :]
        self.failures.move_to_end(key)
        while self.failures:  # the front: keys whose every failure has left the window
            oldest_key, failures = next(iter(self.failures.items()))
            if (
                failures
                and failures[-1] > now - self.window_s
                and len(self.failures) <= self.max_keys
            ):
                break
            del self.failures[oldest_key]

    def take_back(self, key):
        """Forget `key`'s latest failure (an attempt counted before it succeeded)."""
        if self.failures.get(key):
            self.failures[key].pop()
