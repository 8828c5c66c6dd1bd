"""The masking service, under the name the notifications have always imported it by: it is
``caseapp.masking`` (one service for every text that leaves the system)."""

from caseapp.masking import (
    MASKED_CASE_TITLE,
    MASKED_DOCUMENT_TITLE,
    MASKED_FOLLOWUP_TITLE,
    CancellationNotice,
    DocumentNotice,
    FollowUpNotice,
    followup_is_confidential,
    mask_cancellation_for_notice,
    mask_document_for_notice,
    mask_followup_for_notice,
)

__all__ = [
    "MASKED_CASE_TITLE",
    "MASKED_DOCUMENT_TITLE",
    "MASKED_FOLLOWUP_TITLE",
    "CancellationNotice",
    "DocumentNotice",
    "FollowUpNotice",
    "followup_is_confidential",
    "mask_cancellation_for_notice",
    "mask_document_for_notice",
    "mask_followup_for_notice",
]
