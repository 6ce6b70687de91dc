"""Documents people fill offline: the application form and the annual information form as XLSX workbooks.

Pure Python (no Django): a workbook is written from, and read back into, the typed models of the domain
core (``smecluster.profile.ClusterProfile``, ``smecluster.annual_figures.AnnualFigures``), so that a form
filled in Excel is validated exactly as the pages validate it.
"""
