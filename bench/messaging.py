"""Messaging benchmark: sends per second through the email and WhatsApp channels alone, next
to the Twilio SMS channel measured in the same run (the baseline of the ratios).

    .venv/bin/python bench/messaging.py [--messages 2000] [--threads 8]

Each fake runs in its own process (`python -m tests.fakes.twilio`, `…whatsapp`, `…smtp`),
so the fakes do not share this process's interpreter lock with the channels. The channels
send from `--threads` threads (the delivery engine's DELIVERY_SEND_THREADS, 8), each message
to its own citizen, each email with its own unsubscribe link (as the gateway will fill it).
Every fake's count is checked afterwards: exactly one message per send. Email through an
ESP goes through django-anymail's Mailgun backend (the gateway's `AnymailTransport`, Django
configured bare in this process) to the Mailgun fake.

Provider limits are lifted (the WhatsApp fake's 80/s throughput and pair rate, and no token
bucket here): this measures what the channel code and its client can push, not the
provider's allowance. In production the engine paces each account to its channel's
`request_rate_per_sec` (WhatsApp 80/s per number, email 50/s, SMS 100/s) unless
CRIEUR_RATE_<CHANNEL> says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from channels.base import Channel, Recipient  # noqa: E402
from channels.config import TwilioConfig  # noqa: E402
from channels.email import EmailChannel, EmailConfig  # noqa: E402
from channels.twilio import TwilioSMSChannel  # noqa: E402
from channels.whatsapp import WhatsAppChannel, WhatsAppConfig  # noqa: E402
from renderers.message import Message, Rendition  # noqa: E402
from renderers.messaging import render_email, render_whatsapp_text  # noqa: E402
from renderers.sms import render_sms  # noqa: E402

ACCOUNT = "AC" + "0" * 31 + "1"
TOKEN = "bench-token"
WHATSAPP_TOKEN = "EAAGbench-token"
SMTP_USER, SMTP_PASSWORD = "crieur", "bench-password"
MAILGUN_KEY = "key-bench"
MESSAGE = Message(
    organisation="Mairie de Saint-Crieur",
    locale="fr",
    title="Coupure d’eau rue des Lilas mardi",
    summary="Coupure d’eau mardi 24 novembre de 8 h à 12 h, rue des Lilas.",
    body="En raison de travaux, l’eau sera coupée mardi 24 novembre de 8 h à 12 h.\n\n"
    "Pensez à faire des réserves. Les services techniques restent joignables.",
    contact="Services techniques, 01 23 45 67 89",
    verification_code="K7QM-2XPA",
    public_url="https://saint-crieur.example/v/K7QM-2XPA",
)


def start(module: str, *args: str) -> tuple[subprocess.Popen, list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", f"tests.fakes.{module}", *args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    words = process.stdout.readline().split()  # "ready …"
    if not words or words[0] != "ready":
        raise SystemExit(f"the {module} fake did not start")
    return process, words[1:]


def http_json(url: str) -> dict:
    with urllib.request.urlopen(url) as reply:
        return json.load(reply)


def ask(process: subprocess.Popen, command: str) -> str:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(command + "\n")
    process.stdin.flush()
    return process.stdout.readline().strip()


@dataclass
class Case:
    name: str
    channel: Channel
    rendition: Callable[[int], Rendition]
    recipient: Callable[[int], Recipient]
    count: Callable[[], int]


def measure(case: Case, messages: int, threads: int) -> float:
    """Sends per second, after a warm-up that opens the kept-alive connections."""

    def send(n: int) -> None:
        case.channel.send(case.rendition(n), case.recipient(n), idempotency_key=f"bench-{n}")

    before = case.count()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(threads * 2)))
        start_time = time.perf_counter()
        list(pool.map(send, range(threads * 2, threads * 2 + messages)))
        elapsed = time.perf_counter() - start_time
    received = case.count() - before
    if received != messages + threads * 2:
        raise SystemExit(f"{case.name}: the fake received {received}, {messages} were sent")
    return messages / elapsed


def esp_channel(sender: str, url: str) -> Channel:
    """The email channel as the gateway builds it for an `esp=mailgun` account."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure()
        django.setup()
    from gateway.messaging.esp import AnymailTransport

    config = EmailConfig(
        from_address=sender,
        esp="mailgun",
        api_key=MAILGUN_KEY,
        api_url=f"{url}/v3",
        webhook_secret="mailgun:bench-secret",
        webhook_signing_key="bench-signing-key",
    )
    return EmailChannel(config, transport=AnymailTransport(config))


