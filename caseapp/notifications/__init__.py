"""Notifications: the outbox of mail the system owes somebody, its delivery and subscriptions."""
