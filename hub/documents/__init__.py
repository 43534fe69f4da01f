"""What the office prints and hands over: the year's report, a place's 実績報告書, the survey,
a disclosure, exports and their safe file names; how every workbook is set up to print
(sheet.py) and what every PDF shares (pdf.py)."""
