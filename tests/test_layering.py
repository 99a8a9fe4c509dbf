"""analysis/ and data_sources/ are pure: importing them must not import Streamlit."""

import subprocess
import sys

from tests.paths import ROOT


def test_pure_packages_do_not_import_streamlit():
    code = ("import sys, analysis.demography, analysis.services, analysis.staffing, "
            "analysis.kostra, analysis.method, data_sources.refresh, data_sources.importer, "
            "data_sources.__main__; "
            "bad = [m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')]; "
            "print(len(bad)); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
