"""`crieur sms inspect`: how a text will be encoded, split and billed. No Django needed."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation

from gateway.cli import CLIError
from renderers.sms import SmartPolicy, analyse, smart_encode


def register(subparsers: argparse._SubParsersAction) -> None:
    sms = subparsers.add_parser("sms", help="SMS tools (encoding, segments, cost)")
    commands = sms.add_subparsers(dest="sms_command", metavar="SUBCOMMAND", required=True)
    inspect = commands.add_parser(
        "inspect", help="show encoding, segments and cost of a text as it would be sent"
    )
    inspect.add_argument("text", metavar="TEXT", help="the SMS text ('-' reads standard input)")
    inspect.add_argument(
        "--raw", action="store_true", help="count the text exactly as given (policy off)"
    )
    inspect.add_argument(
        "--policy", choices=[p.value for p in SmartPolicy], default=SmartPolicy.FULL.value
    )
    inspect.add_argument("--signature", default="", help="append this signature line")
    inspect.add_argument("--country", default="FR", help="destination country (ISO code)")
    inspect.add_argument("--price", help="price of one segment, e.g. 0.0725")
    inspect.add_argument("--currency", default="EUR")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(handler=inspect_command)


def _price(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise CLIError(f"--price must be a decimal number, not {value!r}") from None
    if not price.is_finite() or price < 0:
        raise CLIError(f"--price must be a positive decimal number, not {value!r}")
    return price


def inspect_command(args: argparse.Namespace) -> int:
    text = args.text
    if text == "-":
        text = sys.stdin.read().rstrip("\n")
    if not text:
        raise CLIError("the text is empty")
    price = _price(args.price)
    policy = SmartPolicy.OFF if args.raw else SmartPolicy(args.policy)
    if args.signature and not args.raw:
        text = f"{text}\n{args.signature}"
    sent = smart_encode(text, policy)
    sms = analyse(sent)
    cost = None if price is None else price * sms.segments
    report = {
        "encoding": sms.encoding,
        "segments": sms.segments,
        "units": sms.units,
        "characters": sms.characters,
        "per_segment": sms.per_segment,
        "parts": list(sms.parts),
        "text": sent,
        "changed": sent != text,
        "policy": policy.value,
        "country": args.country.upper(),
        "cost": None if cost is None else str(cost),
        "currency": args.currency,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    unit = "septets" if sms.encoding == "GSM-7" else "UTF-16 units"
    print(f"encoding:   {sms.encoding}")
    print(f"segments:   {sms.segments} ({sms.per_segment} {unit} per segment)")
    print(f"size:       {sms.units} {unit}, {sms.characters} characters")
    print(f"policy:     {policy.value}{' (text changed)' if sent != text else ''}")
    if cost is not None:
        print(f"cost:       {cost} {args.currency} ({args.country.upper()})")
    for number, part in enumerate(sms.parts, start=1):
        print(f"--- part {number}/{sms.segments} ---")
        print(part)
    return 0
