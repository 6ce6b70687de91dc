"""smecluster: the platform for China's SME characteristic industrial cluster programme."""

__version__ = "0.1.0"
