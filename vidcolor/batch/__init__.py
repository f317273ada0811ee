"""Whole archives: jobs found in folders, processed one by one or in killable worker processes,
each failure one line while the batch goes on, and a JSON report.
"""
