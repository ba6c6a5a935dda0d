"""Bounds on hostile or absurd input, kept together so they can be reviewed at a glance."""

MAX_PROBLEMS = 50
MAX_ID_LENGTH = 250  # a message id longer than this is treated as invalid
MAX_REFERENCES = 100
MAX_PARTS = 500
MAX_DEPTH = 30
MAX_FILENAME = 200
MAX_ADDRESSES = 500  # per header
MAX_LINE = 998  # RFC 5322's line limit, applied to the subject, names and audit headers
MAX_HTML_TO_CONVERT = 1_000_000  # characters; html.parser needs about a second per million
AUDIT_HEADERS = ("Message-ID", "From", "To", "Subject", "Date", "Auto-Submitted", "Return-Path")
ENVELOPE_HEADERS = ("delivered-to", "x-original-to", "x-envelope-to", "envelope-to", "x-rcpt-to")
