#!/usr/bin/env node
// Differential-testing oracle: wraps @cloud-copilot/iam-simulate (AGPL-3.0, NOT vendored).
// The package is installed at test time into $IAM_SIMULATE_DIR (see README.md).
//
// stdin : one JSON case per line
//   {"id", "principal", "action", "resource", "resourceAccount", "context",
//    "identityPolicies", "resourcePolicy", "permissionBoundaries", "sessionPolicy",
//    "scps": [[level1...],[level2...]], "rcps": [[...]],
//    optional: "s3BucketAbac" (default true), "s3BlockPublicAccess" (default unset)}
//   principal "anonymous" (or null / {"type":"Anonymous"}) = unsigned request.
// stdout: one JSON line per case, in input order
//   {"id", "decision": "allowed"|"explicitDeny"|"implicitDeny"|"error", "detail", "ignoredContextKeys"?}
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.env.IAM_SIMULATE_DIR;
if (!dir) {
  process.stderr.write('IAM_SIMULATE_DIR must point at the folder where @cloud-copilot/iam-simulate is installed\n');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), 'package.json'));
let resolved;
try {
  resolved = require.resolve('@cloud-copilot/iam-simulate');
} catch (e) {
  process.stderr.write(`cannot resolve @cloud-copilot/iam-simulate from ${dir}: ${e.message}\n`);
  process.exit(2);
}
// require.resolve picks the CJS entry; import() of it still works (CJS interop), and
// keeps one module instance for the life of the process.
const sim = await import(pathToFileURL(resolved).href);
const runSimulation = sim.runSimulation ?? sim.default?.runSimulation;
const anonymousPrincipal = sim.anonymousPrincipal ?? sim.default?.anonymousPrincipal;

const DECISION = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' };

function named(prefix, list) {
  return (list ?? []).map((policy, i) => ({ name: `${prefix}${i}`, policy }));
}
function levels(prefix, lv) {
  return (lv ?? []).map((policies, i) => ({ orgIdentifier: `${prefix}-level-${i}`, policies: named(`${prefix}${i}-`, policies) }));
}
function principalOf(p) {
  if (p === null || p === undefined || p === 'anonymous' || (typeof p === 'object' && p.type === 'Anonymous')) {
    return anonymousPrincipal;
  }
  return p;
}

function toSimulation(c) {
  const s3 = {};
  s3.bucketAbacEnabled = c.s3BucketAbac ?? true; // otherwise aws:ResourceTag/* & s3:BucketTag/* are dropped for S3 ARNs
  if (c.s3BlockPublicAccess !== undefined) s3.blockPublicAccess = c.s3BlockPublicAccess;
  const simulation = {
    request: {
      principal: principalOf(c.principal),
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: c.context ?? {},
    },
    identityPolicies: named('identity', c.identityPolicies),
    serviceControlPolicies: levels('scp', c.scps),
    resourceControlPolicies: levels('rcp', c.rcps),
    additionalSettings: { s3 },
  };
  if (c.resourcePolicy) simulation.resourcePolicy = c.resourcePolicy;
  if (c.permissionBoundaries && c.permissionBoundaries.length > 0) {
    simulation.permissionBoundaryPolicies = named('boundary', c.permissionBoundaries);
  }
  if (c.sessionPolicy) simulation.sessionPolicy = c.sessionPolicy;
  return simulation;
}

function summarizeErrors(errors) {
  const parts = [errors.message];
  for (const [k, v] of Object.entries(errors)) {
    if (k === 'message') continue;
    const flat = Array.isArray(v) ? v : Object.entries(v).flatMap(([n, es]) => es.map((e) => ({ n, ...e })));
    for (const e of flat) {
      parts.push(typeof e === 'string' ? `${k}:${e}` : `${k}:${e.n ?? ''}:${e.path ?? ''}:${e.message ?? JSON.stringify(e)}`);
    }
  }
  return parts.join('; ').slice(0, 500);
}

function summarizeAnalysis(a) {
  const r = (x) => x?.result ?? '-';
  const bits = [
    `identity=${r(a.identityAnalysis)}`,
    `resource=${r(a.resourceAnalysis)}`,
    `pb=${r(a.permissionBoundaryAnalysis)}`,
    `session=${r(a.sessionAnalysis)}`,
    `scp=${a.scpAnalysis?.ouAnalysis?.length ? a.scpAnalysis.result : '-'}`,
    `rcp=${a.rcpAnalysis?.ouAnalysis?.length ? a.rcpAnalysis.result : '-'}`,
    `sameAccount=${a.sameAccount}`,
  ];
  if (a.blockedBy?.length) bits.push(`blockedBy=${a.blockedBy.join(',')}`);
  return bits.join(' ');
}

async function runCase(c) {
  const res = await runSimulation(toSimulation(c), { simulationMode: 'Strict' });
  if (res.resultType === 'error') {
    return { decision: 'error', detail: summarizeErrors(res.errors) };
  }
  if (res.resultType === 'single') {
    const out = { decision: DECISION[res.overallResult] ?? 'error', detail: summarizeAnalysis(res.result.analysis) };
    if (res.result.ignoredContextKeys?.length) out.ignoredContextKeys = res.result.ignoredContextKeys;
    return out;
  }
  // wildcard request resource: several simulations were run
  return {
    decision: DECISION[res.overallResult] ?? 'error',
    detail: `wildcard(${res.results.length}): ` + res.results.map((x) => `${x.resourcePattern}=>${x.analysis.result}`).join(', ').slice(0, 400),
  };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let c;
  let out;
  try {
    c = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ id: null, decision: 'error', detail: `bad json: ${e.message}` }) + '\n');
    continue;
  }
  try {
    out = { id: c.id, ...(await runCase(c)) };
  } catch (e) {
    out = { id: c.id, decision: 'error', detail: `exception: ${e?.message ?? e}`.slice(0, 500) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
