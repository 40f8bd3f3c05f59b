"""Encoding and segment counting at the exact boundaries carriers bill."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renderers.sms import CAPACITY, GSM_EXTENSION, analyse, is_gsm
from renderers.sms.gsm import count_units

EXTENSION = sorted(GSM_EXTENSION)


@pytest.mark.parametrize(
    ("length", "segments", "per_segment"),
    [(1, 1, 160), (160, 1, 160), (161, 2, 153), (306, 2, 153), (307, 3, 153),
     (459, 3, 153), (460, 4, 153)],
)  # fmt: skip
def test_gsm_boundaries(length, segments, per_segment):
    sms = analyse("a" * length)
    assert (sms.encoding, sms.segments, sms.units, sms.per_segment) == (
        "GSM-7", segments, length, per_segment,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_boundaries(length, segments):
    sms = analyse("ç" * length)
    assert (sms.encoding, sms.segments, sms.units) == ("UCS-2", segments, length)


def test_one_non_gsm_character_switches_the_whole_message():
    assert analyse("a" * 100).segments == 1
    sms = analyse("a" * 99 + "ê")
    assert (sms.encoding, sms.segments) == ("UCS-2", 2)


@pytest.mark.parametrize(("char", "encoding"), [("Ç", "GSM-7"), ("ç", "UCS-2")])
def test_cedilla_upper_is_gsm_lower_is_not(char, encoding):
    assert analyse(f"Fa{char}ade").encoding == encoding


@pytest.mark.parametrize("char", ["à", "è", "é", "ù", "ì", "ò", "É", "Ç", "ü", "@", "£", "¤", "§"])
def test_french_letters_in_the_basic_alphabet(char):
    assert is_gsm(char) and count_units(char) == 1


@pytest.mark.parametrize("char", [*"âêîôûëïÿœŒ«»’…°`", "\u00a0", "\u202f"])
def test_french_traps_are_not_gsm(char):
    assert not is_gsm(char)


@pytest.mark.parametrize("char", EXTENSION)
def test_every_extension_character_costs_two_septets(char):
    assert is_gsm(char)
    assert analyse("a" * 158 + char).segments == 1
    assert analyse("a" * 159 + char).segments == 2
    assert analyse(char).units == 2


@pytest.mark.parametrize("char", EXTENSION)
def test_extension_character_costs_one_unit_in_ucs2(char):
    assert analyse("ç" + char).units == 2


@pytest.mark.parametrize("char", EXTENSION)
def test_escape_pair_straddling_153_moves_whole(char):
    # 152 + 2 + 152 = 306 septets: ceil(306/153) = 2, but the pair cannot start at 153.
    sms = analyse("a" * 152 + char + "b" * 152)
    assert sms.parts[0] == "a" * 152
    assert sms.parts[1] == char + "b" * 151
    assert sms.parts[2] == "b"
    assert sms.segments == 3 > math.ceil(sms.units / 153)


def test_escape_pair_ending_exactly_at_153_stays():
    sms = analyse("a" * 151 + "€" + "b" * 153)
    assert sms.parts == ("a" * 151 + "€", "b" * 153)


def test_emoji_straddling_67_moves_whole():
    # 66 + 2 + 66 = 134 units: ceil(134/67) = 2, but the surrogate pair cannot start at 67.
    text = "ç" + "a" * 65 + "😀" + "b" * 66
    sms = analyse(text)
    assert sms.encoding == "UCS-2" and sms.units == 134
    assert sms.parts == ("ç" + "a" * 65, "😀" + "b" * 65, "b")
    assert sms.segments == 3


def test_emoji_outside_the_bmp_costs_two_units():
    assert analyse("😀").units == 2
    assert analyse("😀" * 35).segments == 1
    assert analyse("😀" * 36).segments == 2


@given(st.text(max_size=700))
def test_parts_rebuild_the_text_and_fit_their_segment(text):
    sms = analyse(text)
    assert "".join(sms.parts) == text
    single, multi = CAPACITY[sms.encoding]
    assert sms.per_segment == (single if sms.segments == 1 else multi)
    for part in sms.parts:
        assert count_units(part, sms.encoding) <= sms.per_segment
    # Greedy filling wastes at most one unit per part.
    assert sms.segments <= max(1, math.ceil(sms.units / sms.per_segment + sms.segments / multi))
