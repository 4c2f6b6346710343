// The teaching console in a real browser: starts the iam-emulator release
// binary, makes denied requests through the API (SigV4-signed here with
// node:crypto, as an SDK would), drives headless Chromium (Debian's
// `chromium`, through playwright-core) to the page, checks that the trace
// appears in the request log (by keyboard and by click), that the entities
// view marks validation findings and hides secrets, that the playground
// decides as you type; saves a screenshot (docs/console.png, or
// $CONSOLE_SCREENSHOT). Then, on a second emulator in `--auth soft`, a user
// without permissions writes and reads objects under two run-* prefixes,
// and the Policy view must show the least-privilege policy for that user:
// the observed actions on the exact object ARN, a run-*/* pattern when
// "generalise prefixes" is ticked, and the explanations. Last, S3 CORS: a
// page served from another origin fetches an object (with a header that
// makes the browser send a preflight) from a bucket whose CORS rules allow
// that origin, and is refused a method the rules do not allow. And a
// browser POST upload: a page on another origin holds a real <form> with a
// signed policy (as boto3's generate_presigned_post makes it); Chromium
// submits it with a file and follows success_action_redirect back.
//
// Run by .ci/run: `node tests/browser/console.mjs`. The binary is
// $IAM_EMULATOR_BIN or target/release/iam-emulator; the browser
// $CHROMIUM_BIN or /usr/bin/chromium.
//
// Prints one line per check and closes with `browser: N passed, N failed`.

import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.join(here, "..", "..");
const ROOT = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const REGION = "us-east-1";
const CHROMIUM = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const SCREENSHOT = process.env.CONSOLE_SCREENSHOT || path.join(repo, "docs", "console.png");
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// ------------------------------------------------------------------ emulator

/** Starts the binary on a free port (with `args` after `serve`); resolves to { endpoint, stop }. */
function startEmulator(args = []) {
  const binary =
    process.env.IAM_EMULATOR_BIN ||
    path.join(process.env.CARGO_TARGET_DIR || path.join(repo, "target"), "release", "iam-emulator");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("IAM_EMULATOR_")));
  const child = spawn(binary, ["serve", "--listen", "127.0.0.1:0", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once("exit", (code) => resolve(code));
      child.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${binary}: no ready line in 30 s; stderr: ${stderr}`)), 30000);
    child.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${e.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited (${code}) before it was ready; stderr: ${stderr}`));
    });
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      const m = /^iam-emulator listening on (http:\/\/\S+)$/.exec(line.trim());
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      child.removeAllListeners("exit");
      resolve({ endpoint: m[1], stop });
    });
  });
}

// ------------------------------------------------------------- SigV4, small

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();
const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A SigV4-signed request (header signature, payload hashed). */
async function signed(endpoint, creds, { service, method, path: p = "/", query = [], headers = {}, body = "" }) {
  const url = new URL(endpoint);
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const all = { host: url.host, "x-amz-date": amzDate, "x-amz-content-sha256": payloadHash };
  for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = v;
  const names = Object.keys(all).sort();
  const canonicalQuery = query
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalPath = p.split("/").map(rfc3986).join("/");
  const canonical = [method, canonicalPath, canonicalQuery, names.map((n) => `${n}:${String(all[n]).trim()}\n`).join(""), names.join(";"), payloadHash].join("\n");
  const scope = `${date}/${REGION}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  let key = hmac(`AWS4${creds.secretAccessKey}`, date);
  for (const part of [REGION, service, "aws4_request"]) key = hmac(key, part);
  const signature = hmac(key, toSign).toString("hex");
  const sent = { ...all, authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}` };
  delete sent.host;
  const target = `${endpoint}${canonicalPath}${canonicalQuery ? `?${canonicalQuery}` : ""}`;
  const reply = await fetch(target, { method, headers: sent, body: method === "GET" || method === "HEAD" ? undefined : body });
  return { status: reply.status, text: await reply.text() };
}

