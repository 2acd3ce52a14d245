"""Spreadsheets in and out: column layouts, import, export."""
