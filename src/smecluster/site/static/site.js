// The page behaviours that used to be inline handlers, kept here so the Content-Security-Policy can forbid
// every inline script (script-src 'self'). Each works from a data- attribute in the templates:
//   <select data-submit-on-change>  submits its form when the choice changes (language, filters);
//   <a data-history-back>           goes back one page (the 403 and 404 pages), its href the fallback;
//   <form data-confirm="question">  asks before submitting (an irreversible removal).
"use strict";

document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-submit-on-change") && select.form) {
    select.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-history-back]") : null;
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
