"""Printing the plan: the PDF rendering behind the print view (pdf.py)."""
