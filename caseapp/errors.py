"""Errors raised by services; views turn them into messages, never into a 500."""


class ServiceError(Exception):
    """A rule was broken; the message is shown to the user."""


class StaleEdit(ServiceError):
    """Someone else changed the record since the form was opened."""


class PermissionDenied(ServiceError):
    pass
