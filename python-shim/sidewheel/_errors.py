"""Exceptions raised when requirements cannot be activated.

They live in their own dependency-free module so that ``except
sidewheel.ResolutionError`` never pulls in the resolver.
"""


class ResolutionError(ImportError):
    """The requested distributions cannot be made active.

    A subclass of ImportError because it is raised from ``import`` statements
    when ``__main__.__requires__`` cannot be honoured.  ``requirement`` and
    ``required_by`` name the requirement that failed and who asked for it
    (``None`` when the failure is not about one requirement).
    """

    # Requirement text may be megabytes long: a message says what is wrong in
    # at most this many characters.
    MAX_MESSAGE = 4000

    def __init__(self, message, requirement=None, required_by=None):
        if len(message) > self.MAX_MESSAGE:
            message = message[:self.MAX_MESSAGE] + "..."
        ImportError.__init__(self, message)
        self.requirement = requirement
        self.required_by = required_by


class DistributionNotFound(ResolutionError):
    """No installed version (default or side) satisfies a requirement."""


class VersionConflict(ResolutionError):
    """Installed versions satisfy each requirement, but not all of them at once,
    or a version that would be needed cannot replace one already imported or active."""


# Shown as sidewheel.VersionConflict in tracebacks (the package exports them lazily).
for _cls in (ResolutionError, DistributionNotFound, VersionConflict):
    _cls.__module__ = "sidewheel"
del _cls
