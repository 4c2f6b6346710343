// AWS SDK for JavaScript v3 against the iam-emulator release binary:
// STS and IAM as root, a new user with a key and a policy, S3 put/get as
// that user with the SDK's default checksums, and a denial worded as AWS
// words it. Run by .ci/run (`node tests/js/smoke.mjs`); the binary is
// $IAM_EMULATOR_BIN or target/release/iam-emulator, started on a free port
// unless $IAM_EMULATOR_ENDPOINT names a running emulator.
//
// Prints one line per check and closes with `js-smoke: N passed, N failed`.

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  IAMClient,
  CreateUserCommand,
  CreateAccessKeyCommand,
  PutUserPolicyCommand,
  ListUsersCommand,
} from "@aws-sdk/client-iam";
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  DeleteObjectCommand,
} from "@aws-sdk/client-s3";

const ROOT = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const REGION = "us-east-1";
const here = path.dirname(fileURLToPath(import.meta.url));

/** Starts the binary on a free port; resolves to { endpoint, stop }. */
function startEmulator() {
  const binary =
    process.env.IAM_EMULATOR_BIN ||
    path.join(process.env.CARGO_TARGET_DIR || path.join(here, "..", "..", "target"), "release", "iam-emulator");
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("IAM_EMULATOR_")));
  const child = spawn(binary, ["serve", "--listen", "127.0.0.1:0"], { env, stdio: ["ignore", "pipe", "pipe"] });
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
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^iam-emulator listening on (http:\/\/\S+)$/.exec(line.trim());
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      child.removeAllListeners("exit");
      resolve({ endpoint: m[1], stop });
    });
  });
}

function clients(endpoint, credentials) {
  const common = { endpoint, region: REGION, credentials };
  return {
    sts: new STSClient(common),
    iam: new IAMClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
}

let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function main() {
  const external = process.env.IAM_EMULATOR_ENDPOINT;
  const server = external ? { endpoint: external, stop: async () => 0 } : await startEmulator();
  const root = clients(server.endpoint, ROOT);
  const suffix = Date.now().toString(36);
  const userName = `js-smoke-${suffix}`;
  const bucket = `js-smoke-${suffix}`;
  let user;

  await check("sts GetCallerIdentity as root", async () => {
    const me = await root.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn === "arn:aws:iam::123456789012:root", `Arn ${me.Arn}`);
    expect(me.Account === "123456789012", `Account ${me.Account}`);
  });

  await check("iam CreateUser, CreateAccessKey, PutUserPolicy", async () => {
    const created = await root.iam.send(new CreateUserCommand({ UserName: userName }));
    expect(created.User.Arn === `arn:aws:iam::123456789012:user/${userName}`, `Arn ${created.User.Arn}`);
    const key = await root.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    expect(key.AccessKey.AccessKeyId.startsWith("AKIA"), `key ${key.AccessKey.AccessKeyId}`);
    const policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `arn:aws:s3:::${bucket}/*` },
      ],
    };
    await root.iam.send(
      new PutUserPolicyCommand({ UserName: userName, PolicyName: "objects", PolicyDocument: JSON.stringify(policy) }),
    );
    user = clients(server.endpoint, {
      accessKeyId: key.AccessKey.AccessKeyId,
      secretAccessKey: key.AccessKey.SecretAccessKey,
    });
    const who = await user.sts.send(new GetCallerIdentityCommand({}));
    expect(who.Arn === created.User.Arn, `caller ${who.Arn}`);
  });

  await check("s3 PutObject and GetObject as the user, default checksums", async () => {
    expect(user, "no user credentials (the previous check failed)");
    await root.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const body = "hello from the AWS SDK for JavaScript v3\n".repeat(300);
    const put = await user.s3.send(new PutObjectCommand({ Bucket: bucket, Key: "dir/hello.txt", Body: body }));
    expect(put.ETag, "PutObject without an ETag");
    const got = await user.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: "dir/hello.txt", ChecksumMode: "ENABLED" }),
    );
    const text = await got.Body.transformToString();
    expect(text === body, `body differs: ${text.length} bytes`);
    // The SDK sends a CRC32 checksum by default; the emulator stores and returns it.
    expect(put.ChecksumCRC32 && got.ChecksumCRC32, `no CRC32 checksum (put ${put.ChecksumCRC32}, get ${got.ChecksumCRC32})`);
    expect(put.ChecksumCRC32 === got.ChecksumCRC32, `${put.ChecksumCRC32} != ${got.ChecksumCRC32}`);
    // A stream body goes as aws-chunked with the checksum in a trailer
    // (as on AWS, every chunk but the last must hold at least 8 KiB).
    const streamed = await user.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "dir/streamed.txt",
        Body: Readable.from([Buffer.from(body.slice(0, 8192)), Buffer.from(body.slice(8192))]),
        ContentLength: Buffer.byteLength(body),
      }),
    );
    expect(streamed.ChecksumCRC32 === put.ChecksumCRC32, `streamed ${streamed.ChecksumCRC32}`);
    const again = await user.s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/streamed.txt" }));
    expect((await again.Body.transformToString()) === body, "streamed body differs");
  });

  await check("denials come back as AccessDenied with AWS's message", async () => {
    expect(user, "no user credentials (the previous check failed)");
    for (const [what, call] of [
      ["iam ListUsers", () => user.iam.send(new ListUsersCommand({}))],
      ["s3 DeleteObject", () => user.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "dir/hello.txt" }))],
    ]) {
      let error;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expect(error, `${what} was allowed`);
      expect(error.name === "AccessDenied", `${what}: ${error.name}: ${error.message}`);
      expect(error.$metadata.httpStatusCode === 403, `${what}: HTTP ${error.$metadata.httpStatusCode}`);
      expect(/is not authorized to perform/.test(error.message), `${what}: ${error.message}`);
    }
  });

  const code = await server.stop();
  if (!external && code !== 0) {
    failed += 1;
    console.log(`FAIL the emulator exited with ${code} after SIGTERM`);
  }
  console.log(`js-smoke: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(`FAIL ${e && e.stack ? e.stack : e}`);
  console.log(`js-smoke: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
