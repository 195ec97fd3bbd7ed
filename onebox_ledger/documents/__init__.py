"""Documents a customer receives, made from the books: invoices and credit notes (PDF/A-3 with
the EN 16931 XML embedded, HTML, XML), reminders and statements of account.

One module a step: content (what a document says, read from the entries: pure), words (the
language's words, numbers and dates), cii (the e-invoice XML), pdf and html (the renderings),
filing (where an issued document lies, its ``document`` entry and SHA-256, verify's check).
Issuing writes through onebox_ledger.actions.documents and the store.
"""
