// The review page: a word diff of each edit against the machine text, approval segment by
// segment, keyboard shortcuts, and sending the edits. Everything is written with textContent:
// no text from the page is ever parsed as HTML.
"use strict";

(function () {
  const form = document.getElementById("review");
  if (!form) return;
  const rows = Array.from(form.querySelectorAll("tr.segment"));
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const counter = form.querySelector(".approved");

  function words(text) {
    return text.split(/(\s+)/).filter((w) => w.length > 0);
  }

  // Longest common subsequence over words: small segments, plain dynamic programming.
  function diff(before, after) {
    const a = words(before), b = words(after);
    const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
    for (let i = a.length - 1; i >= 0; i--)
      for (let j = b.length - 1; j >= 0; j--)
        table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    const out = [];
    let i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) { out.push(["same", a[i]]); i++; j++; }
      else if (j < b.length && (i === a.length || table[i][j + 1] >= table[i + 1][j])) { out.push(["ins", b[j]]); j++; }
      else { out.push(["del", a[i]]); i++; }
    }
    return out;
  }

  function showDiff(row) {
    const area = row.querySelector("textarea");
    const box = row.querySelector(".diff");
    box.replaceChildren();
    if (area.value === area.dataset.machine) return;
    for (const [kind, text] of diff(area.dataset.machine, area.value)) {
      const node = kind === "same" ? document.createTextNode(text) : document.createElement(kind);
      if (kind !== "same") node.textContent = text;
      box.appendChild(node);
    }
    row.classList.add("edited");
  }

  function count() {
    if (counter) counter.textContent = String(rows.filter((r) => r.classList.contains("approved")).length);
  }

  function focus(index) {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    row.querySelector("textarea").focus();
    row.scrollIntoView({ block: "center" });
  }

  function current() {
    const row = document.activeElement && document.activeElement.closest("tr.segment");
    return row ? rows.indexOf(row) : -1;
  }

  function approve(index) {
    rows[index].classList.add("approved");
    count();
    if (index + 1 < rows.length) focus(index + 1);
  }

  rows.forEach((row, index) => {
    const area = row.querySelector("textarea");
    area.addEventListener("input", () => {
      row.classList.remove("approved");
      showDiff(row);
      count();
    });
    const button = row.querySelector("button.approve");
    if (button) button.addEventListener("click", () => approve(index));
  });

  document.addEventListener("keydown", (event) => {
    const at = current();
    if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); focus(at + 1); }
    else if (event.altKey && event.key === "ArrowUp") { event.preventDefault(); focus(at - 1); }
    else if (event.ctrlKey && event.key === "Enter" && at >= 0 && !form.dataset.readonly) { event.preventDefault(); approve(at); }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.dataset.readonly) return;
    rows.forEach((row) => row.classList.add("approved"));
    count();
    rows.forEach((row) => { row.querySelector(".error").textContent = ""; });
    const segments = rows.map((row) => ({
      index: Number(row.dataset.index),
      target: row.querySelector("textarea").value,
    }));
    const button = form.querySelector("button.approve-all");
    button.disabled = true;
    let answer;
    try {
      const response = await fetch(form.dataset.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ segments }),
        credentials: "same-origin",
      });
      answer = { ok: response.ok, body: await response.json() };
    } catch (err) {
      answer = { ok: false, body: { error: "the console did not answer: " + err } };
    }
    button.disabled = false;
    if (answer.ok) {
      window.location.assign(form.dataset.queue + "?notice=" + encodeURIComponent(answer.body.notice));
      return;
    }
    const problems = answer.body.segments || [];
    for (const problem of problems) {
      const row = rows[problem.index];
      if (row) {
        row.classList.remove("approved");
        row.querySelector(".error").textContent = problem.error;
      }
    }
    count();
    if (problems.length === 0) alert(answer.body.error || "not sent");
    else focus(problems[0].index);
  });
})();
