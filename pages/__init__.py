"""The studio's pages: one thin script per step of the flow, plus shared helpers (``_*.py``)."""
