"""The moderators' product: reports, the review queue, sanctions, appeals and the audit log."""
