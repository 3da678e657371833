"""CSV files in, checked rows, the bulk writer: one transaction per import.

Imports matching/, store/.
"""
