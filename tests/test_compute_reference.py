"""A named CPU's compute rate carried over from a core of the same design (compute_reference)."""
import pytest

from course_utils import compute_reference, data
from course_utils.compute_reference import file_type_matrices, transferred_rate


@pytest.mark.parametrize("file_type, types", [
    # llama-quant.cpp: the ftype switch's default_type, and output.weight's rule (Q5_K for these i-quants)
    ("IQ2_XXS", ("IQ2_XXS", "Q5_K")), ("IQ2_XS", ("IQ2_XS", "Q5_K")), ("IQ2_S", ("IQ2_XS", "Q5_K")),
    ("IQ2_M", ("IQ2_S", "Q5_K")), ("IQ3_XXS", ("IQ3_XXS", "Q5_K")), ("IQ1_M", ("IQ1_M", "Q5_K")),
    # ... Q6_K for the others, except a Q8_0 file's (kept) and unquantized files'
    ("IQ3_S", ("IQ3_S", "Q6_K")), ("IQ3_M", ("IQ3_S", "Q6_K")), ("IQ4_XS", ("IQ4_XS", "Q6_K")),
    ("Q4_K_M", ("Q4_K", "Q6_K")), ("q4_k_s", ("Q4_K", "Q6_K")), ("Q2_K_S", ("Q2_K", "Q6_K")),
    ("Q4_0", ("Q4_0", "Q6_K")), ("Q8_0", ("Q8_0", "Q8_0")), ("BF16", ("BF16", "BF16")), ("F16", ("F16", "F16")),
])
def test_file_types_as_llama_quantize_writes_them(file_type, types):
    assert file_type_matrices(file_type) == types


def test_a_file_type_llama_quantize_does_not_write_has_no_types():
    assert file_type_matrices("Q4_K_XL") is None


def _rows(*rows):
    base = {"cpu": "Test CPU", "core": "Zen 4", "isa": "AVX-512", "engine": "xllamacpp 0", "layer_type": "Q4_0",
            "output_type": "Q6_K", "measured": "2026-12-04", "source_url": "https://example.org"}
    return tuple(dict(base, **r) for r in rows)


def test_the_rate_scales_with_the_clock_and_keeps_the_cycles(monkeypatch):
    monkeypatch.setattr(compute_reference.data, "load", lambda name: _rows(
        {"threads": 1, "gmacs": 20.0, "row_ns": 10.0, "clock_ghz": 4.0},
        {"threads": 2, "gmacs": 36.0, "row_ns": 6.0, "clock_ghz": 3.6}))
    r = transferred_rate("zen 4", 5.4, 2, "Q4_0", "Q6_K")
    # the 2-thread row: 36 GMAC/s at 3.6 GHz is 10 MACs per cycle; at 5.4 GHz 54 GMAC/s; a row's 21.6 cycles 4 ns
    assert (r.gmacs, r.row_ns, r.threads, r.reference_threads, r.reference_clock_ghz) == (54.0, 4.0, 2, 2, 3.6)
    # 4 threads: the 2-thread row (the nearest below), twice the cores
    r4 = transferred_rate("Zen 4", 3.6, 4, "Q4_0", "Q6_K")
    assert (r4.gmacs, r4.row_ns, r4.reference_threads) == (72.0, 3.0, 2)
    # 1 thread: its own row
    assert transferred_rate("Zen 4", 2.0, 1, "Q4_0", "Q6_K").gmacs == 10.0


def test_no_rate_without_a_reference_or_a_clock(monkeypatch):
    monkeypatch.setattr(compute_reference.data, "load", lambda name: _rows(
        {"threads": 2, "gmacs": 36.0, "row_ns": 6.0, "clock_ghz": 3.6}))
    assert transferred_rate("Zen 5", 5.0, 2, "Q4_0", "Q6_K") is None  # another design
    assert transferred_rate("Zen 4", 5.0, 2, "IQ2_XXS", "Q5_K") is None  # types not measured
    assert transferred_rate("Zen 4", 0, 2, "Q4_0", "Q6_K") is None
    assert transferred_rate("Zen 4", 5.0, 0, "Q4_0", "Q6_K") is None
    # fewer threads than any reference: the smallest, scaled down
    assert transferred_rate("Zen 4", 3.6, 1, "Q4_0", "Q6_K").gmacs == 18.0


def test_the_shipped_reference_covers_the_published_zen4_rows():
    ref = data.load("cpu_compute_reference")
    assert ref and all(0.5 < r["clock_ghz"] < 7 and r["gmacs"] > 0 and r["row_ns"] >= 0 for r in ref)
    measured = {(r["core"], r["threads"], r["layer_type"], r["output_type"]) for r in ref}
    labels = {" - Small": "_S", " - Medium": "_M"}
    for row in data.load("llamacpp_cpu_results"):
        if row["core"] == "Zen 4" and row["threads"] and row["clock_ghz"]:
            quant = row["quant"]
            for tail, short in labels.items():
                quant = quant.replace(tail, short)
            assert ("Zen 4", row["threads"], *file_type_matrices(quant)) in measured, row["quant"]


def test_a_published_row_with_a_clock_names_where_the_clock_is_from():
    rows = [r for r in data.load("llamacpp_cpu_results") if r["clock_ghz"]]
    assert rows
    for r in rows:
        assert r["clock_source_url"].startswith("http") and r["core"], r["cpu"]
