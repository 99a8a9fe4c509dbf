"""Norwegian number formatting (bokmål): space (narrow no-break) as thousands separator,
comma as decimal sign, "−" for minus. Plain functions: no Streamlit import, unit-tested.
"""

from __future__ import annotations

import math

NBSP = "\u00a0"  # no-break space keeps "12 345" on one line
MINUS = "\u2212"
# Plotly: decimal separator first, then thousands separator.
PLOTLY_SEPARATORS = ", "


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_num(x, decimals: int = 0, missing: str = "–", sign: bool = False) -> str:
    """12345.678 -> '12 345,7' (decimals=1). ``sign`` adds '+' to positive numbers."""
    if _missing(x):
        return missing
    x = float(x)
    s = f"{abs(x):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", NBSP)
    if round(x, decimals) < 0 or (x < 0 and s.strip("0,") != ""):
        return MINUS + s
    return ("+" + s) if sign and round(x, decimals) > 0 else s


def fmt_int(x, missing: str = "–", sign: bool = False) -> str:
    return fmt_num(x, 0, missing, sign)


def fmt_pct(x, decimals: int = 1, missing: str = "–", sign: bool = False) -> str:
    """Percent given in percent units: 12.34 -> '12,3 %'."""
    if _missing(x):
        return missing
    return f"{fmt_num(x, decimals, missing, sign)}{NBSP}%"


def fmt_share(x, decimals: int = 1, missing: str = "–") -> str:
    """Share given as a fraction: 0.1234 -> '12,3 %'."""
    return missing if _missing(x) else fmt_pct(100 * float(x), decimals, missing)


def plural(n: int | float, singular: str, plural_form: str) -> str:
    """Bokmål singular/plural by count: plural(1, 'person', 'personer') -> 'person'."""
    return singular if abs(n) == 1 else plural_form
