"""onebox-ledger: the double-entry books of a OneBox partner, in plain-text Beancount."""

__version__ = "0.1.0"
