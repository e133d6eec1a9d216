"""scripts/bootstrap_python.sh builds CPython from Debian's source package on the archive that the
machine's own apt sources use: it names no package-registry host of its own."""

import re
import shutil
import subprocess

import pytest

from tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "bootstrap_python.sh"


def test_the_script_names_no_host():
    assert not re.search(r"\w+://", SCRIPT.read_text())


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs a Debian machine's apt-get")
def test_the_source_entry_uses_the_machines_own_archive():
    entry = subprocess.run([str(SCRIPT), "--source-entry"], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(": ", 1) for line in entry.splitlines())
    assert fields["Types"] == "deb-src"
    sites = subprocess.run(
        ["apt-get", "indextargets", "--format", "$(SITE)", "Created-By: Packages"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert fields["URIs"] in sites
