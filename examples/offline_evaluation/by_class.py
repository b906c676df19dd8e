"""The target policy of ips.py, run for real to check the estimate: the
cheap model for class 0, the strong one otherwise (python3 -m orchsim run
... --policy by_class=examples/offline_evaluation/by_class.py:ByClass)."""


class ByClass:
    def choose(self, ctx):
        want = "cheap_model" if ctx.class_index == 0 else "strong_model"
        for c in ctx.candidates:
            if c.name == want:
                return c.index
        return 0
