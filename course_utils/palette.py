"""Chart colours and second cues shared by every chart of the course.

Colours stay apart for the common colour-vision deficiencies (Okabe & Ito, "Color Universal
Design", 2008); each series also has a cue that needs no colour at all: a hatch per bar series, a
marker per point series, a line style per line.
"""
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
