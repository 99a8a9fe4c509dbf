"""Kommune boundaries shipped with the project, loaded offline at run time.

The file ``data_sources/data/geo/kommuner-2024.geojson`` holds the 357 kommuner of the 2024
structure (WGS84), one feature per kommune with ``id`` = kommunenummer and the property
``navn``. It was built from ``../shared/geo/Kommuner-S.geojson`` (Kartverket, CC BY 4.0,
simplified by robhop/fylker-og-kommuner) by ``build`` below: islands smaller than
``MIN_AREA`` dropped (the largest part of a kommune is always kept), shared borders
simplified together as a topology (no gaps between neighbours), coordinates rounded to
``DECIMALS`` decimals. Rebuild with ``python -m analysis.geo build SRC``.
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

BOUNDARY_FILE = Path(__file__).resolve().parents[1] / "data_sources" / "data" / "geo" \
    / "kommuner-2024.geojson"
ATTRIBUTION = ("Kartgrunnlag: Kartverket (CC BY 4.0), forenklet av robhop/fylker-og-kommuner "
               "og i dette prosjektet.")
TOLERANCE = 0.01  # degrees, topology-preserving simplification
MIN_AREA = 0.002  # square degrees; smaller islands are dropped
DECIMALS = 3


@functools.lru_cache(maxsize=1)
def boundaries() -> dict:
    """The shipped GeoJSON FeatureCollection (read once per process; treat as read-only)."""
    return json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))


def codes() -> list[str]:
    """Kommune codes in the boundary file, in file order."""
    return [f["id"] for f in boundaries()["features"]]


@functools.lru_cache(maxsize=1)
def outlines() -> dict[str, tuple[list, list, tuple[float, float]]]:
    """Per kommune: (lon, lat, label point) — every ring of the kommune one after another,
    each closed and followed by ``None`` (the gap Plotly's ``fill="toself"`` needs between
    shapes); the label point is the centre of the largest ring's bounding box. Degrees."""
    out = {}
    for f in boundaries()["features"]:
        lon, lat, best = [], [], (0.0, (0.0, 0.0))
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                xs, ys = [p[0] for p in ring], [p[1] for p in ring]
                lon += xs + [None]
                lat += ys + [None]
                size = (max(xs) - min(xs)) * (max(ys) - min(ys))
                if size > best[0]:
                    best = (size, ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2))
        out[f["id"]] = (lon, lat, best[1])
    return out


def _round(coords, decimals: int):
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], decimals), round(coords[1], decimals)]
    return [_round(c, decimals) for c in coords]


def build(src: str | Path, dst: str | Path = BOUNDARY_FILE, tolerance: float = TOLERANCE,
          min_area: float = MIN_AREA, decimals: int = DECIMALS) -> int:
    """Write the simplified boundary file from robhop's ``Kommuner-S.geojson``; returns its
    size in bytes. Needs ``shapely`` and ``topojson`` (build time only)."""
    import topojson
    from shapely.geometry import MultiPolygon, mapping, shape

    source = json.loads(Path(src).read_text(encoding="utf-8"))
    feats = []
    for f in source["features"]:
        geom = shape(f["geometry"])
        parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        largest = max(parts, key=lambda p: p.area)
        keep = [p for p in parts if p.area >= min_area or p is largest]
        feats.append({"type": "Feature", "properties": {
            "kommunenummer": f["properties"]["kommunenummer"],
            "navn": f["properties"]["kommunenavn"]}, "geometry": mapping(MultiPolygon(keep))})
    topo = topojson.Topology({"type": "FeatureCollection", "features": feats},
                             prequantize=False, toposimplify=tolerance)
    simple = json.loads(topo.to_geojson())
    out = []
    for f in sorted(simple["features"], key=lambda f: f["properties"]["kommunenummer"]):
        code = f["properties"]["kommunenummer"]
        out.append({"type": "Feature", "id": code, "properties": {"navn": f["properties"]["navn"]},
                    "geometry": {"type": f["geometry"]["type"],
                                 "coordinates": _round(f["geometry"]["coordinates"], decimals)}})
    text = json.dumps({"type": "FeatureCollection", "features": out}, ensure_ascii=False,
                      separators=(",", ":"))
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    Path(dst).write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


if __name__ == "__main__":  # python -m analysis.geo build ../shared/geo/Kommuner-S.geojson
    if len(sys.argv) != 3 or sys.argv[1] != "build":
        sys.exit("bruk: python -m analysis.geo build STI/Kommuner-S.geojson")
    print(f"{BOUNDARY_FILE}: {build(sys.argv[2])} bytes")
