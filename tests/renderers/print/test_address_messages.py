"""Address problems read well in every language."""

from __future__ import annotations


def test_a_quoted_french_line_keeps_its_order_in_an_arabic_message():
    """In Arabic the quoted address is isolated (FSI … PDI): without it the bidi algorithm
    moved its quotes and words around the Arabic sentence. Other languages are untouched."""
    from renderers.print.address import AddressProblem, AddressProblemCode

    problem = AddressProblem(
        AddressProblemCode.TOO_LONG, 2, {"length": 49, "limit": 38, "text": "'Résidence B'"}
    )
    assert problem.message("ar").endswith("\u2068'Résidence B'\u2069")
    assert problem.message("fr").endswith(": 'Résidence B'")
    assert "\u2068" not in problem.message("en")
