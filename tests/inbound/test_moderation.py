"""The offline classifier: verdicts and reasons, normalisation (accents, case, repeated letters,
leetspeak, spelled-out words), personal data, allow-lists, ordinary words left alone."""

from __future__ import annotations

import pytest

from inbound.moderation import WordListError, classify, load_lists, read_list, shipped_locales

LISTS = load_lists()


@pytest.mark.parametrize(
    ("text", "verdict", "reason"),
    [
        ("Merci pour l’information, bonne journée", "ok", ""),
        ("Espèce de connard", "to_review", "insult: connard (fr)"),
        ("ESPÈCE DE CONNNNNARD", "to_review", "insult: connard (fr)"),
        ("c0nn4rd", "to_review", "insult: connard (fr)"),
        ("C.O.N.N.A.R.D", "to_review", "insult: connard (fr)"),
        ("c o n n a s s e", "to_review", "insult: connasse (fr)"),
        ("Je vais vous tuer", "to_review", "threat: je vais vous tuer (fr)"),
        ("sale arabe", "to_review", "hate: sale arabe (fr)"),
        ("what the fuuuck", "to_review", "insult: fuck* (en)"),
        ("I know where you live", "to_review", "threat: i know where you live (en)"),
        ("Rappelez-moi au 06 12 34 56 78", "to_review", "personal data: phone number"),
        ("Call me on +33612345678", "to_review", "personal data: phone number"),
        ("écrivez à jean.dupont@example.org", "to_review", "personal data: e-mail address"),
        ("J’habite au 5 bis rue des Lilas", "to_review", "personal data: street address"),
        ("Mon IBAN FR76 3000 6000 0112 3456 7890 189", "to_review", "personal data: bank account"),
        ("Vous avez gagné ! Cliquez ici http://x.top/a", "spam", "spam: vous avez gagne (fr)"),
        ("crypto bitcoin investissement garanti", "spam", "spam: crypto (en)"),
        ("http://a.xyz/1 http://b.xyz/2 http://c.xyz/3", "spam", "spam: 3 links"),
        ("Le casino ouvre quand ?", "to_review", "spam: casino (en)"),
    ],
)
def test_verdicts_and_reasons(text, verdict, reason):
    result = classify(text, LISTS)
    assert (result.verdict.value, result.reason) == (verdict, reason)


@pytest.mark.parametrize(
    "text",
    [
        "La veuve du boulanger remercie la mairie",  # public lists flag "veuve"
        "Un gros merci pour la baisse des impôts",  # "gros", "baiser" ≠ "baisse"
        "Je dois bosser mardi, la coupure tombe mal",
        "Le contact de la mairie est-il le bon ?",  # "con" inside a word
        "Vengo con mi familia al mercado",  # Spanish "con"
        "La réunion du 12 mars à 18 h 30 réunira 10 000 habitants",  # numbers, no phone
        "Die Brücke ist gesperrt",  # German "die"
    ],
)
def test_ordinary_words_are_left_alone(text):
    assert classify(text, LISTS).verdict.value == "ok", classify(text, LISTS)


def test_an_organisation_allows_words_and_adds_its_own():
    lists = load_lists(extra=[("insult", "tocard")], allowed=["guignol"])
    assert classify("Le maire est un guignol", lists).verdict.value == "ok"
    assert classify("Quel tocard", lists).reason == "insult: tocard"
    assert classify("Quels tocards", lists).reason == "insult: tocard"


def test_lists_are_data_per_locale_and_checked():
    assert {"fr", "en"} <= set(shipped_locales())
    french = read_list("fr")
    assert len(french) > 100 and {t.category for t in french} >= {"insult", "threat", "hate"}
    with pytest.raises(WordListError, match="no word list for locale 'xx'"):
        load_lists(["xx"])
    with pytest.raises(WordListError, match="category must be one of"):
        load_lists([], extra=[("rude", "x")])


def test_one_locale_only_uses_its_list():
    assert classify("fuck", load_lists(["fr"])).verdict.value == "ok"
    assert classify("fuck", load_lists(["en"])).verdict.value == "to_review"


def test_the_result_says_every_match():
    result = classify("connard, je vais te tuer, 06 12 34 56 78", LISTS).as_dict()
    assert result["verdict"] == "to_review"
    assert [m["category"] for m in result["matches"]] == [
        "insult",
        "threat",
        "threat",
        "personal data",
    ]
    assert result["reason"] == "insult: connard (fr)"
