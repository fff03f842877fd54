"""Verbs that write, for the box's own pages: claiming the box, accounts, the audit log."""
