// iam-emulator teaching console. Plain JavaScript, no framework, nothing
// loaded from elsewhere. Three views:
// - Requests: polls GET /_emulator/decisions; a request's full trace on Enter or click.
// - Entities: GET /_emulator/entities, policies pretty-printed with their findings marked.
// - Playground: POST /_emulator/evaluate (the same JSON as `iam-emulator explain --json`)
//   and POST /_emulator/validate as you type.
// - Policy: GET /_emulator/policy, the least-privilege policy for an observed principal.
"use strict";

(function () {
  const POLL_MS = 2000;
  const LOG_LIMIT = 200;
  const DEBOUNCE_MS = 300;

  // ---------------------------------------------------------------- helpers

  /** Builds an element: h("p", {class: "x"}, "text", child, …). Text is never parsed as HTML. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const $ = (id) => document.getElementById(id);

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  async function getJson(path) {
    const r = await fetch(path, { cache: "no-store" });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r.json();
  }

  async function postJson(path, body, signal) {
    const r = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    const value = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
    return { ok: r.ok, status: r.status, value };
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  function timeOf(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleTimeString([], { hour12: false });
  }

  // ------------------------------------------------------ decisions in words

  const DECISION_WORDS = {
    allowed: "Allowed",
    explicitDeny: "Denied (explicit deny)",
    implicitDeny: "Denied (no Allow)",
  };

  const POLICY_TYPE_WORDS = {
    serviceControl: "Service control policy",
    resourceControl: "Resource control policy",
    resourceBased: "Resource-based policy",
    roleTrust: "Role trust policy",
    identityBased: "Identity-based policy",
    permissionsBoundary: "Permissions boundary",
    session: "Session policy",
    acl: "S3 access control list (ACL)",
  };

  const PRINCIPAL_MATCH_WORDS = {
    everyone: 'Principal "*": everyone',
    direct: "Principal names this caller",
    role: "Principal names the caller's role",
    account: "Principal names the caller's account, which delegates to its identity policies",
  };

  function decisionClass(d) {
    return d === "allowed" ? "allowed" : d === "explicitDeny" ? "explicit" : "implicit";
  }

  function badge(decision, enforced) {
    const words = DECISION_WORDS[decision] || decision;
    const soft = enforced === false && decision !== "allowed";
    return h(
      "span",
      { class: `badge ${decisionClass(decision)}` },
      decision === "allowed" ? "✓ " : "✗ ",
      words,
      soft ? " — not enforced (soft mode)" : null,
    );
  }

  function policyHeading(p) {
    const type = POLICY_TYPE_WORDS[p.policyType] || p.policyType;
    const level = p.level === null || p.level === undefined ? "" : ` (organisation level ${p.level + 1})`;
    return `${type} “${p.name}”${level}`;
  }

  function valuesText(values) {
    if (values === null || values === undefined) return null;
    return values.map((v) => JSON.stringify(v)).join(", ");
  }

  function conditionTable(failures) {
    return h(
      "table",
      { class: "conditions" },
      h("caption", { class: "visually-hidden" }, "Failed conditions"),
      h(
        "thead",
        {},
        h("tr", {}, h("th", { scope: "col" }, "Condition"), h("th", { scope: "col" }, "Policy wants"), h("th", { scope: "col" }, "This request has")),
      ),
      h(
        "tbody",
        {},
        failures.map((f) =>
          h(
            "tr",
            {},
            h("td", {}, h("code", {}, f.operator), " ", h("code", {}, f.key)),
            h("td", {}, h("code", {}, valuesText(f.policyValues))),
            h(
              "td",
              {},
              f.requestValues === null || f.requestValues === undefined
                ? h("em", {}, "no such key in the request")
                : h("code", {}, valuesText(f.requestValues)),
              f.unresolvedVariables && f.unresolvedVariables.length
                ? h("span", { class: "muted" }, ` (no value for ${f.unresolvedVariables.join(", ")})`)
                : null,
            ),
          ),
        ),
      ),
    );
  }

  function isDeciding(decision, policy, s) {
    return (decision.deciding || []).some(
      (d) => d.policyType === policy.policyType && d.policyName === policy.name && d.index === s.index && (d.level ?? null) === (policy.level ?? null),
    );
  }

  function statementItem(decision, policy, s) {
    const deciding = isDeciding(decision, policy, s);
    const label = `Statement ${s.index + 1}${s.sid ? ` “${s.sid}”` : ""} (${s.effect})`;
    const verdict = s.matched
      ? h("strong", { class: "verdict match" }, "matches")
      : h("span", { class: "verdict nomatch" }, "does not apply");
    const failures = s.mismatch && s.mismatch.element === "condition" ? s.mismatch.failures || [] : [];
    return h(
      "li",
      { class: `stmt ${s.matched ? "matched" : "unmatched"} ${s.effect === "Deny" ? "deny" : "allow"}${deciding ? " deciding" : ""}` },
      h(
        "div",
        { class: "stmt-head" },
        h("span", { class: "stmt-label" }, label),
        " — ",
        verdict,
        deciding ? h("span", { class: "tag" }, "deciding statement") : null,
      ),
      s.matched && s.principalMatch ? h("p", { class: "why" }, PRINCIPAL_MATCH_WORDS[s.principalMatch] || s.principalMatch) : null,
      !s.matched && failures.length === 0 ? h("p", { class: "why" }, "Why not: ", s.explanation) : null,
      failures.length ? h("p", { class: "why" }, failures.length > 1 ? "Why not: these conditions are false." : "Why not: this condition is false.") : null,
      failures.length ? conditionTable(failures) : null,
      (s.hints || []).length
        ? h("ul", { class: "hints", "aria-label": "Hints" }, s.hints.map((t) => h("li", {}, h("strong", { class: "hint-mark" }, "Hint: "), t)))
        : null,
      h("details", { class: "stmt-json" }, h("summary", {}, "Statement JSON"), h("pre", {}, h("code", {}, JSON.stringify(s.statement, null, 2)))),
    );
  }

  /** The decision and its full trace. `level` is the heading level of its title. */
  function renderDecision(d, level, extra) {
    const hx = (n) => `h${Math.min(6, level + n)}`;
    const facts = [
      ["Principal", d.principal],
      ["Action", d.action],
      ["Resource", d.resource],
    ];
    if (d.rule) facts.push(["AWS rule", `${d.rule.name} (${d.rule.source})`]);
    if (extra && extra.requestId) facts.push(["Request id", extra.requestId]);
    if (extra && extra.time) facts.push(["Time", extra.time]);
    const denied = d.decision !== "allowed";
    return h(
      "article",
      { class: `decision ${decisionClass(d.decision)}` },
      h(hx(0), { class: "decision-title" }, badge(d.decision, d.enforced), " ", h("span", { class: "muted small" }, d.action)),
      h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, h("code", {}, v))])),
      h(
        "div",
        { class: "words" },
        h("section", { class: "plain", "aria-label": "In plain words" }, h(hx(1), {}, "In plain words"), h("p", {}, d.summary)),
        denied
          ? h(
              "section",
              { class: "aws", "aria-label": "AWS's message" },
              h(hx(1), {}, "AWS says"),
              h("p", {}, h("code", { class: "aws-message" }, d.message || "Access Denied")),
            )
          : null,
      ),
      (d.deciding || []).length
        ? h(
            "section",
            { class: "deciding" },
            h(hx(1), {}, "Deciding statements"),
            h(
              "ul",
              {},
              d.deciding.map((s) =>
                h("li", {}, `${POLICY_TYPE_WORDS[s.policyType] || s.policyType} “${s.policyName}”, statement ${s.index + 1}${s.sid ? ` “${s.sid}”` : ""}`),
              ),
            ),
          )
        : null,
      h(
        "section",
        { class: "policies" },
        h(hx(1), {}, `Policies evaluated (${(d.trace || []).length})`),
        (d.trace || []).length === 0
          ? h(
              "p",
              { class: "muted" },
              d.decision === "allowed"
                ? "No policy was needed: the caller is the root user of the account that owns the resource."
                : "No policy applies to this request, so nothing allows it.",
            )
          : null,
        (d.trace || []).map((p) =>
          h(
            "section",
            { class: "policy" },
            h(hx(2), {}, policyHeading(p)),
            p.statements.length === 0
              ? h("p", { class: "muted" }, "(no statements)")
              : h("ol", { class: "stmts" }, p.statements.map((s) => statementItem(d, p, s))),
          ),
        ),
      ),
    );
  }

  // --------------------------------------------------------------------- tabs

  const TABS = ["log", "entities", "playground", "policy"];
  const tabButtons = TABS.map((t) => $(`tab-${t}`));

  function selectTab(name, focus) {
    TABS.forEach((t, i) => {
      const on = t === name;
      tabButtons[i].setAttribute("aria-selected", String(on));
      tabButtons[i].tabIndex = on ? 0 : -1;
      $(`view-${t}`).hidden = !on;
    });
    if (focus) $(`tab-${name}`).focus();
    if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
    if (name === "entities") loadEntities();
    if (name === "playground") playground.start();
    if (name === "policy") loadPrincipals();
  }

  tabButtons.forEach((b, i) => {
    b.addEventListener("click", () => selectTab(TABS[i], false));
    b.addEventListener("keydown", (e) => {
      let j = null;
      if (e.key === "ArrowRight") j = (i + 1) % TABS.length;
      else if (e.key === "ArrowLeft") j = (i + TABS.length - 1) % TABS.length;
      else if (e.key === "Home") j = 0;
      else if (e.key === "End") j = TABS.length - 1;
      if (j !== null) {
        e.preventDefault();
        selectTab(TABS[j], true);
      }
    });
  });

  // -------------------------------------------------------------- request log

  const log = {
    entries: [], // newest first: {key, record}
    elements: new Map(), // key → <li>
    selected: null,
    paused: false,
    known: new Set(),
    first: true,
  };

  function entryKey(record, seen) {
    const base = `${record.requestId}|${record.action}|${record.resource}|${record.decision}`;
    const n = (seen.get(base) || 0) + 1;
    seen.set(base, n);
    return `${base}|${n}`;
  }

  function entryMatches(record) {
    const which = $("log-filter-decision").value;
    if (which === "denied" && record.decision === "allowed") return false;
    if (which === "allowed" && record.decision !== "allowed") return false;
    const text = $("log-filter-text").value.trim().toLowerCase();
    if (!text) return true;
    return [record.principal, record.action, record.resource].some((v) => String(v).toLowerCase().includes(text));
  }

  function logItem(key, r) {
    const button = h(
      "button",
      {
        type: "button",
        class: `entry ${decisionClass(r.decision)}`,
        "aria-controls": "log-detail",
        "data-key": key,
        onclick: () => showTrace(key, false),
      },
      h("span", { class: `dot ${decisionClass(r.decision)}`, "aria-hidden": "true" }),
      h("span", { class: "entry-decision" }, r.decision === "allowed" ? "Allowed" : r.enforced === false ? "Would deny" : "Denied"),
      h("span", { class: "entry-action" }, r.action),
      h("span", { class: "entry-time" }, timeOf(r.time)),
      h("span", { class: "entry-principal", title: r.principal }, r.principal),
      h("span", { class: "entry-resource", title: r.resource }, r.resource),
    );
    return h("li", {}, button);
  }

  function renderLog(records) {
    const seen = new Map();
    const next = records.map((r) => ({ key: entryKey(r, seen), record: r }));
    const nextKeys = new Set(next.map((e) => e.key));
    const list = $("log-list");
    // Drop what left the log (reset, or pushed out of the window).
    for (const [key, li] of log.elements) {
      if (!nextKeys.has(key)) {
        li.remove();
        log.elements.delete(key);
      }
    }
    // Add new ones in order, keeping the existing elements (and focus) as they are.
    let before = list.firstChild;
    const fresh = [];
    for (const e of next) {
      let li = log.elements.get(e.key);
      if (!li) {
        li = logItem(e.key, e.record);
        log.elements.set(e.key, li);
        list.insertBefore(li, before);
        if (!log.first) fresh.push(e.record);
      } else if (li !== before) {
        list.insertBefore(li, before);
      }
      before = li.nextSibling;
      li.hidden = !entryMatches(e.record);
    }
    log.entries = next;
    log.first = false;
    const shown = next.filter((e) => entryMatches(e.record)).length;
    const denied = next.filter((e) => e.record.decision !== "allowed").length;
    $("log-count").textContent = `${next.length} request${next.length === 1 ? "" : "s"}, ${denied} denied${shown !== next.length ? `; ${shown} shown` : ""}`;
    $("log-empty").hidden = next.length > 0;
    if (fresh.length) {
      const d = fresh.filter((r) => r.decision !== "allowed").length;
      $("log-announce").textContent = `${fresh.length} new request${fresh.length === 1 ? "" : "s"}${d ? `, ${d} denied` : ""}.`;
    }
    if (log.selected && !nextKeys.has(log.selected)) log.selected = null;
    markSelected();
  }

  function markSelected() {
    for (const [key, li] of log.elements) {
      const b = li.firstChild;
      if (key === log.selected) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
  }

  function showTrace(key, moveFocus) {
    const entry = log.entries.find((e) => e.key === key);
    if (!entry) return;
    log.selected = key;
    markSelected();
    const r = entry.record;
    const body = clear($("log-detail-body"));
    body.append(renderDecision(r, 4, { requestId: r.requestId, time: r.time }));
    $("log-announce").textContent = `Trace shown: ${DECISION_WORDS[r.decision] || r.decision}, ${r.action} on ${r.resource}.`;
    if (moveFocus) $("log-detail").focus();
  }

  $("log-list").addEventListener("keydown", (e) => {
    const target = e.target.closest("button.entry");
    if (!target) return;
    const buttons = [...$("log-list").querySelectorAll("li:not([hidden]) button.entry")];
    const i = buttons.indexOf(target);
    let j = null;
    if (e.key === "ArrowDown") j = Math.min(buttons.length - 1, i + 1);
    else if (e.key === "ArrowUp") j = Math.max(0, i - 1);
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = buttons.length - 1;
    if (j !== null && buttons[j]) {
      e.preventDefault();
      buttons[j].focus();
    }
  });

  async function pollLog() {
    if (!log.paused && !document.hidden) {
      try {
        const value = await getJson(`/_emulator/decisions?limit=${LOG_LIMIT}`);
        renderLog(value.decisions || []);
        document.body.classList.remove("offline");
      } catch (e) {
        $("log-count").textContent = `Cannot reach the emulator (${e.message}); retrying.`;
        document.body.classList.add("offline");
      }
    }
    setTimeout(pollLog, POLL_MS);
  }

  $("log-pause").addEventListener("click", () => {
    log.paused = !log.paused;
    $("log-pause").setAttribute("aria-pressed", String(log.paused));
    $("log-pause").textContent = log.paused ? "Resume updates" : "Pause updates";
  });
  const refilter = () => renderLog(log.entries.map((e) => e.record));
  $("log-filter-decision").addEventListener("change", refilter);
  $("log-filter-text").addEventListener("input", refilter);

  // ------------------------------------------------------- policies, findings

  const SEVERITY = { ERROR: 0, SECURITY_WARNING: 1, WARNING: 2, SUGGESTION: 3 };
  const SEVERITY_WORDS = { ERROR: "Error", SECURITY_WARNING: "Security warning", WARNING: "Warning", SUGGESTION: "Suggestion" };
  let findingIds = 0;

  /** Ranges [start, end) in characters (code points), one per finding location. */
  function findingRanges(findings, length) {
    const ranges = [];
    findings.forEach((f, i) => {
      for (const loc of f.locations || []) {
        let start = Math.max(0, Math.min(length, loc.span.start.offset));
        let end = Math.max(start, Math.min(length, loc.span.end.offset));
        if (end === start) end = Math.min(length, start + 1);
        if (end > start) ranges.push({ start, end, finding: i });
      }
    });
    return ranges;
  }

  /** A policy document with each finding's span marked, footnote-style references after each. */
  function markedDocument(text, findings, ids) {
    const chars = Array.from(text);
    const ranges = findingRanges(findings, chars.length);
    const cuts = new Set([0, chars.length]);
    for (const r of ranges) {
      cuts.add(r.start);
      cuts.add(r.end);
    }
    const points = [...cuts].sort((a, b) => a - b);
    const code = h("code", {});
    for (let k = 0; k + 1 < points.length; k++) {
      const [a, b] = [points[k], points[k + 1]];
      const piece = chars.slice(a, b).join("");
      const covering = ranges.filter((r) => r.start <= a && r.end >= b);
      if (!covering.length) {
        code.append(piece);
      } else {
        const worst = covering.map((r) => findings[r.finding]).sort((x, y) => SEVERITY[x.findingType] - SEVERITY[y.findingType])[0];
        const title = covering.map((r) => `${findings[r.finding].issueCode}: ${findings[r.finding].findingDetails}`).join("\n");
        code.append(h("mark", { class: `sev-${worst.findingType}`, title }, piece));
      }
      for (const r of ranges.filter((r) => r.end === b)) {
        code.append(h("a", { class: "fref", href: `#${ids[r.finding]}`, "aria-label": `finding ${r.finding + 1}` }, h("sup", {}, String(r.finding + 1))));
      }
    }
    return h("pre", { class: "policy-doc" }, code);
  }

  function findingList(findings, ids, onPick) {
    if (!findings.length) return h("p", { class: "no-findings" }, "✓ No findings from policy validation.");
    const sorted = findings.map((f, i) => ({ f, i }));
    return h(
      "ol",
      { class: "findings", "aria-label": "Validation findings" },
      sorted.map(({ f, i }) => {
        const loc = (f.locations || [])[0];
        const where = loc ? `line ${loc.span.start.line}, column ${loc.span.start.column + 1}` : "whole policy";
        return h(
          "li",
          { id: ids[i], class: `finding sev-${f.findingType}`, value: i + 1 },
          h("span", { class: `sev-label sev-${f.findingType}` }, SEVERITY_WORDS[f.findingType] || f.findingType),
          " ",
          h("code", {}, f.issueCode),
          " ",
          onPick && loc
            ? h("button", { type: "button", class: "linkish", onclick: () => onPick(loc) }, `(${where})`)
            : h("span", { class: "muted" }, `(${where})`),
          h("div", {}, f.findingDetails),
        );
      }),
    );
  }

  /** A policy view from /_emulator/entities: {name, document, policyType, findings}. */
  function renderPolicy(view, title, level) {
    const findings = view.findings || [];
    const ids = findings.map(() => `finding-${++findingIds}`);
    const counts = {};
    findings.forEach((f) => (counts[f.findingType] = (counts[f.findingType] || 0) + 1));
    const summary = Object.entries(counts)
      .sort((a, b) => SEVERITY[a[0]] - SEVERITY[b[0]])
      .map(([t, n]) => h("span", { class: `count sev-${t}` }, `${n} ${(SEVERITY_WORDS[t] || t).toLowerCase()}${n > 1 ? "s" : ""}`));
    return h(
      "section",
      { class: "policy-view" },
      h(`h${Math.min(6, level)}`, { class: "policy-title" }, title, " ", summary),
      markedDocument(view.document, findings, ids),
      findingList(findings, ids, null),
    );
  }

  // ----------------------------------------------------------------- entities

  let entitiesLoading = false;

  function kv(pairs) {
    const items = pairs.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length));
    return h("dl", { class: "kv" }, items.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v instanceof Node ? v : Array.isArray(v) ? v.join(", ") : String(v))]));
  }

  function tagsText(tags) {
    const e = Object.entries(tags || {});
    return e.length ? e.map(([k, v]) => `${k}=${v}`).join(", ") : null;
  }

  function attachedList(list, managed, level) {
    if (!list || !list.length) return null;
    return h(
      "div",
      { class: "attached" },
      h(`h${level}`, {}, "Attached managed policies"),
      list.map((a) => {
        const view = managed[a.arn];
        const n = view ? view.findings.length : 0;
        return h(
          "details",
          { class: "managed" },
          h("summary", {}, h("code", {}, a.arn), a.awsManaged ? h("span", { class: "tag" }, "AWS managed") : null, n ? h("span", { class: "count sev-WARNING" }, `${n} finding${n > 1 ? "s" : ""}`) : null),
          view ? renderPolicy(view, a.name, level + 1) : h("p", { class: "muted" }, "(document not found)"),
        );
      }),
    );
  }

  function inlineList(list, level) {
    if (!list || !list.length) return null;
    return h("div", { class: "inline" }, h(`h${level}`, {}, "Inline policies"), list.map((p) => renderPolicy(p, p.name, level + 1)));
  }

  function entityCard(kind, e, body) {
    const findings = ownFindings(e);
    const worst = findings.map((f) => f.findingType).sort((a, b) => SEVERITY[a] - SEVERITY[b])[0];
    return h(
      "details",
      { class: "entity" },
      h(
        "summary",
        {},
        h("span", { class: "kind" }, kind),
        " ",
        h("strong", {}, e.name),
        " ",
        h("code", { class: "muted small" }, e.arn),
        findings.length ? h("span", { class: `count sev-${worst}` }, `${findings.length} finding${findings.length > 1 ? "s" : ""}`) : null,
      ),
      h("div", { class: "entity-body" }, body),
    );
  }

  /** The findings of the policies an entity holds itself (inline, trust, bucket, default version). */
  function ownFindings(e) {
    const views = [...(e.inlinePolicies || []), e.trustPolicy, e.policy, e.document].filter(Boolean);
    return views.flatMap((v) => v.findings || []);
  }

  function section(title, level, items, render, emptyText) {
    return h("section", { class: "entity-group" }, h(`h${level}`, {}, `${title} (${items.length})`), items.length ? items.map(render) : h("p", { class: "muted" }, emptyText));
  }

  /** A user's credentials beside access keys: ids, states and dates only. */
  function userCredentials(c) {
    if (!c) return null;
    const rows = [
      ...c.signingCertificates.map((x) => ["Signing certificate", x.id, x.status, x.uploaded]),
      ...c.sshPublicKeys.map((x) => ["SSH public key", `${x.id} (${x.fingerprint})`, x.status, x.uploaded]),
      ...c.serviceCredentials.map((x) => [`Service credential for ${x.service}`, `${x.id} (${x.userName})`, x.status, x.created]),
    ];
    return [
      kv([
        ["Console password", c.loginProfile ? `set ${c.loginProfile.passwordLastChanged}${c.loginProfile.passwordResetRequired ? ", reset required at next sign-in" : ""}` : "none"],
        ["MFA devices", c.mfaDevices.length ? c.mfaDevices : "none"],
      ]),
      rows.length
        ? h(
            "table",
            { class: "keys" },
            h("caption", {}, "Other credentials (secrets hidden)"),
            h("thead", {}, h("tr", {}, ["Kind", "Id", "Status", "Since"].map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, rows.map((r) => h("tr", {}, r.map((v, i) => h("td", {}, i === 1 ? h("code", {}, v) : v))))),
          )
        : null,
    ];
  }

  function passwordPolicyText(p) {
    if (!p) return "not set (AWS's default applies)";
    const needs = [p.requireUppercase && "upper case", p.requireLowercase && "lower case", p.requireNumbers && "numbers", p.requireSymbols && "symbols"].filter(Boolean);
    return [
      `at least ${p.minimumLength} characters`,
      needs.length ? `with ${needs.join(", ")}` : null,
      p.maxAgeDays ? `expires after ${p.maxAgeDays} days` : null,
      p.reusePrevention ? `last ${p.reusePrevention} not reused` : null,
      p.allowUsersToChangePassword ? "users may change their own" : "users may not change their own",
    ].filter(Boolean).join("; ");
  }

  function renderEntities(data) {
    const body = clear($("entities-body"));
    const managed = data.managedPolicies || {};
    for (const a of data.accounts || []) {
      body.append(
        h(
          "section",
          { class: "account", "aria-labelledby": `acct-${a.id}` },
          h("h3", { id: `acct-${a.id}` }, `Account ${a.id}`),
          kv([
            ["Root user", h("code", {}, a.rootArn)],
            ["Root access keys", (a.rootAccessKeys || []).join(", ") || "none"],
            ["Account alias", a.alias || "none"],
            ["Password policy", passwordPolicyText(a.passwordPolicy)],
          ]),
          section("Users", 4, a.users, (u) =>
            entityCard("User", u, [
              kv([
                ["Path", u.path],
                ["Created", u.created],
                ["Groups", u.groups],
                ["Tags", tagsText(u.tags)],
                ["Permissions boundary", u.permissionsBoundary ? h("code", {}, u.permissionsBoundary.arn) : null],
              ]),
              h("h5", {}, "Access keys"),
              u.accessKeys.length
                ? h(
                    "table",
                    { class: "keys" },
                    h("thead", {}, h("tr", {}, ["Access key id", "Secret", "Status", "Created", "Last used"].map((t) => h("th", { scope: "col" }, t)))),
                    h(
                      "tbody",
                      {},
                      u.accessKeys.map((k) =>
                        h(
                          "tr",
                          {},
                          h("td", {}, h("code", {}, k.accessKeyId)),
                          h("td", {}, h("span", { class: "secret", "aria-label": "hidden" }, "••••••••"), h("span", { class: "muted small" }, " hidden")),
                          h("td", {}, k.status),
                          h("td", {}, k.created),
                          h("td", {}, k.lastUsed ? `${k.lastUsed.date} (${k.lastUsed.service}, ${k.lastUsed.region})` : "never"),
                        ),
                      ),
                    ),
                  )
                : h("p", { class: "muted" }, "No access keys."),
              userCredentials(u.credentials),
              inlineList(u.inlinePolicies, 5),
              attachedList(u.attachedPolicies, managed, 5),
              u.permissionsBoundary ? attachedList([u.permissionsBoundary], managed, 5) : null,
            ]),
            "No users.",
          ),
          section("Groups", 4, a.groups, (g) =>
            entityCard("Group", g, [kv([["Path", g.path], ["Members", g.members.length ? g.members : "none"]]), inlineList(g.inlinePolicies, 5), attachedList(g.attachedPolicies, managed, 5)]),
            "No groups.",
          ),
          section("Roles", 4, a.roles, (r) =>
            entityCard("Role", r, [
              kv([
                ["Path", r.path],
                ["Description", r.description],
                ["Max session", `${r.maxSessionDuration} s`],
                ["Last used", r.lastUsed ? `${r.lastUsed.date} (${r.lastUsed.region})` : "never"],
                ["Tags", tagsText(r.tags)],
              ]),
              renderPolicy(r.trustPolicy, "Trust policy", 5),
              inlineList(r.inlinePolicies, 5),
              attachedList(r.attachedPolicies, managed, 5),
              r.permissionsBoundary ? attachedList([r.permissionsBoundary], managed, 5) : null,
            ]),
            "No roles.",
          ),
          section("Customer managed policies", 4, a.policies, (p) =>
            entityCard("Policy", p, [
              kv([
                ["Default version", p.defaultVersion],
                ["Versions", p.versions],
                ["Attached to", `${p.attachments} entit${p.attachments === 1 ? "y" : "ies"}`],
                ["Boundary of", p.boundaryOf ? `${p.boundaryOf} entit${p.boundaryOf === 1 ? "y" : "ies"}` : null],
                ["Description", p.description],
              ]),
              p.document ? renderPolicy(p.document, "Default version", 5) : null,
            ]),
            "No customer managed policies.",
          ),
          section("Virtual MFA devices", 4, a.mfaDevices || [], (d) =>
            entityCard("MFA device", { ...d, arn: d.serialNumber }, [
              kv([
                ["Assigned to", d.user ? `${d.user} (since ${d.enabled})` : "nobody"],
                ["Path", d.path],
                ["Created", d.created],
                ["Tags", tagsText(d.tags)],
              ]),
            ]),
            "No virtual MFA devices.",
          ),
          section("Server certificates", 4, a.serverCertificates || [], (c) =>
            entityCard("Server certificate", c, [
              kv([
                ["Id", c.id],
                ["Path", c.path],
                ["Uploaded", c.uploaded],
                ["Expires", c.expiration],
                ["Tags", tagsText(c.tags)],
              ]),
            ]),
            "No server certificates.",
          ),
          section("Instance profiles", 4, a.instanceProfiles || [], (p) =>
            entityCard("Instance profile", p, [
              kv([
                ["Path", p.path],
                ["Role", p.roles.length ? p.roles : "none"],
                ["Created", p.created],
                ["Tags", tagsText(p.tags)],
              ]),
            ]),
            "No instance profiles.",
          ),
          section("OpenID Connect providers", 4, a.oidcProviders || [], (p) =>
            entityCard("OIDC provider", { ...p, name: p.url }, [
              kv([
                ["URL (the issuer without its scheme)", h("code", {}, p.url)],
                ["Client ids (audiences)", p.clientIds.length ? p.clientIds : "none"],
                ["Thumbprints", p.thumbprints.length ? p.thumbprints : "none"],
                ["Created", p.created],
                ["Tags", tagsText(p.tags)],
              ]),
            ]),
            "No OpenID Connect providers.",
          ),
          section("SAML providers", 4, a.samlProviders || [], (p) =>
            entityCard("SAML provider", p, [
              kv([
                ["Entity id (issuer)", p.entityId],
                ["Signing certificates", p.signingCertificates],
                ["Valid until", p.validUntil],
                ["Created", p.created],
                ["Tags", tagsText(p.tags)],
              ]),
            ]),
            "No SAML providers.",
          ),
        ),
      );
    }
    body.append(
      section("S3 buckets", 3, data.buckets || [], (b) => {
        const pab = b.effectivePublicAccessBlock;
        const flags = Object.entries(pab);
        const allOn = flags.every(([, v]) => v);
        return entityCard("Bucket", b, [
          kv([
            ["Owner", b.owner],
            ["Region", b.region],
            ["Objects", b.objects],
            ["Versioning", b.versioning || "never enabled"],
            ["Tags", tagsText(b.tags)],
          ]),
          h("h5", {}, "Block Public Access ", h("span", { class: `tag ${allOn ? "on" : "off"}` }, allOn ? "all on" : b.publicAccessBlock ? "partly off" : "not configured: all off")),
          h("ul", { class: "flags" }, flags.map(([k, v]) => h("li", { class: v ? "on" : "off" }, h("span", { "aria-hidden": "true" }, v ? "■ " : "□ "), `${k}: ${v ? "on" : "off"}`))),
          b.publicPolicyStatements.length
            ? h("p", { class: "warn" }, "⚠ The bucket policy is public: ", b.publicPolicyStatements.map((g) => `statement ${g.index + 1}${g.sid ? ` “${g.sid}”` : ""} (${g.reason})`).join("; "))
            : null,
          b.policy ? renderPolicy(b.policy, "Bucket policy", 5) : h("p", { class: "muted" }, "No bucket policy."),
        ]);
      }, "No buckets."),
    );
    if ((data.sessions || []).length) {
      const session = (s) =>
        h(
          "div",
          { class: "session" },
          kv([
            ["Principal", h("code", {}, s.principalArn)],
            ["Access key id", s.accessKeyId],
            ["Secret, token", "hidden"],
            ["Expires", s.expires],
            ["Session policies", s.sessionPolicies],
            ["Tags", tagsText(s.tags)],
          ]),
        );
      body.append(section("STS sessions", 3, data.sessions, session, ""));
    }
  }

  async function loadEntities() {
    if (entitiesLoading) return;
    entitiesLoading = true;
    $("entities-status").textContent = "Loading…";
    try {
      const data = await getJson("/_emulator/entities");
      renderEntities(data);
      const n = (data.accounts || []).reduce((s, a) => s + a.users.length + a.groups.length + a.roles.length + a.policies.length, 0) + (data.buckets || []).length;
      $("entities-status").textContent = `${n} entit${n === 1 ? "y" : "ies"} in ${(data.accounts || []).length} account${(data.accounts || []).length === 1 ? "" : "s"}; loaded ${new Date().toLocaleTimeString([], { hour12: false })}.`;
    } catch (e) {
      $("entities-status").textContent = `Cannot load entities: ${e.message}`;
    } finally {
      entitiesLoading = false;
    }
  }
  $("entities-refresh").addEventListener("click", loadEntities);

  // --------------------------------------------------------------- playground

  const EXAMPLES = [
    {
      name: "Home folder: ${aws:username} in a resource",
      principal: "arn:aws:iam::123456789012:user/alice",
      action: "s3:GetObject",
      resource: "arn:aws:s3:::reports/home/bob/notes.txt",
      context: "aws:SourceIp=203.0.113.7",
      identity: {
        Version: "2012-10-17",
        Statement: [
          { Sid: "Home", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/home/${aws:username}/*" },
          { Sid: "OfficeOnly", Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } } },
        ],
      },
    },
    {
      name: "An explicit deny wins",
      principal: "arn:aws:iam::123456789012:user/alice",
      action: "s3:DeleteObject",
      resource: "arn:aws:s3:::reports/2024/q1.csv",
      context: "",
      identity: {
        Version: "2012-10-17",
        Statement: [
          { Sid: "AllOfS3", Effect: "Allow", Action: "s3:*", Resource: "*" },
          { Sid: "KeepReports", Effect: "Deny", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::reports/*" },
        ],
      },
    },
    {
      name: "A permissions boundary caps what the policy grants",
      principal: "arn:aws:iam::123456789012:user/alice",
      action: "iam:CreateUser",
      resource: "arn:aws:iam::123456789012:user/mallory",
      context: "",
      identity: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      boundary: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:*", "kinesis:*"], Resource: "*" }] },
    },
    {
      name: "Bucket policy for another account (and a typo)",
      principal: "arn:aws:iam::111122223333:user/carol",
      action: "s3:ListBucket",
      resource: "arn:aws:s3:::reports",
      resourceAccount: "123456789012",
      context: "",
      identity: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:ListObject", "s3:GetObject"], Resource: ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"] }] },
      resourcePolicy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["s3:ListBucket", "s3:GetObject"], Resource: ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"] }],
      },
    },
    {
      name: "An SCP that allows only some services",
      principal: "arn:aws:iam::123456789012:user/alice",
      action: "ec2:RunInstances",
      resource: "*",
      context: "aws:RequestedRegion=us-east-1",
      identity: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      scp: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:*", "iam:*", "sts:*"], Resource: "*" }] },
    },
    {
      name: "A role session under a permissions boundary",
      principal: "arn:aws:iam::123456789012:role/deployer",
      action: "iam:CreateUser",
      resource: "arn:aws:iam::123456789012:user/mallory",
      context: "",
      identity: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      boundary: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] },
    },
    {
      name: "GetCallerIdentity needs no permission",
      principal: "arn:aws:iam::123456789012:user/alice",
      action: "sts:GetCallerIdentity",
      resource: "*",
      context: "",
      identity: { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] },
    },
    {
      name: "GitHub Actions assumes a role (OIDC)",
      principal: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
      action: "sts:AssumeRoleWithWebIdentity",
      resource: "arn:aws:iam::123456789012:role/ci",
      context: "token.actions.githubusercontent.com:aud=sts.amazonaws.com\ntoken.actions.githubusercontent.com:sub=repo:octo/app:ref:refs/heads/main",
      trust: true,
      resourcePolicy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
              StringLike: { "token.actions.githubusercontent.com:sub": "repo:octo/app:*" },
            },
          },
        ],
      },
    },
    { name: "Empty", principal: "arn:aws:iam::123456789012:user/alice", action: "", resource: "", context: "" },
  ];

  const pgFields = {
    principal: $("pg-principal"),
    action: $("pg-action"),
    resource: $("pg-resource"),
    resourceAccount: $("pg-resource-account"),
    context: $("pg-context"),
    identity: $("pg-identity"),
    resourcePolicy: $("pg-resource-policy"),
    boundary: $("pg-boundary"),
    scp: $("pg-scp"),
    trust: $("pg-trust"),
  };
  const POLICY_FIELDS = ["identity", "resourcePolicy", "boundary", "scp"];
  const STORE_KEY = "iam-emulator-console-playground";

  const playground = {
    started: false,
    controller: null,
    seq: 0,
    start() {
      if (this.started) return;
      this.started = true;
      const select = $("pg-example");
      EXAMPLES.forEach((ex, i) => select.append(h("option", { value: String(i) }, ex.name)));
      select.prepend(h("option", { value: "" }, "— keep what is there —"));
      let saved = null;
      try {
        saved = JSON.parse(localStorage.getItem(STORE_KEY) || "null");
      } catch (e) {
        saved = null;
      }
      if (saved && typeof saved === "object") {
        for (const [k, el] of Object.entries(pgFields)) {
          if (k in saved) {
            if (el.type === "checkbox") el.checked = !!saved[k];
            else el.value = String(saved[k]);
          }
        }
        select.value = "";
      } else {
        loadExample(0);
        select.value = "0";
      }
      select.addEventListener("change", () => {
        if (select.value !== "") loadExample(Number(select.value));
      });
      const form = $("pg-form");
      form.addEventListener("input", debounce(() => update(), DEBOUNCE_MS));
      form.addEventListener("change", debounce(() => update(), DEBOUNCE_MS));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        update();
      });
      update();
    },
  };

  function loadExample(i) {
    const ex = EXAMPLES[i];
    const text = (v) => (v ? JSON.stringify(v, null, 2) : "");
    pgFields.principal.value = ex.principal || "";
    pgFields.action.value = ex.action || "";
    pgFields.resource.value = ex.resource || "";
    pgFields.resourceAccount.value = ex.resourceAccount || "";
    pgFields.context.value = ex.context || "";
    pgFields.identity.value = text(ex.identity);
    pgFields.resourcePolicy.value = text(ex.resourcePolicy);
    pgFields.boundary.value = text(ex.boundary);
    pgFields.scp.value = text(ex.scp);
    pgFields.trust.checked = Boolean(ex.trust);
    update();
  }

  /** The body of POST /_emulator/evaluate for the form as it is. */
  function evaluateBody() {
    const v = (k) => pgFields[k].value;
    const body = {
      principal: v("principal"),
      action: v("action"),
      resource: v("resource"),
      context: v("context").split("\n").map((l) => l.trim()).filter(Boolean),
    };
    if (v("resourceAccount").trim()) body.resourceAccount = v("resourceAccount").trim();
    if (v("identity").trim()) body.policies = [{ name: "identity.json", document: v("identity") }];
    if (v("resourcePolicy").trim()) {
      const doc = { name: pgFields.trust.checked ? "trust.json" : "resource.json", document: v("resourcePolicy") };
      if (pgFields.trust.checked) body.trustPolicy = doc;
      else body.resourcePolicy = doc;
    }
    if (v("boundary").trim()) body.boundary = { name: "boundary.json", document: v("boundary") };
    if (v("scp").trim()) body.scps = [{ name: "scp.json", document: v("scp") }];
    return body;
  }

  function shellQuote(s) {
    return /^[A-Za-z0-9_\/:.=@*+,-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
  }

  function cliText(body) {
    const parts = ["iam-emulator explain"];
    for (const p of body.policies || []) parts.push(`--policy ${p.name}`);
    if (body.resourcePolicy) parts.push(`--resource-policy ${body.resourcePolicy.name}`);
    if (body.trustPolicy) parts.push(`--trust-policy ${body.trustPolicy.name}`);
    if (body.boundary) parts.push(`--boundary ${body.boundary.name}`);
    for (const p of body.scps || []) parts.push(`--scp ${p.name}`);
    if (body.principal.trim()) parts.push(`--principal ${shellQuote(body.principal.trim())}`);
    parts.push(`--action ${shellQuote(body.action.trim() || "ACTION")}`);
    parts.push(`--resource ${shellQuote(body.resource.trim() || "RESOURCE")}`);
    if (body.resourceAccount) parts.push(`--resource-account ${shellQuote(body.resourceAccount)}`);
    for (const c of body.context) parts.push(`--context ${shellQuote(c)}`);
    parts.push("--json");
    return parts.join(" \\\n  ");
  }

  function selectSpan(textarea, loc) {
    const chars = Array.from(textarea.value);
    const units = (n) => chars.slice(0, n).join("").length;
    textarea.focus();
    textarea.setSelectionRange(units(loc.span.start.offset), units(Math.max(loc.span.end.offset, loc.span.start.offset + 1)));
  }

  async function validateField(name, signal) {
    const el = pgFields[name];
    const slot = $(`${el.id}-findings`);
    const text = el.value;
    if (!text.trim()) {
      clear(slot);
      el.removeAttribute("aria-invalid");
      return;
    }
    const body = { policyDocument: text, policyType: el.dataset.policyType };
    if (name === "resourcePolicy") body.validatePolicyResourceType = pgFields.trust.checked ? "AWS::IAM::AssumeRolePolicyDocument" : "AWS::S3::Bucket";
    const reply = await postJson("/_emulator/validate", body, signal);
    if (!reply.ok) return;
    const findings = reply.value.findings || [];
    const ids = findings.map(() => `finding-${++findingIds}`);
    clear(slot).append(findingList(findings, ids, (loc) => selectSpan(el, loc)));
    if (findings.some((f) => f.findingType === "ERROR")) el.setAttribute("aria-invalid", "true");
    else el.removeAttribute("aria-invalid");
  }

  async function update() {
    const seq = ++playground.seq;
    if (playground.controller) playground.controller.abort();
    const controller = new AbortController();
    playground.controller = controller;
    const body = evaluateBody();
    try {
      localStorage.setItem(STORE_KEY, JSON.stringify(Object.fromEntries(Object.entries(pgFields).map(([k, el]) => [k, el.type === "checkbox" ? el.checked : el.value]))));
    } catch (e) {
      /* storage may be off; the playground works without it */
    }
    $("pg-cli").textContent = cliText(body);
    try {
      // Findings are shown as they come; a superseded check is aborted quietly.
      const validations = POLICY_FIELDS.map((f) => validateField(f, controller.signal).catch(() => {}));
      const reply = await postJson("/_emulator/evaluate", body, controller.signal);
      await Promise.allSettled(validations);
      if (seq !== playground.seq) return;
      const result = clear($("pg-result"));
      const live = $("pg-live");
      if (!reply.ok) {
        const field = reply.value.field ? ` (${reply.value.field})` : "";
        live.textContent = "";
        result.append(h("div", { class: "input-error", role: "alert" }, h("strong", {}, `Cannot decide yet${field}: `), reply.value.error || `HTTP ${reply.status}`));
        return;
      }
      const d = reply.value;
      live.textContent = `${DECISION_WORDS[d.decision] || d.decision}. ${d.summary}`;
      result.append(renderDecision(d, 4));
    } catch (e) {
      if (e.name !== "AbortError" && seq === playground.seq) {
        clear($("pg-result")).append(h("div", { class: "input-error", role: "alert" }, `Cannot reach the emulator: ${e.message}`));
      }
    }
  }

  // ------------------------------------------------------------------ policy

  /** Offers the principals seen so far in the principal field's list. */
  async function loadPrincipals() {
    try {
      const data = await getJson("/_emulator/observations?limit=1000");
      const principals = [...new Set(data.observations.map((o) => o.principal))].sort();
      append(clear($("policy-principals")), principals.map((p) => h("option", { value: p })));
      if (!$("policy-principal").value && principals.length) $("policy-principal").value = principals[0];
    } catch (e) {
      $("policy-status").textContent = String(e.message || e);
    }
  }

  let policySeq = 0;

  async function generatePolicy(event) {
    if (event) event.preventDefault();
    const seq = ++policySeq;
    const principal = $("policy-principal").value.trim();
    const params = new URLSearchParams({ principal });
    if ($("policy-generalise").checked) params.set("generalise", "prefix");
    let r, data;
    try {
      r = await fetch(`/_emulator/policy?${params.toString().replace(/\+/g, "%20")}`, { cache: "no-store" });
      data = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
    } catch (e) {
      r = { ok: false };
      data = { error: `Cannot reach the emulator: ${e.message}` };
    }
    // A newer request (another click, the checkbox) supersedes this one.
    if (seq !== policySeq) return;
    const explanations = clear($("policy-explanations"));
    $("policy-why").hidden = true;
    if (!r.ok) {
      $("policy-output").textContent = "";
      $("policy-status").textContent = data.error || `HTTP ${r.status}`;
      return;
    }
    const policy = { Version: data.policy.Version, Statement: data.policy.Statement.map((s) =>
      ({ Sid: s.Sid, Effect: s.Effect, Action: s.Action, Resource: s.Resource })) };
    $("policy-output").textContent = JSON.stringify(policy, null, 2);
    $("policy-status").textContent =
      `${data.observed} observed requests (${data.denied} denied when made), ${data.findings.length} findings`;
    append(explanations, data.explanations.map((x) => h("li", {}, x.sid ? `${x.sid}: ${x.text}` : x.text)));
    $("policy-why").hidden = data.explanations.length === 0;
  }

  $("policy-form").addEventListener("submit", generatePolicy);
  // Ticking "generalise prefixes" redraws the policy shown, so it always matches the box.
  $("policy-generalise").addEventListener("change", () => {
    if ($("policy-principal").value.trim() && $("policy-output").textContent) generatePolicy(null);
  });

  // -------------------------------------------------------------------- start

  const initial = TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "log";
  selectTab(initial, false);
  window.addEventListener("hashchange", () => {
    const name = location.hash.slice(1);
    if (TABS.includes(name)) selectTab(name, false);
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) document.body.classList.remove("offline");
  });
  pollLog();
})();
