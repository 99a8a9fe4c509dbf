"""The shipped boundary file: every kommune joins, nothing else; valid closed rings."""

from __future__ import annotations

import pandas as pd

from analysis import geo
from data_sources import regions_default
from tests.paths import shared


def test_all_357_kommuner_join_with_no_orphan():
    file_codes = geo.codes()
    assert len(file_codes) == len(set(file_codes)) == 357
    built_in = regions_default.default_regions()
    kommuner = set(built_in.loc[built_in["level"] == "kommune", "code"])
    assert set(file_codes) == kommuner  # no orphan on either side
    klass = pd.read_csv(shared("klass_regioner/ssb_klass_131_kommuneinndeling_2026.csv"),
                        sep=";", encoding="latin-1", dtype=str)
    assert set(file_codes) == set(klass["code"]) - {"9999"}  # SSB's KLASS 131


def test_features_are_drawable_and_small():
    assert geo.BOUNDARY_FILE.stat().st_size < 350_000
    for f in geo.boundaries()["features"]:
        assert f["geometry"]["type"] == "MultiPolygon" and f["properties"]["navn"]
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                assert len(ring) >= 4 and ring[0] == ring[-1]
                for lon, lat in ring:
                    assert 4 < lon < 32 and 57 < lat < 72
    assert (geo.BOUNDARY_FILE.parent / "README.md").read_text().count("CC BY 4.0") >= 1


def test_outlines_close_every_ring_and_separate_shapes():
    lon, lat, label = geo.outlines()["1856"]  # Røst: one small island kommune
    ring = geo.boundaries()["features"][geo.codes().index("1856")]["geometry"]["coordinates"]
    assert lon[-1] is None and lat[-1] is None
    assert lon[:len(ring[0][0])] == [p[0] for p in ring[0][0]]
    xs = [x for x in lon if x is not None]
    assert min(xs) <= label[0] <= max(xs)
