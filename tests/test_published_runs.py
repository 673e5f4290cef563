"""A fit on a chip with published runs of other models says how far the method was off on them."""
import shutil

import pytest
from langs import one_language  # noqa: F401 - the fixture

from course_utils import data, fit, published_runs
from course_utils.hardware import find_hardware

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


def _by_hand(chip_name, backend):
    """The errors of the chip's rows, each estimated here with the row's own test length."""
    errors = []
    for r in data.load("llamacpp_other_models"):
        if r["hardware"].startswith(chip_name) and r["backend"] == backend:
            n = int(r["test"][2:])
            context = n // 2 if r["test"].startswith("tg") else n
            hw = find_hardware(r["hardware"])
            est = fit.estimate(r["model_repo"], r["quant"], context, hardware=hw)
            errors.append(est.tokens_per_s / r["tg_tps"] - 1)
    return errors


def test_the_m1_max_runs_give_the_range_and_an_upper_bound():
    errors = _by_hand("Apple M1 Max", "metal")
    gap = published_runs.gap("Apple M1 Max (32-core GPU)", "metal")
    assert len(errors) == gap.runs == 3  # XiongjieDai's 8B Q4_K_M, 8B F16 and 70B Q4_K_M
    assert (gap.low, gap.high) == (pytest.approx(min(errors)), pytest.approx(max(errors)))
    assert 0.10 < gap.low < 0.16 and 0.70 < gap.high < 0.80 and gap.upper_bound  # the bench's +13 % and +77 %
    note = [n for n in fit.estimate(LLAMA, "Q4_K_M", hardware="M1 Max").notes if "published" in n]
    assert note == [f"On 3 published llama-bench runs on the Apple M1 Max (32-core GPU) of models the speed constants "
                    f"were not fitted on, this method was off by {gap.low:+.0%} to {gap.high:+.0%} (+: faster than the "
                    f"runs; data/llamacpp_other_models.csv). On this hardware, read the estimate as an upper bound."]


def test_a_chip_the_method_fits_gets_the_range_without_the_warning():
    errors = _by_hand("Apple M1 Pro", "metal")
    gap = published_runs.gap("Apple M1 Pro (16-core GPU)", "metal")
    assert gap.runs == len(errors) == 6 and max(abs(e) for e in errors) < 0.12 and not gap.upper_bound
    (note,) = [n for n in fit.estimate(LLAMA, "Q4_K_M", hardware="M1 Pro").notes if "published" in n]
    assert "On 6 published llama-bench runs" in note and "upper bound" not in note


@pytest.mark.parametrize("lang", ["fr"], indirect=True)
def test_the_note_in_french(lang):
    (note,) = [n for n in fit.estimate(LLAMA, "Q4_K_M", hardware="M1 Max").notes if "publiées" in n]
    assert note.startswith("Sur 3 mesures llama-bench publiées sur un Apple M1 Max (32-core GPU)")
    assert "de +13\u202f% à +77\u202f%" in note and note.endswith("lisez l'estimation comme un maximum.")


def test_no_note_without_published_runs_on_that_chip_and_backend():
    for kwargs in ({"hardware": "RTX 4090"},  # its published run is Vulkan's; the table's RTX 4090 is CUDA
                   {"bandwidth_gbs": 400, "backend": "metal"}, {"hardware": "M2"}):
        assert not [n for n in fit.estimate(LLAMA, "Q4_K_M", **kwargs).notes if "published llama-bench run" in n]
    assert published_runs.gap("NVIDIA GeForce RTX 4090", "vulkan").runs == 1


def test_the_runs_own_estimates_do_not_quote_themselves():
    for run in published_runs.runs():
        assert not [n for n in run.estimate.notes if "published llama-bench run" in n]
    assert len(published_runs.runs()) == len(data.load("llamacpp_other_models"))


def test_the_note_follows_the_table(tmp_path, monkeypatch):
    target = tmp_path / "data"
    shutil.copytree(data.data_dir(), target)
    csv = target / "llamacpp_other_models.csv"
    csv.write_text("".join(line for line in csv.read_text(encoding="utf-8").splitlines(keepends=True)
                           if "M1 Max" not in line), encoding="utf-8")
    monkeypatch.setenv("COURSE_UTILS_DATA_DIR", str(target))
    assert published_runs.gap("Apple M1 Max (32-core GPU)", "metal") is None
    csv.unlink()  # without the table a fit still answers, without the note
    assert published_runs.gap("Apple M1 Max (32-core GPU)", "metal") is None
    assert fit.estimate(LLAMA, "Q4_K_M", hardware="M1 Max").tokens_per_s
    monkeypatch.delenv("COURSE_UTILS_DATA_DIR")
    assert published_runs.gap("Apple M1 Max (32-core GPU)", "metal").runs == 3
