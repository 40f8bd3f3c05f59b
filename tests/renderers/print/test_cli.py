import csv
from pathlib import Path

import pytest

from gateway.cli import main

ROOT = Path(__file__).resolve().parents[3]
ANNOUNCEMENT = ROOT / "examples" / "coupure-eau.yaml"
CITIZENS = ROOT / "examples" / "citizens.csv"


def test_print_notice(tmp_path, capsys):
    out = tmp_path / "notice.pdf"
    assert (
        main(
            [
                "print",
                "notice",
                str(ANNOUNCEMENT),
                "--locale",
                "en",
                "--large-print",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_print_letters_reports_rejected_addresses(tmp_path, capsys):
    code = main(
        [
            "print",
            "letters",
            "--announcement",
            str(ANNOUNCEMENT),
            "--citizens",
            str(CITIZENS),
            "-o",
            str(tmp_path),
            "--place",
            "Saint-Crieur",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "1 address(es) not printed" in err  # the sample has one bad postcode
    with open(tmp_path / "letters.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["reference"] for r in rows] == ["C-0001", "C-0003", "C-0004"]
    assert (tmp_path / "letters-large-print.pdf").exists()


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("reference,nom\n", "unknown column 'nom'"),
        ("reference,name,city\n", "missing column 'postcode'"),
        (
            "reference,name,postcode,city,large_print\nR,A B,01234,X,peut-être\n",
            "line 2: large_print must be yes or no",
        ),
    ],
)
def test_bad_citizens_csv(tmp_path, capsys, csv_text, message):
    path = tmp_path / "c.csv"
    path.write_text(csv_text, encoding="utf-8")
    code = main(
        [
            "print",
            "letters",
            "--announcement",
            str(ANNOUNCEMENT),
            "--citizens",
            str(path),
            "-o",
            str(tmp_path / "out"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1


def test_missing_files(tmp_path, capsys):
    assert main(["print", "notice", str(tmp_path / "nope.yaml")]) == 2
    assert (
        main(
            [
                "print",
                "letters",
                "--announcement",
                str(ANNOUNCEMENT),
                "--citizens",
                str(tmp_path / "nope.csv"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("crieur: error: ") for line in err)
