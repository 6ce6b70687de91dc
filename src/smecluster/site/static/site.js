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

// --- Forms that show their outcome, actions that ask first, nothing typed lost (issue 15) ----------------
// Everything below reads its words from #page-text (base.html), translated on the server, and works from
// data- attributes; without script the pages still work (the server refuses what it must), only plainer.
//   htmx answers 400/422 with the form and its errors: swapped in, never dropped; any other failed answer
//   (403, 404, 413, 5xx) or no answer at all shows an alert naming the status beside the form that asked;
//   a form that comes back with errors gets a summary at its top (each field's label and message, linking
//   to the field) and the view is taken there;
//   <form|button data-confirm-title data-confirm-summary>  asks in a <dialog> before the form goes;
//   <form data-unsaved-guard>  warns before its tab links or the page are left with changes unsaved;
//   <a data-slow-download>  shows "正在生成…" and is disabled until the file has arrived.
(() => {
  const text = (key) => {
    const source = document.getElementById("page-text");
    return (source && source.dataset[key]) || "";
  };
  const format = (template, values) =>
    template.replace(/\{(\w+)\}/g, (_whole, name) => (name in values ? String(values[name]) : ""));

  // --- outcome of a save ------------------------------------------------------------------------------

  const labelOf = (field, form) => {
    const control = field.querySelector("input, select, textarea");
    // The field's own label first: a choice of radios has a label per option, which names no field.
    let label = field.querySelector(":scope > label");
    if (!label && control && control.id) {
      label = form.querySelector(`label[for="${CSS.escape(control.id)}"]`);
    }
    if (!label && field.closest("tr")) {
      // A row of a formset table: the row's own heading, or the column's.
      label = field.closest("tr").querySelector("th");
      const table = field.closest("table");
      if (!label && table && field instanceof HTMLTableCellElement) {
        label = table.querySelectorAll("thead th")[field.cellIndex] || null;
      }
    }
    return { control, words: label ? label.textContent.replace(/[*＊]\s*$/, "").trim() : "" };
  };

  let summaries = 0;
  const summarise = (form) => {
    form.querySelectorAll(":scope > .error-summary").forEach((old) => old.remove());
    const lists = Array.from(form.querySelectorAll("ul.errorlist"));
    if (!lists.length) {
      return null;
    }
    const summary = document.createElement("div");
    summary.className = "error-summary";
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("role", "group");
    summaries += 1;
    summary.setAttribute("aria-labelledby", `error-summary-${summaries}`);
    const heading = document.createElement("p");
    heading.id = `error-summary-${summaries}`;
    const strong = document.createElement("strong");
    strong.textContent = format(text("errorSummary"), { count: lists.reduce((n, l) => n + l.children.length, 0) });
    heading.appendChild(strong);
    summary.appendChild(heading);
    const items = document.createElement("ul");
    for (const list of lists) {
      const field = list.closest(".field, td, th");
      const { control, words } = field ? labelOf(field, form) : { control: null, words: "" };
      for (const error of list.children) {
        const item = document.createElement("li");
        const message = error.textContent.trim();
        if (control && control.id) {
          const link = document.createElement("a");
          link.href = `#${control.id}`;
          link.dataset.focusField = control.id;
          link.textContent = words ? `${words}：${message}` : message;
          item.appendChild(link);
        } else {
          item.textContent = words ? `${words}：${message}` : message;
        }
        items.appendChild(item);
      }
    }
    summary.appendChild(items);
    const after = form.querySelector(":scope > [role=alert], :scope > h2, :scope > h1");
    if (after) {
      after.after(summary);
    } else {
      form.prepend(summary);
    }
    return summary;
  };

  const showErrors = (root) => {
    const forms = root instanceof HTMLFormElement ? [root] : Array.from(root.querySelectorAll("form"));
    let first = null;
    for (const form of forms) {
      const summary = summarise(form);
      first = first || summary;
    }
    if (first) {
      first.scrollIntoView({ block: "start" });
      first.focus({ preventScroll: true });
    }
  };

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-focus-field]") : null;
    const control = link ? document.getElementById(link.dataset.focusField) : null;
    if (control) {
      event.preventDefault();
      control.scrollIntoView({ block: "center" });
      control.focus();
    }
  });

  const requestAlert = (element, message) => {
    const anchor = (element && element.closest("form, section, .card")) || document.querySelector("main");
    if (!anchor) {
      return;
    }
    anchor.querySelectorAll(":scope > .request-failure").forEach((old) => old.remove());
    const alert = document.createElement("p");
    alert.className = "request-failure fail";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    anchor.prepend(alert);
    alert.scrollIntoView({ block: "nearest" });
  };

  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status === 400 || status === 422) {
      // The form again, with what was typed and its errors: the answer the officer must see.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    } else if (status >= 400) {
      requestAlert(event.detail.elt, format(text("requestFailed"), { status }));
    }
  });
  document.addEventListener("htmx:sendError", (event) => {
    requestAlert(event.detail.elt, text("networkFailed"));
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    const swapped = target && target.isConnected ? target : document.getElementById(target && target.id);
    const root = swapped || event.detail.elt;
    if (root && root.querySelector && root.querySelector("ul.errorlist")) {
      showErrors(root);
    }
  });
  document.addEventListener("DOMContentLoaded", () => {
    const main = document.querySelector("main");
    if (main && main.querySelector("form ul.errorlist")) {
      showErrors(main);
    }
  });

  // --- confirmation of what cannot be undone ------------------------------------------------------

  const confirmAction = (title, summary) =>
    new Promise((resolve) => {
      const dialog = document.getElementById("confirm-dialog");
      if (!(dialog instanceof HTMLDialogElement) || typeof dialog.showModal !== "function") {
        resolve(window.confirm(summary ? `${title}\n\n${summary}` : title));
        return;
      }
      dialog.querySelector("[data-confirm-dialog-title]").textContent = title;
      dialog.querySelector("[data-confirm-dialog-summary]").textContent = summary || "";
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
      dialog.showModal();
      dialog.querySelector("button[value=cancel]").focus();
    });

  // hx-confirm questions (removing an evidence file) are asked in the same dialog, not window.confirm.
  document.addEventListener("htmx:confirm", (event) => {
    if (!event.detail.question) {
      return;
    }
    event.preventDefault();
    confirmAction(event.detail.question, "").then((yes) => {
      if (yes) {
        event.detail.issueRequest(true);
      }
    });
  });

  const confirmations = new WeakSet();
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    const submitter = event.submitter;
    const source = submitter && submitter.hasAttribute("data-confirm-title") ? submitter : form;
    const title = source.dataset.confirmTitle;
    if (!title) {
      return;
    }
    if (confirmations.has(form)) {
      confirmations.delete(form);
      return;
    }
    event.preventDefault();
    if (await confirmAction(title, source.dataset.confirmSummary)) {
      confirmations.add(form);
      form.requestSubmit(submitter || undefined);
    }
  });

  // --- unsaved changes ------------------------------------------------------------------------------

  const changed = new Set();
  const guarded = (element) => (element instanceof Element ? element.closest("form[data-unsaved-guard]") : null);
  const markChanged = (event) => {
    const form = guarded(event.target);
    if (form) {
      changed.add(form.id || form);
    }
  };
  document.addEventListener("input", markChanged);
  document.addEventListener("change", markChanged);
  // Saving the form (its own submit, htmx or not) takes its changes with it.
  document.addEventListener("submit", (event) => {
    const form = guarded(event.target);
    if (form && !event.defaultPrevented) {
      changed.delete(form.id || form);
    }
  });
  // After an htmx save the form is a new element (outerHTML): saved, its changes are gone; refused, they
  // are still only in the page.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    const form = target && target.id && !target.isConnected ? document.getElementById(target.id) : target;
    if (form instanceof HTMLFormElement && form.matches("form[data-unsaved-guard]")) {
      if (form.querySelector("ul.errorlist")) {
        changed.add(form.id || form);
      } else {
        changed.delete(form.id || form);
        changed.delete(target);
      }
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (changed.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.addEventListener("click", async (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!changed.size || !link || link.hasAttribute("download") || link.target === "_blank") {
      return;
    }
    if (link.hasAttribute("data-slow-download") || link.hasAttribute("data-focus-field")) {
      return;
    }
    if (link.getAttribute("href").startsWith("#") || event.defaultPrevented) {
      return;
    }
    event.preventDefault();
    if (await confirmAction(text("unsavedTitle"), text("unsavedSummary"))) {
      changed.clear();
      window.location.assign(link.href);
    }
  });

  // --- downloads that take a while ------------------------------------------------------------------

  const fileName = (response, link) => {
    const header = response.headers.get("Content-Disposition") || "";
    const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (encoded) {
      return decodeURIComponent(encoded[1]);
    }
    const plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : link.pathname.split("/").filter(Boolean).pop() || "download";
  };

  document.addEventListener("click", async (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-slow-download]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    if (link.getAttribute("aria-disabled") === "true") {
      return;
    }
    const words = link.textContent;
    link.setAttribute("aria-disabled", "true");
    link.setAttribute("aria-busy", "true");
    link.classList.add("busy");
    link.textContent = text("generating");
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) {
        requestAlert(link, format(text("requestFailed"), { status: response.status }));
        return;
      }
      if ((response.headers.get("Content-Type") || "").startsWith("text/html")) {
        // A page, not a file (the sign-in page after a session ended): go there as the link would.
        window.location.assign(response.url);
        return;
      }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const save = document.createElement("a");
      save.href = url;
      save.download = fileName(response, link);
      document.body.appendChild(save);
      save.click();
      save.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (_error) {
      requestAlert(link, text("networkFailed"));
    } finally {
      link.textContent = words;
      link.removeAttribute("aria-disabled");
      link.removeAttribute("aria-busy");
      link.classList.remove("busy");
    }
  });
})();
