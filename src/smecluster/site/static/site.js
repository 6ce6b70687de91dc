// The page behaviours that used to be inline handlers, kept here so the Content-Security-Policy can forbid
// every inline script (script-src 'self'). Each works from a data- attribute in the templates:
//   <select data-submit-on-change>  submits its form when the choice changes (language, filters);
//   <a data-history-back>           goes back one page (the 403 and 404 pages), its href the fallback;
//   <form data-confirm="question">  asks before submitting (an irreversible removal);
//   <a data-captcha-refresh="url">  fetches a new challenge for the objection form in place, keeping what was
//                                   typed (its href, which reloads the page, is the fallback).
//   <select data-filterable>        gets a filter box before it: typing a name or a code keeps the matching
//                                   options, shows them as a list and picks the first (the ministry's
//                                   370-entry scope list); without script the <select> works as it is.
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

function makeFilterable(select) {
  const box = document.createElement("input");
  box.type = "search";
  box.className = "select-filter";
  box.placeholder = select.dataset.filterPlaceholder || "";
  box.setAttribute("aria-label", select.dataset.filterLabel || "");
  box.setAttribute("aria-controls", select.id);
  box.autocomplete = "off";
  const empty = document.createElement("p");
  empty.className = "help select-filter-empty";
  empty.textContent = select.dataset.filterEmpty || "";
  empty.hidden = true;
  empty.setAttribute("role", "status");
  select.before(box);
  select.after(empty);
  const options = Array.from(select.options);
  const chosen = select.value;
  box.addEventListener("input", () => {
    const words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let matches = 0;
    let first = null;
    for (const option of options) {
      const text = `${option.text} ${option.value}`.toLowerCase();
      const shown = words.every((word) => text.includes(word));
      option.hidden = !shown;
      if (shown) {
        matches += 1;
        first = first || option;
      }
    }
    empty.hidden = matches > 0;
    // Filtering shows the matches as an open list; an empty box folds it back into a drop-down.
    select.size = words.length && matches > 1 ? Math.min(8, matches) : 0;
    if (!words.length) {
      select.value = select.value || chosen;
    } else if (first && (select.selectedOptions.length === 0 || select.selectedOptions[0].hidden)) {
      select.value = first.value;
    }
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select.focus();
    }
  });
}

document.querySelectorAll("select[data-filterable]").forEach(makeFilterable);
