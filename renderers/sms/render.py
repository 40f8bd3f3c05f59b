"""Message → the exact SMS text to send, with its encoding, segments and cost."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from babel.numbers import format_currency

from renderers.errors import RenderError, RenderErrorCode
from renderers.i18n import babel_locale, gettext
from renderers.message import Message, Rendition, Urgency
from renderers.poll import sms_lines
from renderers.sms.gsm import SMSAnalysis, analyse
from renderers.sms.smart import SmartPolicy, smart_encode

FORM = "sms"


@dataclass(frozen=True)
class SMSConfig:
    """Per-organisation SMS settings. `signature` empty means the organisation's name."""

    signature: str = ""
    policy: SmartPolicy | str = SmartPolicy.FULL
    max_parts: int = 3
    prices: Mapping[str, Decimal] = field(default_factory=dict, hash=False)
    currency: str = "EUR"
    opt_out: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "policy", SmartPolicy(self.policy))
        if self.max_parts < 1:
            raise ValueError(f"max_parts must be at least 1, not {self.max_parts}")
        prices = {code.upper(): Decimal(str(price)) for code, price in self.prices.items()}
        object.__setattr__(self, "prices", MappingProxyType(prices))

    def cost(self, segments: int, country: str) -> Decimal | None:
        """Price of `segments` to `country`, or None when no price is configured for it."""
        price = self.prices.get(country.upper())
        return None if price is None else price * segments


DEFAULT_CONFIG = SMSConfig()


def _compose(message: Message, config: SMSConfig, lead: str) -> str:
    locale = message.locale
    lines = [lead]
    if message.poll is not None:
        lines += sms_lines(message.poll, locale)
    signature = config.signature or message.organisation
    if signature:
        lines.append(signature)
    if config.opt_out:
        lines.append(gettext(locale, "Stop SMS : répondez STOP"))
    return "\n".join(line.strip() for line in lines if line.strip())


def _lead(message: Message, text: str) -> str:
    if message.urgency is Urgency.URGENT:
        alert = gettext(message.locale, "ALERTE :")  # a plain call, so extraction finds it
        return f"{alert} {text}"
    return text


def compose_sms(message: Message, config: SMSConfig = DEFAULT_CONFIG) -> tuple[str, bool]:
    """The text to send (smart-encoded) and whether it is the short form (title + link).

    Raises `RenderError(TOO_LONG)` when neither form fits `config.max_parts`.
    """
    if not message.summary.strip():
        raise RenderError(RenderErrorCode.MISSING_FIELD, "the summary is empty", form=FORM)
    full = smart_encode(_compose(message, config, _lead(message, message.summary)), config.policy)
    full_sms = analyse(full)
    if full_sms.segments <= config.max_parts:
        return full, False
    limit = f"the limit is {config.max_parts} segment(s)"
    if not message.public_url:
        raise RenderError(
            RenderErrorCode.TOO_LONG,
            f"the SMS needs {full_sms.segments} segments ({full_sms.units} {_unit(full_sms)}, "
            f"{full_sms.encoding}), {limit}, and there is no public URL for a short form",
            form=FORM,
        )
    details = gettext(message.locale, "Détails :")
    lead = _lead(message, f"{message.title.strip()}\n{details} {message.public_url}")
    short = smart_encode(_compose(message, config, lead), config.policy)
    short_sms = analyse(short)
    if short_sms.segments <= config.max_parts:
        return short, True
    raise RenderError(
        RenderErrorCode.TOO_LONG,
        f"the SMS needs {full_sms.segments} segments and its short form (title + link) "
        f"{short_sms.segments} ({short_sms.units} {_unit(short_sms)}, {short_sms.encoding}); "
        f"{limit}",
        form=FORM,
    )


def _unit(sms: SMSAnalysis) -> str:
    return "septets" if sms.encoding == "GSM-7" else "UTF-16 units"


def render_sms(
    message: Message, config: SMSConfig = DEFAULT_CONFIG, *, country: str = "FR"
) -> Rendition:
    """The SMS rendition of `message`: body is the exact text sent, meta what a preview shows."""
    text, shortened = compose_sms(message, config)
    sms = analyse(text)
    cost = config.cost(sms.segments, country)
    return Rendition(
        form=FORM,
        locale=message.locale,
        media_type="text/plain",
        body=text,
        meta={
            "encoding": sms.encoding,
            "segments": sms.segments,
            "units": sms.units,
            "per_segment": sms.per_segment,
            "characters": sms.characters,
            "parts": sms.parts,
            "cost": "" if cost is None else str(cost),
            # What a preview shows, in the reader's locale (`0,15 €`, `€0.15`, `0,15 €`).
            "cost_text": ""
            if cost is None
            else format_currency(cost, config.currency, locale=babel_locale(message.locale)),
            "currency": config.currency,
            "country": country.upper(),
            "policy": str(config.policy),
            "shortened": shortened,
            "max_parts": config.max_parts,
        },
    )
