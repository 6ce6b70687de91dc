// The page behaviours that used to be inline handlers, kept here so the Content-Security-Policy can forbid
// every inline script (script-src 'self'). Each works from a data- attribute in the templates:
//   <select data-submit-on-change>  submits its form when the choice changes (language, filters);
//   <a data-history-back>           goes back one page (the 403 and 404 pages), its href the fallback;
//   <form data-confirm="question">  asks before submitting (an irreversible removal);
//   <a data-captcha-refresh="url">  fetches a new challenge for the objection form in place, keeping what was
//                                   typed (its href, which reloads the page, is the fallback).
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

document.addEventListener("click", async (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-captcha-refresh]") : null;
  const box = link ? link.closest(".captcha") : null;
  if (!link || !box) {
    return;
  }
  event.preventDefault();
  const response = await fetch(link.dataset.captchaRefresh, {
    headers: { "X-Requested-With": "XMLHttpRequest" },
    credentials: "same-origin",
  });
  if (!response.ok) {
    window.location.reload();
    return;
  }
  const challenge = await response.json();
  box.querySelector("img[data-captcha-image]").src = challenge.image_url;
  box.querySelector("input[type=hidden]").value = challenge.key;
  const answer = box.querySelector("input[type=text]");
  answer.value = "";
  answer.focus();
});
