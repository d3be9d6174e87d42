"""Our own tiny layer library."""


class ReLU:
    def __call__(self, x):
        return max(x, 0)
