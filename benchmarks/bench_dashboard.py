"""How long the dashboard takes to redraw after a filter change on the bundled sample
(target: under 1 s). Runs the real ``app.py`` through Streamlit's AppTest.

    python benchmarks/bench_dashboard.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def main() -> None:
    t0 = time.perf_counter()
    app = AppTest.from_file(APP, default_timeout=300).run()
    first = time.perf_counter() - t0
    kinds = next(m for m in app.sidebar.multiselect if m.label == "Place kind")
    slider = next(s for s in app.sidebar.slider if s.label == "Minimum confidence")
    changes = [
        lambda: kinds.set_value(["camp"]),
        lambda: kinds.set_value([]),
        lambda: slider.set_value(0.5),
        lambda: slider.set_value(0.0),
        lambda: app.sidebar.checkbox(key="layer-places").uncheck(),
        lambda: app.sidebar.checkbox(key="layer-places").check(),
    ]
    times = []
    for change in changes:
        change()
        t0 = time.perf_counter()
        app.run()
        times.append(time.perf_counter() - t0)
        assert not app.exception, app.exception
    print(
        f"first load {first:.1f} s (gazetteer open and analysis); filter change redraw:"
        f" median {statistics.median(times):.2f} s, worst {max(times):.2f} s (target < 1 s)"
    )


if __name__ == "__main__":
    main()
