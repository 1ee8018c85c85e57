"""Importing contacts from CSV and .xlsx files: reading (`reading`), the columns' meaning
(`mapping`) and the batched, resumable import itself (`job`)."""