def phone(n: int) -> str:
    return f"+336{n:08d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    twilio, (twilio_url,) = start("twilio", "--port", "0", "--auth-token", TOKEN)
    whatsapp, (whatsapp_url,) = start(
        "whatsapp", "--access-token", WHATSAPP_TOKEN, "--throughput", "0", "--pair-interval", "0"
    )
    plain, (host, port, _) = start("smtp", "--security", "none")
    tls, (tls_host, tls_port, ca_file) = start(
        "smtp", "--security", "starttls", "--user", f"{SMTP_USER}:{SMTP_PASSWORD}"
    )
    mailgun, (mailgun_url,) = start("mailgun", "--api-key", MAILGUN_KEY)
    processes = [twilio, whatsapp, plain, tls, mailgun]
    try:
        sms = render_sms(MESSAGE)
        text = render_whatsapp_text(MESSAGE)
        mail = render_email(MESSAGE)

        def personal(n: int) -> Rendition:
            url = f"https://saint-crieur.example/u/{n:012d}"
            return replace(mail, meta={**mail.meta, "unsubscribe_url": url})

        def citizen(n: int) -> Recipient:
            return Recipient(reference=f"c{n}", phone=phone(n), email=f"c{n}@example.org")

        sender = "Mairie de Saint-Crieur <infos@saint-crieur.example>"
        cases = [
            Case(
                "twilio_sms (baseline)",
                TwilioSMSChannel(
                    TwilioConfig(ACCOUNT, TOKEN, from_number="+33700000001", base_url=twilio_url)
                ),
                lambda n: sms,
                citizen,
                lambda: sum(http_json(f"{twilio_url}/_fake/count_by_to").values()),
            ),
            Case(
                "whatsapp (text)",
                WhatsAppChannel(
                    WhatsAppConfig(
                        "106540352242922",
                        "102290129340398",
                        WHATSAPP_TOKEN,
                        "bench-app-secret",
                        "bench-verify-token-0123",
                        base_url=whatsapp_url,
                    )
                ),
                lambda n: text,
                citizen,
                lambda: http_json(f"{whatsapp_url}/_fake/count")["messages"],
            ),
            Case(
                "email (local relay, no TLS)",
                EmailChannel(EmailConfig(host, sender, port=int(port), security="none")),
                personal,
                citizen,
                lambda: int(ask(plain, "count")),
            ),
            Case(
                "email (STARTTLS + login)",
                EmailChannel(
                    EmailConfig(
                        tls_host,
                        sender,
                        port=int(tls_port),
                        username=SMTP_USER,
                        password=SMTP_PASSWORD,
                        ca_file=ca_file,
                    )
                ),
                personal,
                citizen,
                lambda: int(ask(tls, "count")),
            ),
        ]
        cases.append(
            Case(
                "email (ESP: Mailgun API by django-anymail)",
                esp_channel(sender, mailgun_url),
                personal,
                citizen,
                lambda: http_json(f"{mailgun_url}/_fake/count")["messages"],
            )
        )
        load = os.getloadavg()[0]
        rates = [(case.name, measure(case, args.messages, args.threads)) for case in cases]
        sessions = ask(tls, "sessions")
    finally:
        for process in processes:
            process.terminate()
            process.wait(10)
    baseline = rates[0][1]
    print(f"{args.messages} messages per channel, {args.threads} threads, load {load:.2f}")
    print("| channel | sends/s | vs Twilio SMS |\n| --- | ---: | ---: |")
    for name, rate in rates:
        print(f"| {name} | {rate:,.0f} | {rate / baseline:.2f}× |")
    print(f"STARTTLS sessions opened: {sessions} (one per thread, kept alive)")


if __name__ == "__main__":
    main()
