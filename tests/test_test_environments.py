"""The second test environment really is Colab's stack (tasks.py sets COURSE_TEST_ENV)."""
import os
import re
from importlib.metadata import version
from pathlib import Path

import pytest

PINS = Path(__file__).with_name("colab-constraints.txt")


def _pins():
    for line in PINS.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_\-]+)==(\S+)", line)
        if m:
            yield m.group(1), m.group(2)


@pytest.mark.skipif(os.environ.get("COURSE_TEST_ENV") != "colab", reason="only in the Colab-pinned environment")
@pytest.mark.parametrize("package, pinned", list(_pins()))
def test_colab_pins_are_installed(package, pinned):
    assert version(package) == pinned


def test_pins_cover_colab_core():
    names = dict(_pins())
    assert names["ipywidgets"] == "7.7.1" and names["ipython"].startswith("7.34")
    assert names["pandas"].startswith("2.2")
