// The console editor's live preview and validation: after a pause in typing, the text goes
// to /console/editor/preview (same origin, session cookie, CSRF token in a header) and the
// answer replaces the preview (HTML the hub renders with raw HTML disabled) and the problem
// list. No library, no external request.
"use strict";
(function () {
  const form = document.getElementById("editor");
  const source = document.getElementById("source");
  if (!form || !source) return;
  const preview = document.getElementById("preview");
  const problems = document.getElementById("problems");
  const idInput = document.getElementById("item-id");
  let timer = 0;
  let sent = 0;

  function field(name) {
    const input = form.querySelector('input[name="' + name + '"]');
    return input ? input.value : "";
  }

  function showProblems(list) {
    problems.textContent = "";
    if (!list.length) {
      const ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = "No problems: this passes the pack checks.";
      problems.appendChild(ok);
      return;
    }
    const ul = document.createElement("ul");
    ul.className = "problems";
    for (const p of list) {
      const li = document.createElement("li");
      li.className = p.severity === "error" ? "error" : "muted";
      li.textContent = "line " + p.line + (p.field ? " (" + p.field + ")" : "") + ": " + p.message;
      ul.appendChild(li);
    }
    problems.appendChild(ul);
  }

  async function check() {
    const mine = ++sent;
    const body = {
      kind: field("kind"),
      id: idInput ? idInput.value : field("id"),
      pack: field("pack"),
      text: source.value,
    };
    try {
      const response = await fetch("/console/editor/preview", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": form.dataset.csrf },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
      const data = await response.json();
      if (mine !== sent) return; // a newer check is on its way
      if (!response.ok) {
        showProblems([{ line: 0, field: "", severity: "error", message: data.message }]);
        return;
      }
      preview.innerHTML = data.html; // rendered by the hub with raw HTML disabled
      showProblems(data.problems);
    } catch (err) {
      if (mine === sent) {
        showProblems([{ line: 0, field: "", severity: "error", message: "preview unavailable: " + err }]);
      }
    }
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 300);
  }
  source.addEventListener("input", later);
  if (idInput) idInput.addEventListener("input", later);
})();
