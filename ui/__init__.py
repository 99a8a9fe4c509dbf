"""The Streamlit side of the app: data access for pages, rendering, state and exports.

Text columns are held as Python strings here rather than in pyarrow (pandas 3's default
storage for its ``str`` dtype): the frames the pages build are small (tens to hundreds of
rows), where pyarrow's per-call overhead took 10–15 % of a kommune switch's server CPU
(Tjenester, 3 interleaved runs of 20 switches each: 270/283/308 ms → 257/247/257 ms). The
dtype and its semantics are the same; only the storage differs.
"""

import pandas as pd

pd.options.mode.string_storage = "python"
