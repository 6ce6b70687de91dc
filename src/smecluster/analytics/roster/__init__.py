"""The enterprise roster (企业名录) of a cluster, by subject: ``reading`` (parsing and checking a roster
from XLSX or CSV), ``indicators`` (the figures a roster gives) and ``workbooks`` (the template, the error
report and a roster written back). This package re-exports nothing; import the module you need."""
