"""Flashpoints dashboard: ``streamlit run app.py`` (or ``flashpoints dashboard`` once installed).

The page itself is ``geo/dashboard.py``, inside the package, so that a wheel installed anywhere
carries it; this file runs that module afresh on every Streamlit rerun, as Streamlit expects.
"""

import runpy

runpy.run_module("geo.dashboard", run_name="__main__")
