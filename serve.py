"""The server entry: ``streamlit run serve.py`` serves ``app.py`` as ``streamlit run app.py``
does, and warms the process as it starts (``ui/warmup.py``: imports and the shared caches
the first runs need), so the first visitor of a fresh server does not pay for them."""

from pathlib import Path

import streamlit as st

from ui.warmup import lifespan

app = st.App(Path(__file__).with_name("app.py"), lifespan=lifespan)
