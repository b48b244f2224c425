// Forms that ask before they post (lifting a closure, deleting an account): the question is in
// the form's data-confirm attribute, since the pages' Content-Security-Policy allows no inline
// script (no onsubmit="…").
"use strict";
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    ev.preventDefault();
  }
});
