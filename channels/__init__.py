"""Delivery channels: one adapter per provider. No Django here."""

from channels.base import Channel, Receipt, Recipient
from channels.errors import ChannelError, PermanentChannelError, RetryableChannelError

__all__ = [
    "Channel",
    "ChannelError",
    "PermanentChannelError",
    "Receipt",
    "Recipient",
    "RetryableChannelError",
]
