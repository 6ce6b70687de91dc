"""The one evidence pipeline for every kind of record that carries files (applications, annual reports,
re-reviews, oversight records, objections): the shared fields (``models.StoredFile``), the checks and the
staged write (``storage``), attach, detach and serve (``pipeline``), and the consistency check behind
``smecluster files verify`` (``verification``)."""