function iam(endpoint, creds, params) {
  const body = new URLSearchParams({ ...params, Version: "2010-05-08" }).toString();
  return signed(endpoint, creds, {
    service: "iam",
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
}

const xmlText = (xml, name) => (new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml) || [])[1];

const ALICE_POLICY = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "HomeFolder", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::reports/home/${aws:username}/*" },
    { Sid: "ListHome", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::reports", Condition: { StringLike: { "s3:prefix": "home/${aws:username}/*" } } },
    { Sid: "ListEverything", Effect: "Allow", Action: "s3:ListObject", Resource: "arn:aws:s3:::reports" },
  ],
};

/** alice with a home-folder policy (and a typo), a bucket, bob's file; returns alice's keys. */
async function setUp(endpoint) {
  const must = (what, reply, status = 200) => {
    if (reply.status !== status) throw new Error(`${what}: HTTP ${reply.status}: ${reply.text}`);
    return reply.text;
  };
  must("CreateUser", await iam(endpoint, ROOT, { Action: "CreateUser", UserName: "alice" }));
  must("PutUserPolicy", await iam(endpoint, ROOT, { Action: "PutUserPolicy", UserName: "alice", PolicyName: "home-folder", PolicyDocument: JSON.stringify(ALICE_POLICY) }));
  const keys = must("CreateAccessKey", await iam(endpoint, ROOT, { Action: "CreateAccessKey", UserName: "alice" }));
  must("CreateBucket", await signed(endpoint, ROOT, { service: "s3", method: "PUT", path: "/reports" }));
  must("PutObject", await signed(endpoint, ROOT, { service: "s3", method: "PUT", path: "/reports/home/bob/notes.txt", body: "bob's notes\n" }));
  return { accessKeyId: xmlText(keys, "AccessKeyId"), secretAccessKey: xmlText(keys, "SecretAccessKey") };
}

const CI_USER = "arn:aws:iam::123456789012:user/ci";
const RUN_123 = "arn:aws:s3:::artifacts/run-123/report.txt";
const RUN_456 = "arn:aws:s3:::artifacts/run-456/coverage.json";

/** A user `ci` with no policy at all and a bucket `artifacts`; returns ci's keys. */
async function setUpSoft(endpoint) {
  const must = (what, reply) => {
    if (reply.status !== 200) throw new Error(`${what}: HTTP ${reply.status}: ${reply.text}`);
    return reply.text;
  };
  must("CreateUser", await iam(endpoint, ROOT, { Action: "CreateUser", UserName: "ci" }));
  const keys = must("CreateAccessKey", await iam(endpoint, ROOT, { Action: "CreateAccessKey", UserName: "ci" }));
  must("CreateBucket", await signed(endpoint, ROOT, { service: "s3", method: "PUT", path: "/artifacts" }));
  return { accessKeyId: xmlText(keys, "AccessKeyId"), secretAccessKey: xmlText(keys, "SecretAccessKey") };
}

/** What a CI job does with `ci`'s keys: writes a file under run-ID/ and reads it back (soft mode: both go through). */
async function ciRun(endpoint, ci, run, file) {
  const key = `/artifacts/run-${run}/${file}`;
  const put = await signed(endpoint, ci, { service: "s3", method: "PUT", path: key, body: `run ${run}\n` });
  assert(put.status === 200, `soft mode: ci's PutObject of ${key}: HTTP ${put.status}: ${put.text}`);
  const get = await signed(endpoint, ci, { service: "s3", method: "GET", path: key });
  assert(get.status === 200 && get.text === `run ${run}\n`, `soft mode: ci's GetObject of ${key}: HTTP ${get.status}: ${get.text}`);
}

// --------------------------------------------------------------------- checks

const results = { passed: 0, failed: 0 };

async function check(name, fn) {
  try {
    await fn();
    results.passed += 1;
    console.log(`ok - ${name}`);
  } catch (e) {
    results.failed += 1;
    console.log(`not ok - ${name}: ${e && e.stack ? e.stack.split("\n").slice(0, 4).join("\n    ") : e}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function main() {
  const emulator = await startEmulator();
  let soft = null;
  const profile = mkdtempSync(path.join(tmpdir(), "iam-console-chromium-"));
  let context = null;
  try {
    soft = await startEmulator(["--auth", "soft"]);
    const alice = await setUp(emulator.endpoint);
    // The denied requests: bob's file, and a listing of bob's folder.
    const get = await signed(emulator.endpoint, alice, { service: "s3", method: "GET", path: "/reports/home/bob/notes.txt" });
    assert(get.status === 403, `alice's GetObject of bob's file: HTTP ${get.status}`);
    const list = await signed(emulator.endpoint, alice, { service: "s3", method: "GET", path: "/reports", query: [["list-type", "2"], ["prefix", "home/bob/"]] });
    assert(list.status === 403, `alice's ListObjectsV2 of bob's folder: HTTP ${list.status}`);

    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1440, height: 1000 },
      deviceScaleFactor: 1,
      colorScheme: "light",
      reducedMotion: "reduce",
    });
    const page = context.pages()[0] || (await context.newPage());
    const problems = [];
    const watch = (p, endpoint) => {
      const origin = new URL(endpoint).origin;
      p.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      p.on("console", (m) => {
        if (m.type() === "error") problems.push(`console error: ${m.text()}`);
      });
      p.on("request", (r) => {
        if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) problems.push(`request outside the emulator: ${r.url()}`);
      });
    };
    watch(page, emulator.endpoint);

    await check("the page loads with its landmarks and tabs", async () => {
      const reply = await page.goto(`${emulator.endpoint}/_emulator/ui`);
      assert(reply.status() === 200, `HTTP ${reply.status()}`);
      await page.getByRole("heading", { level: 1, name: /iam-emulator/ }).waitFor();
      await page.getByRole("main").waitFor();
      await page.getByRole("navigation", { name: "Views" }).waitFor();
      for (const name of ["Requests", "Entities", "Playground"]) await page.getByRole("tab", { name }).waitFor();
      assert((await page.getByRole("tab", { name: "Requests" }).getAttribute("aria-selected")) === "true", "Requests is not the first view");
    });

    const getEntry = page.getByRole("button", { name: /Denied s3:GetObject/ });
    const listEntry = page.getByRole("button", { name: /Denied s3:ListBucket/ });
    const detail = page.locator("#log-detail");

    await check("the denied requests appear in the live log", async () => {
      await getEntry.waitFor({ timeout: 10000 });
      await listEntry.waitFor({ timeout: 10000 });
      const text = await getEntry.textContent();
      assert(text.includes("arn:aws:iam::123456789012:user/alice"), `no principal in ${text}`);
      assert(text.includes("arn:aws:s3:::reports/home/bob/notes.txt"), `no resource in ${text}`);
    });

    await check("Enter on an entry shows its trace", async () => {
      await getEntry.focus();
      await page.keyboard.press("Enter");
      await detail.getByText("AWS says").waitFor();
      await detail
        .getByText('User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::reports/home/bob/notes.txt" because no identity-based policy allows the s3:GetObject action')
        .waitFor();
      await detail.getByText(/Denied: no statement in any identity-based policy allows s3:GetObject/).waitFor();
      await detail.getByText(/Identity-based policy “home-folder/).waitFor();
      await detail.getByText(/the resource is not in Resource/).first().waitFor();
      assert((await getEntry.getAttribute("aria-current")) === "true", "the entry is not marked current");
      assert(await getEntry.evaluate((el) => el === document.activeElement), "focus left the entry");
    });

    await check("arrow keys move through the log; a click shows the failed condition with the request's value", async () => {
      await getEntry.focus();
      const names = await page.locator("#log-list button.entry").allTextContents();
      const down = names.findIndex((n) => n.includes("s3:GetObject")) < names.findIndex((n) => n.includes("s3:ListBucket"));
      await page.keyboard.press(down ? "ArrowDown" : "ArrowUp");
      assert(await listEntry.evaluate((el) => el === document.activeElement), "the arrow key did not move to the next entry");
      await listEntry.click();
      await detail.getByText(/not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::reports" because/).waitFor();
      const row = detail.locator("table.conditions tr", { hasText: "s3:prefix" });
      await row.waitFor();
      const cells = await row.locator("td").allTextContents();
      assert(cells[1].includes("home/${aws:username}/*"), `policy value: ${cells[1]}`);
      assert(cells[2].includes('"home/bob/"'), `request value: ${cells[2]}`);
      await detail.getByText(/Action entry "s3:ListObject" names no AWS action/).waitFor();
    });

    await check("the screenshot", async () => {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.evaluate(() => document.activeElement && document.activeElement.blur());
      await page.screenshot({ path: SCREENSHOT });
    });

    await check("entities: alice's policy with its finding marked, her key without its secret", async () => {
      await page.getByRole("tab", { name: "Entities" }).click();
      const user = page.locator("details.entity", { has: page.locator("summary", { hasText: "User alice" }) });
      await user.locator("summary").click();
      const mark = user.locator("pre.policy-doc mark.sev-ERROR");
      await mark.first().waitFor();
      assert((await mark.first().textContent()) === '"s3:ListObject"', `marked: ${await mark.first().textContent()}`);
      await user.getByText("INVALID_ACTION").waitFor();
      await user.getByText(alice.accessKeyId).waitFor();
      const html = await page.content();
      assert(!html.includes(alice.secretAccessKey) && !html.includes(ROOT.secretAccessKey), "a secret access key is on the page");
      const bucket = page.locator("details.entity", { has: page.locator("summary", { hasText: "Bucket reports" }) });
      await bucket.locator("summary").click();
      await bucket.getByText("Block Public Access").waitFor();
      await bucket.getByText("RestrictPublicBuckets: on").waitFor();
    });

    await check("playground: the decision updates as you type", async () => {
      await page.getByRole("tab", { name: "Playground" }).click();
      await page.getByLabel("Start from an example").selectOption({ label: "An explicit deny wins" });
      const live = page.locator("#pg-live");
      await page.waitForFunction(() => document.getElementById("pg-live").textContent.startsWith("Denied (explicit deny)"));
      const action = page.getByRole("textbox", { name: "Action" });
      await action.fill("");
      await action.pressSequentially("s3:GetObject", { delay: 20 });
      // The form updates debounced: wait for the update of the last keystroke, then its decision.
      await page.waitForFunction(() => /--action s3:GetObject \\\n/.test(document.getElementById("pg-cli").textContent));
      await page.waitForFunction(() => document.getElementById("pg-live").textContent.startsWith("Allowed"));
      assert((await live.getAttribute("aria-live")) === "polite", "the result is not announced");
      const cli = await page.locator("#pg-cli").textContent();
      assert(cli.includes("--action s3:GetObject") && cli.includes("--policy identity.json"), `CLI line: ${cli}`);
      const identity = page.getByRole("textbox", { name: "Identity-based policy" });
      await identity.fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}');
      await page.locator("#pg-identity-findings").getByText("INVALID_ACTION").waitFor();
      await page.waitForFunction(() => document.getElementById("pg-live").textContent.startsWith("Denied (no Allow)"));
    });

    // ------------------------------------------- the Policy view, soft mode
    const softPage = await context.newPage();
    watch(softPage, soft.endpoint);
    const ci = await setUpSoft(soft.endpoint);
    await ciRun(soft.endpoint, ci, "123", "report.txt");
    const policyOutput = softPage.getByLabel("Generated policy");
    const explanations = softPage.getByRole("list", { name: "Why the policy is as it is" });
    const generalise = softPage.getByRole("checkbox", { name: "generalise prefixes" });
    /** The policy shown, once it satisfies `ready` (polled: the view fetches it). */
    const shownPolicy = async (ready) => {
      let last = "";
      for (let i = 0; i < 100; i += 1) {
        last = (await policyOutput.textContent()) || "";
        if (last) {
          const doc = JSON.parse(last);
          if (ready(doc)) return doc;
        }
        await softPage.waitForTimeout(50);
      }
      throw new Error(`the policy shown never became what was expected: ${last ? JSON.stringify(JSON.parse(last)) : "(nothing shown)"}`);
    };
    const resourcesOf = (doc) => doc.Statement.flatMap((s) => s.Resource).sort();
    const actionsOf = (doc) => [...new Set(doc.Statement.flatMap((s) => s.Action))].sort();

    await check("policy: the view offers the principals observed, and one is picked", async () => {
      const reply = await softPage.goto(`${soft.endpoint}/_emulator/ui`);
      assert(reply.status() === 200, `HTTP ${reply.status()}`);
      await softPage.getByRole("tab", { name: "Policy" }).click();
      assert((await softPage.getByRole("tab", { name: "Policy" }).getAttribute("aria-selected")) === "true", "the Policy tab is not selected");
      await softPage.getByRole("tabpanel", { name: "Policy" }).waitFor();
      await softPage.locator(`#policy-principals option[value="${CI_USER}"]`).waitFor({ state: "attached" });
      const principal = softPage.getByRole("combobox", { name: "Principal" });
      await principal.fill(CI_USER);
      assert(!(await generalise.isChecked()), "generalise prefixes is ticked from the start");
      await softPage.getByRole("button", { name: "Generate" }).click();
      await softPage.getByRole("status").filter({ hasText: "observed requests" }).waitFor();
    });

    await check("policy: the observed actions on the exact object ARN, and why", async () => {
      const doc = await shownPolicy((d) => resourcesOf(d).includes(RUN_123));
      assert(doc.Version === "2012-10-17", `Version: ${doc.Version}`);
      assert(doc.Statement.every((s) => s.Effect === "Allow"), `not all Allow: ${JSON.stringify(doc)}`);
      assert(JSON.stringify(actionsOf(doc)) === JSON.stringify(["s3:GetObject", "s3:PutObject"]), `actions: ${actionsOf(doc)}`);
      assert(JSON.stringify(resourcesOf(doc)) === JSON.stringify([RUN_123]), `resources: ${resourcesOf(doc)}`);
      const status = await softPage.locator("#policy-status").textContent();
      assert(/^2 observed requests \(2 denied when made\)/.test(status), `status: ${status}`);
      await explanations.getByRole("listitem").filter({ hasText: "2 of the 2 observed requests were denied when made" }).waitFor();
    });

    await check("policy: generalise prefixes folds two run-* prefixes into run-*/* and explains it", async () => {
      await ciRun(soft.endpoint, ci, "456", "coverage.json");
      await softPage.getByRole("button", { name: "Generate" }).click();
      const exact = await shownPolicy((d) => resourcesOf(d).length === 2);
      assert(JSON.stringify(resourcesOf(exact)) === JSON.stringify([RUN_123, RUN_456]), `exact resources: ${resourcesOf(exact)}`);
      await generalise.check();
      const pattern = "arn:aws:s3:::artifacts/run-*/*";
      const folded = await shownPolicy((d) => resourcesOf(d).includes(pattern));
      assert(JSON.stringify(resourcesOf(folded)) === JSON.stringify([pattern]), `generalised resources: ${resourcesOf(folded)}`);
      assert(JSON.stringify(actionsOf(folded)) === JSON.stringify(["s3:GetObject", "s3:PutObject"]), `generalised actions: ${actionsOf(folded)}`);
      const why = explanations.getByRole("listitem").filter({ hasText: `${pattern} generalises 2 observed resources` });
      await why.waitFor();
      const text = await why.textContent();
      assert(text.includes(RUN_123) && text.includes(RUN_456), `the explanation does not name both objects: ${text}`);
      assert(text.startsWith(`${folded.Statement[0].Sid}: `), `the explanation does not name its statement: ${text}`);
      await generalise.uncheck();
      await shownPolicy((d) => JSON.stringify(resourcesOf(d)) === JSON.stringify([RUN_123, RUN_456]));
      assert((await explanations.getByRole("listitem").filter({ hasText: "generalises" }).count()) === 0, "a generalisation is still explained after unticking");
    });

    await check("S3 CORS: a page on another origin fetches an object; a method the rules lack is refused", async () => {
      const site = createServer((_, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!doctype html><title>another origin</title><p>cors probe</p>");
      });
      await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
      const origin = `http://127.0.0.1:${site.address().port}`;
      try {
        const s3 = (method, p, query = [], body = "") => signed(emulator.endpoint, ROOT, { service: "s3", method, path: p, query, body });
        const must = async (what, reply, ok = [200, 204]) => {
          const r = await reply;
          assert(ok.includes(r.status), `${what}: HTTP ${r.status}: ${r.text}`);
        };
        await must("CreateBucket", s3("PUT", "/cors-site"));
        await must("PutObject", s3("PUT", "/cors-site/hello.txt", [], "hello from S3\n"));
        await must("DeletePublicAccessBlock", s3("DELETE", "/cors-site", [["publicAccessBlock", ""]]));
        const publicRead = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::cors-site/*" }] };
        await must("PutBucketPolicy", s3("PUT", "/cors-site", [["policy", ""]], JSON.stringify(publicRead)));
        const rules = `<CORSConfiguration><CORSRule><AllowedOrigin>${origin}</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-probe</AllowedHeader><ExposeHeader>ETag</ExposeHeader></CORSRule></CORSConfiguration>`;
        await must("PutBucketCors", s3("PUT", "/cors-site", [["cors", ""]], rules));
        const other = await context.newPage();
        await other.goto(origin);
        const url = `${emulator.endpoint}/cors-site/hello.txt`;
        const got = await other.evaluate(async (u) => {
          const r = await fetch(u, { headers: { "x-probe": "1" } });
          return { status: r.status, text: await r.text(), etag: r.headers.get("etag") };
        }, url);
        assert(got.status === 200 && got.text === "hello from S3\n", `cross-origin GET: ${JSON.stringify(got)}`);
        assert(got.etag && got.etag.length > 2, `the exposed ETag header: ${JSON.stringify(got)}`);
        const refused = await other.evaluate(async (u) => {
          try {
            await fetch(u, { method: "DELETE" });
            return "fetched";
          } catch (e) {
            return `refused: ${e.name}`;
          }
        }, url);
        assert(refused.startsWith("refused"), `a DELETE the CORS rules do not allow was ${refused}`);
        const still = await s3("GET", "/cors-site/hello.txt");
        assert(still.status === 200, `the object after the refused DELETE: HTTP ${still.status}`);
        await other.close();
      } finally {
        site.close();
      }
    });

    await check("S3 browser POST: a real <form> uploads a file under a signed policy and is redirected", async () => {
      const s3 = (method, p, query = [], body = "") => signed(emulator.endpoint, ROOT, { service: "s3", method, path: p, query, body });
      const made = await s3("PUT", "/form-uploads");
      assert(made.status === 200, `CreateBucket: HTTP ${made.status}: ${made.text}`);
      const site = createServer((req, res) => {
        res.writeHead(200, { "content-type": "text/html" });
        if (req.url.startsWith("/done")) {
          res.end("<!doctype html><title>uploaded</title><p id=done>thanks</p>");
          return;
        }
        res.end(formPage);
      });
      await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
      const origin = `http://127.0.0.1:${site.address().port}`;
      // What boto3's generate_presigned_post computes: a policy and its SigV4 signature.
      const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
      const date = amzDate.slice(0, 8);
      const credential = `${ROOT.accessKeyId}/${date}/${REGION}/s3/aws4_request`;
      const policy = Buffer.from(JSON.stringify({
        expiration: new Date(Date.now() + 600_000).toISOString(),
        conditions: [
          { bucket: "form-uploads" },
          ["starts-with", "$key", "forms/"],
          { success_action_redirect: `${origin}/done` },
          ["content-length-range", 1, 1048576],
          { "x-amz-algorithm": "AWS4-HMAC-SHA256" },
          { "x-amz-credential": credential },
          { "x-amz-date": amzDate },
        ],
      })).toString("base64");
      let key = hmac(`AWS4${ROOT.secretAccessKey}`, date);
      for (const part of [REGION, "s3", "aws4_request"]) key = hmac(key, part);
      const fields = {
        key: "forms/${filename}",
        success_action_redirect: `${origin}/done`,
        "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "x-amz-credential": credential,
        "x-amz-date": amzDate,
        policy,
        "x-amz-signature": hmac(key, policy).toString("hex"),
      };
      const hidden = Object.entries(fields).map(([n, v]) => `<input type=hidden name="${n}" value="${v}">`).join("");
      const formPage = `<!doctype html><title>upload</title><form action="${emulator.endpoint}/form-uploads" method="post" enctype="multipart/form-data">${hidden}<input type=file name=file id=file><button id=send type=submit>Upload</button></form>`;
      try {
        const other = await context.newPage();
        await other.goto(origin);
        await other.setInputFiles("#file", { name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from("sent by a browser form\n") });
        await Promise.all([other.waitForURL(`${origin}/done?*`), other.click("#send")]);
        const landed = new URL(other.url());
        assert(landed.searchParams.get("bucket") === "form-uploads", `redirected to ${other.url()}`);
        assert(landed.searchParams.get("key") === "forms/hello.txt", `redirected to ${other.url()}`);
        assert(/^"[0-9a-f]{32}"$/.test(landed.searchParams.get("etag") || ""), `redirected to ${other.url()}`);
        const got = await s3("GET", "/form-uploads/forms/hello.txt");
        assert(got.status === 200 && got.text === "sent by a browser form\n", `the uploaded object: HTTP ${got.status}: ${got.text}`);
        await other.close();
      } finally {
        site.close();
      }
    });

    await check("no page errors, nothing fetched from elsewhere", async () => {
      assert(problems.length === 0, problems.join("; "));
    });
  } catch (e) {
    results.failed += 1;
    console.log(`not ok - set-up: ${e && e.stack ? e.stack : e}`);
  } finally {
    if (context) await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
    if (soft) await soft.stop();
    await emulator.stop();
  }
  console.log(`browser: ${results.passed} passed, ${results.failed} failed`);
  process.exitCode = results.failed ? 1 : 0;
}

await main();
