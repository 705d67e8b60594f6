"""The benchmark and load harness (`asl-dashboard bench`, scripts/refresh_under_load.py) and the
`streamlit run` server helper the tests, screenshots and benchmarks share. Not part of the product:
the package `dashboard` never imports it, and the app a viewer reaches has no hook for it."""
