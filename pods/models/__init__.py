"""The pods app's models, one module per subject; import them from here."""

from pods.models.decisions import (
    PROPOSABLE_SETTINGS,
    Decision,
    Proposal,
    ProposalQuerySet,
    ProposalResponse,
)
from pods.models.moderation import REPORT_PERIOD, ModerationAction, Report, ReportQuerySet
from pods.models.pods import (
    CONTACT_RETENTION_DAYS,
    DETAILS_RETENTION_DAYS,
    Membership,
    Person,
    Pod,
    PodProposal,
    PodQuerySet,
    PostalCode,
)
from pods.models.safeguarding import VETTING_PERIOD, Vetting, VettingQuerySet

__all__ = [
    "CONTACT_RETENTION_DAYS",
    "DETAILS_RETENTION_DAYS",
    "Person",
    "PodQuerySet",
    "Pod",
    "PostalCode",
    "Membership",
    "PodProposal",
    "REPORT_PERIOD",
    "ReportQuerySet",
    "Report",
    "ModerationAction",
    "PROPOSABLE_SETTINGS",
    "ProposalQuerySet",
    "Proposal",
    "ProposalResponse",
    "Decision",
    "VETTING_PERIOD",
    "Vetting",
    "VettingQuerySet",
]
