"""Smart encoding: French replacements that save segments and never damage a GSM-7 text."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from renderers.sms import SmartPolicy, analyse, apply_policy, is_gsm, smart_encode

POLICIES = list(SmartPolicy)


@pytest.mark.parametrize(
    ("source", "punctuation", "full"),
    [
        ("l’école", "l'école", "l'école"),
        ("« Fête »", '" Fête "', '" Fete "'),
        ("«\u00a0Fête\u00a0»", '"Fête"', '"Fete"'),
        ("A – B — C", "A - B - C", "A - B - C"),
        ("Attendez…", "Attendez...", "Attendez..."),
        ("Attention\u00a0!", "Attention !", "Attention !"),
        ("Attention\u202f!", "Attention !", "Attention !"),
        ("mai\u200bson", "maison", "maison"),
        ("cœur", "cœur", "coeur"),
        ("ŒUVRE", "ŒUVRE", "OEUVRE"),
        ("reçu", "reçu", "recu"),
        ("Ça va", "Ça va", "Ça va"),
        ("fête forêt île hôtel sûr", "fête forêt île hôtel sûr", "fete foret ile hotel sur"),
        ("Noël maïs L’Haÿ", "Noël maïs L'Haÿ", "Noel mais L'Hay"),
        ("À Âge È Ê Ë Î Ï Ô Ù Û", "À Âge È Ê Ë Î Ï Ô Ù Û", "A Age E E E I I O U U"),
        ("über", "über", "über"),
        ("38 °C", "38 °C", "38 degrés C"),
        ("38°", "38°", "38 degrés"),
        ("n° 3, N°4", "n° 3, N°4", "no 3, No 4"),
        ("habitant·es", "habitant.es", "habitant.es"),
    ],
)
def test_replacements(source, punctuation, full):
    assert apply_policy(source, "off") == source
    assert apply_policy(source, "punctuation") == punctuation
    assert apply_policy(source, "full") == full


def test_typical_french_announcement_drops_from_ucs2_to_gsm():
    text = (
        "Coupure d’eau mardi 12 mars de 8\u00a0h à 12\u00a0h, rue de l’Église\u00a0: "
        "prévoyez des réserves. Le feu d’artifice de l’été est reporté… "
        "Merci de votre compréhension\u00a0!"
    )
    assert analyse(text).encoding == "UCS-2"
    sent = smart_encode(text, "punctuation")
    assert analyse(sent).encoding == "GSM-7"
    assert analyse(sent).segments < analyse(text).segments


def test_full_is_needed_when_letters_block_gsm():
    text = "Fermeture de la piscine pour travaux jusqu’au 3 mars : reprise des cours ensuite, " * 2
    text += "Fête"
    assert analyse(smart_encode(text, "punctuation")).encoding == "UCS-2"
    assert analyse(smart_encode(text, "full")).encoding == "GSM-7"


@pytest.mark.parametrize(
    "text", ["L’école est fermée 😷 jusqu’à lundi…", "مرحبا، انقطاع المياه غدا’", "水道の断水…"]
)
@pytest.mark.parametrize("policy", POLICIES)
def test_text_that_stays_ucs2_is_sent_unchanged(text, policy):
    assert smart_encode(text, policy) == text


def test_no_change_without_a_saving():
    # UCS-2 in one segment either way: replacing gains nothing, so the agent's text is kept.
    assert smart_encode("Fête à 38 °C", "full") == "Fête à 38 °C"


def _gsm_subsequence(source: str, result: str) -> bool:
    it = iter(result)
    return all(ch in it for ch in source if is_gsm(ch))


french = st.text(
    alphabet=st.sampled_from(
        list("abcdeéèàùçâêîôûëïÿœŒÀÂÉÈÊÎÔÙÇ°’‘«»“”–—…?!.:;,'\" \n€[]{}^~|\\")
        + ["\u00a0", "\u202f", "\u200b", "😀", "ß", "ñ", "ح", "中"]
    ),
    max_size=300,
)


@settings(max_examples=300)
@given(text=st.one_of(french, st.text(max_size=200)), policy=st.sampled_from(POLICIES))
@example(text="Où ? Pourquoi ?", policy=SmartPolicy.FULL)
def test_smart_encoding_properties(text, policy):
    result = smart_encode(text, policy)
    assert result.count("?") == text.count("?")  # never invents a '?'
    assert _gsm_subsequence(text, result)  # GSM-7 characters are never touched or dropped
    assert analyse(result).segments <= analyse(text).segments
    if result != text:
        assert is_gsm(result)  # a change is only ever made to reach GSM-7


@given(text=french)
def test_full_never_costs_more_than_punctuation(text):
    assert (
        analyse(smart_encode(text, "full")).segments
        <= analyse(smart_encode(text, "punctuation")).segments
    )


GSM_SAMPLE = sorted(set("azAZ09 .,'\"!?@£$éèàùÇ\n{}€"))


@given(text=st.text(alphabet=st.sampled_from(GSM_SAMPLE), max_size=200))
def test_gsm_text_is_never_changed(text):
    for policy in POLICIES:
        assert smart_encode(text, policy) == text
