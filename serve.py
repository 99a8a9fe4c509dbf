"""The server entry: ``streamlit run serve.py`` serves ``app.py`` as ``streamlit run app.py``
does, and warms the process as it starts (``ui/warmup.py``: imports and the shared caches
the first runs need; the health check answers when that is done), so the first visitor of a
fresh server does not pay for them. A shared Befolkning link's report is built while the
browser loads Streamlit's JavaScript (``warmup.Prefetch``)."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui.warmup import Prefetch, Preload, lifespan

app = st.App(Path(__file__).with_name("app.py"), lifespan=lifespan,
             middleware=[Middleware(Prefetch), Middleware(Preload)])
