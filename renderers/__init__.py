"""Pure renderers: a frozen `Message` in, a `Rendition` out. No Django here."""

from renderers.errors import RenderError, RenderErrorCode
from renderers.message import Message, Rendition, Urgency

__all__ = ["Message", "Rendition", "RenderError", "RenderErrorCode", "Urgency"]
