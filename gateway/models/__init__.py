from gateway.models.announcement import Announcement, AnnouncementText, Rendition, Status, Urgency
from gateway.models.audit import AuditEvent
from gateway.models.citizen import CHANNELS, Channel, Citizen, Consent, ConsentSource
from gateway.models.delivery import Delivery, DeliveryStatus
from gateway.models.organisation import ApiKey, Area, Membership, Organisation, Role, Topic

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
    "Membership",
    "Organisation",
    "Rendition",
    "Role",
    "Status",
    "Topic",
    "Urgency",
]
