from gateway.accounts.models import ProviderAccount
from gateway.media.models import JobStatus, MediaJob
from gateway.messaging.models import (
    EmailConfirmation,
    UnsubscribeLink,
    WebhookEvent,
    WhatsAppTemplate,
)
from gateway.models.announcement import Announcement, AnnouncementText, Rendition, Status, Urgency
from gateway.models.audience import PreferenceLink, SignupCode, SignupQuota, Suppression
from gateway.models.audit import AuditEvent
from gateway.models.citizen import CHANNELS, Channel, Citizen, Consent, ConsentSource
from gateway.models.delivery import Delivery, DeliveryStatus
from gateway.models.heartbeat import Heartbeat
from gateway.models.inbound import InboundMessage
from gateway.models.organisation import (
    ApiKey,
    Area,
    Membership,
    Organisation,
    OrganisationLogo,
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
    "EmailConfirmation",
    "DeliveryStatus",
    "Heartbeat",
    "InboundMessage",
    "JobStatus",
    "MediaJob",
    "Membership",
    "Organisation",
    "OrganisationLogo",
    "PreferenceLink",
    "ProviderAccount",
    "Rendition",
    "Role",
    "Scope",
    "SignupCode",
    "SignupQuota",
    "Status",
    "Suppression",
    "Topic",
    "UnsubscribeLink",
    "Urgency",
    "WebhookEvent",
    "WhatsAppTemplate",
]

# The conversation domain keeps its models in its package (gateway/conversation/models.py).
from gateway.conversation.models import (  # noqa: E402
    Ballot,
    CommentCursor,
    Embedding,
    Poll,
    PollAnswer,
    PollText,
    Question,
    Reply,
    Review,
    SenderBlock,
    WordEntry,
)

__all__ += [
    "Ballot",
    "CommentCursor",
    "Embedding",
    "Poll",
    "PollAnswer",
    "PollText",
    "Question",
    "Reply",
    "Review",
    "SenderBlock",
    "WordEntry",
]

from gateway.alerts.models import CapAlert, CapFeed  # noqa: E402

__all__ += ["CapAlert", "CapFeed"]
