"""Beancount plugins of onebox-ledger, one module each (named in main.beancount)."""
