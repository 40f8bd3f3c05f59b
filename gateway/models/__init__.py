from gateway.accounts.models import ProviderAccount
from gateway.media.models import JobStatus, MediaJob
from gateway.models.announcement import Announcement, AnnouncementText, Rendition, Status, Urgency
from gateway.models.audit import AuditEvent
from gateway.models.citizen import CHANNELS, Channel, Citizen, Consent, ConsentSource
from gateway.models.delivery import Delivery, DeliveryStatus
from gateway.models.inbound import InboundMessage
from gateway.models.organisation import (
    ApiKey,
    Area,
    Membership,
    Organisation,
    Role,
    Scope,
    Topic,
)

__all__ = [
    "Announcement",
    "AnnouncementText",
    "ApiKey",
    "Area",
    "AuditEvent",
    "CHANNELS",
    "Channel",
    "Citizen",
    "Consent",
    "ConsentSource",
    "Delivery",
    "DeliveryStatus",
    "InboundMessage",
    "JobStatus",
    "MediaJob",
    "Membership",
    "Organisation",
    "ProviderAccount",
    "Rendition",
    "Role",
    "Scope",
    "Status",
    "Topic",
    "Urgency",
]
