//! Mutated requests over the wire to an in-process emulator in strict
//! mode: bodies of every parsed format signed correctly (so they reach the
//! parser, not just the signature check), signed requests whose
//! `Authorization` header was then mutated, presigned URLs with a mutated
//! query, and raw HTTP bytes mutated before the server's HTTP parser.
//!
//! Every reply must be below 500 and, when refused, in AWS's error shape;
//! a refused request must leave the state as it was; the server must keep
//! answering. The parser-level properties (thousands of cases, no
//! network) are in `emulator/tests/fuzz_parsers.rs`; this is the wire
//! check with fewer cases. Seeded (`FUZZ_SEED`); figures go to
//! `target/reliability/reliability_fuzz.json`.

use iam_emulator_tests::reliability::{aws_shaped, write_figures};
use iam_harness::{Client, Emulator, Reply, Request, SigningTarget};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::cell::Cell;
use std::io::{Read, Write};
use std::time::{Duration, SystemTime};

const CASES: u32 = 150;

fn runner(salt: u8) -> TestRunner {
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let mut bytes = [salt; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// `base` with up to five random edits: byte flips, cuts, inserts of bytes
/// that matter to HTTP, XML, JSON and forms.
fn mutated(base: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    const TOKENS: &[&[u8]] = &[
        b"<",
        b"</",
        b">",
        b"\"",
        b"{",
        b"}",
        b"&",
        b"=",
        b"%",
        b"%00",
        b"\0",
        b"\r\n",
        b"\r\n\r\n",
        b":",
        b";",
        b",",
        b" ",
        b"\xff",
        b"\xc3",
        b"99999999999999999999",
        b"-1",
        b"../",
    ];
    let edit = (
        0u8..4,
        any::<usize>(),
        prop_oneof![
            proptest::sample::select(TOKENS).prop_map(<[u8]>::to_vec),
            proptest::collection::vec(any::<u8>(), 1..6)
        ],
    );
    proptest::collection::vec(edit, 0..5).prop_map(move |edits| {
        let mut bytes = base.clone();
        for (kind, at, data) in edits {
            let at = if bytes.is_empty() { 0 } else { at % bytes.len() };
            match kind {
                0 if !bytes.is_empty() => bytes[at] ^= data[0] | 1,
                1 => {
                    let end = (at + data.len() * 3).min(bytes.len());
                    bytes.drain(at..end);
                }
                2 => {
                    bytes.splice(at..at, data);
                }
                _ => bytes.truncate(at + data.len()),
            }
        }
        bytes
    })
}

/// Signs any request with AWS's own signer (the harness's), so a mutated
/// body is still correctly signed and reaches its parser.
fn signed(
    client: &Client,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    service: &str,
) -> Request {
    let mut headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_string(), (*v).to_string()))
        .collect();
    if service == "s3" {
        headers.push((
            "x-amz-content-sha256".into(),
            iam_emulator::auth::sigv4::sha256_hex(body),
        ));
        // DeleteObjects needs an integrity header; a correct one lets the
        // mutated document through to the XML parser.
        let crc = iam_emulator::checksum::ChecksumAlgorithm::Crc32;
        headers.push((crc.header_name().into(), crc.checksum(body)));
    }
    let (added, _) = iam_harness::sign_instructions(
        client.credentials(),
        "us-east-1",
        SigningTarget {
            method,
            url,
            headers: &headers,
            body: aws_sigv4::http_request::SignableBody::Bytes(body),
            service,
        },
        SystemTime::now(),
        aws_sigv4::http_request::SigningSettings::default(),
    );
    headers.extend(added);
    Request {
        method: method.into(),
        url: url.into(),
        headers,
        body: body.to_vec(),
    }
}

/// Drops what differs between two identical answers (request ids).
fn stable(text: &str) -> String {
    text.split("<RequestId>")
        .enumerate()
        .map(|(i, piece)| {
            if i == 0 {
                piece
            } else {
                piece.split_once("</HostId>").map_or(piece, |(_, rest)| rest)
            }
        })
        .collect()
}

/// What clients can see of the state.
fn snapshot(emu: &Emulator, root: &Client) -> String {
    let mut out = emu.get("/_emulator/entities").body;
    for query in [
        &[("list-type", "2")][..],
        &[("tagging", "")],
        &[("publicAccessBlock", "")],
        &[("uploads", "")],
    ] {
        out.push_str(&stable(&root.s3("GET", "/fuzz", query, &[], b"").body));
    }
    out.push_str(
        &root
            .json(
                "kinesis",
                "Kinesis_20131202.DescribeStream",
                &serde_json::json!({"StreamName": "fuzz"}),
            )
            .body,
    );
    out
}

/// A request to mutate: method, URL, headers, signing service, body.
type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, &'a str, String);

/// Counts of what was sent and how it was answered, and the state as it
/// stood after the last accepted request.
struct Tally {
    sent: Cell<usize>,
    refused: Cell<usize>,
    accepted: Cell<usize>,
    state: std::cell::RefCell<String>,
}

impl Tally {
    fn judge(&self, what: &str, reply: &Reply, now: impl FnOnce() -> String) -> Result<(), TestCaseError> {
        self.sent.set(self.sent.get() + 1);
        // 501 NotImplemented is S3's answer to functionality it does not
        // have (a mutated sub-resource may name one), not a failure.
        let not_implemented = reply.status == 501 && reply.body.contains("<Code>NotImplemented</Code>");
        prop_assert!(
            reply.status < 500 || not_implemented,
            "{what} answered {}: {}",
            reply.status,
            reply.body
        );
        if reply.status >= 400 {
            self.refused.set(self.refused.get() + 1);
            prop_assert!(aws_shaped(reply), "{what}: not AWS-shaped: {}", reply.body);
            prop_assert!(
                now() == *self.state.borrow(),
                "{what}: refused ({}) but the state changed: {}",
                reply.status,
                reply.body
            );
        } else {
            // Accepted (a mutation S3 still reads as valid): the new state
            // is the one the next refusals must keep.
            self.accepted.set(self.accepted.get() + 1);
            *self.state.borrow_mut() = now();
        }
        Ok(())
    }
}

#[test]
fn mutated_requests_are_answered_below_500_and_refusals_change_nothing() {
    let emu = Emulator::start();
    let root = emu.client(&emu.root_credentials());
    let _ = root.create_bucket("fuzz").expect_ok();
    let _ = root.put_object("fuzz", "obj", b"hello").expect_ok();
    let _ = root
        .json(
            "kinesis",
            "Kinesis_20131202.CreateStream",
            &serde_json::json!({"StreamName": "fuzz", "ShardCount": 1}),
        )
        .expect_ok();
    let endpoint = emu.endpoint();
    let tally = Tally {
        sent: Cell::new(0),
        refused: Cell::new(0),
        accepted: Cell::new(0),
        state: std::cell::RefCell::new(snapshot(&emu, &root)),
    };

    // 1. Correctly signed bodies of each parsed format, mutated.
    let xml = "application/xml";
    let bodies: Vec<Case> = vec![
        ("POST", format!("{endpoint}/fuzz?delete"), vec![("content-type", xml)], "s3",
         "<Delete><Object><Key>nothing</Key></Object></Delete>".into()),
        ("PUT", format!("{endpoint}/fuzz?tagging"), vec![("content-type", xml)], "s3",
         "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>".into()),
        ("PUT", format!("{endpoint}/fuzz?publicAccessBlock"), vec![("content-type", xml)], "s3",
         "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>".into()),
        ("POST", format!("{endpoint}/fuzz/up?uploadId=none"), vec![("content-type", xml)], "s3",
         "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>".into()),
        ("POST", format!("{endpoint}/"), vec![("content-type", "application/x-www-form-urlencoded; charset=utf-8")], "iam",
         "Action=PutUserPolicy&UserName=nobody&PolicyName=p&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D&Version=2010-05-08".into()),
        ("POST", format!("{endpoint}/"), vec![("content-type", "application/x-amz-json-1.1"), ("x-amz-target", "Kinesis_20131202.PutRecords")], "kinesis",
         r#"{"StreamName":"nope","Records":[{"Data":"aGk=","PartitionKey":"p"}]}"#.into()),
    ];
    let n = bodies.len();
    let base: Vec<Vec<u8>> = bodies.iter().map(|b| b.4.clone().into_bytes()).collect();
    runner(1)
        .run(
            &(0..n).prop_flat_map(move |i| (Just(i), mutated(base[i].clone()))),
            |(i, body)| {
                let (method, url, headers, service, _) = &bodies[i];
                let reply = emu.send(&signed(&root, method, url, headers, &body, service));
                tally.judge(
                    &format!("{method} {url} {:?}", String::from_utf8_lossy(&body)),
                    &reply,
                    || snapshot(&emu, &root),
                )
            },
        )
        .unwrap();

    // 2. A signed CreateUser whose Authorization header was mutated.
    let request = root.sign_query("iam", &[("Action", "CreateUser"), ("UserName", "victim")]);
    let auth = request.header("authorization").unwrap().as_bytes().to_vec();
    runner(2)
        .run(&mutated(auth), |auth| {
            let mut req = request.clone();
            let Ok(value) = String::from_utf8(auth.clone()) else {
                return Ok(());
            };
            if value.bytes().any(|b| b < 0x20 || b == 0x7f) {
                return Ok(()); // not sendable as a header value
            }
            req.set_header("authorization", value.clone());
            let reply = emu.send(&req);
            let what = format!("Authorization: {value}");
            if reply.status < 400 {
                // An edit the signature does not cover (spacing): fine, undo it.
                let _ = root.query("iam", &[("Action", "DeleteUser"), ("UserName", "victim")]);
            }
            tally.judge(&what, &reply, || snapshot(&emu, &root))
        })
        .unwrap();

    // 3. Presigned URLs (S3 GetObject, IAM CreateUser) with a mutated query.
    let s3_url = root.s3_call("GET", "/fuzz/obj").presign(Duration::from_mins(5));
    let iam_url = root.presign(
        "iam",
        &[("Action", "CreateUser"), ("UserName", "victim")],
        Duration::from_mins(5),
    );
    let urls = [s3_url, iam_url];
    runner(3)
        .run(
            &(0..2usize).prop_flat_map(move |i| {
                (
                    Just(i),
                    mutated(urls[i].split_once('?').unwrap().1.as_bytes().to_vec()),
                )
            }),
            |(i, query)| {
                let base = if i == 0 {
                    format!("{endpoint}/fuzz/obj")
                } else {
                    format!("{endpoint}/")
                };
                let query: String = query
                    .iter()
                    .map(|&b| {
                        if b.is_ascii_graphic() && b != b'#' {
                            (b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect();
                let url = format!("{base}?{query}");
                let reply = root.get_url(&url);
                if reply.status < 400 && i == 1 {
                    let _ = root.query("iam", &[("Action", "DeleteUser"), ("UserName", "victim")]);
                }
                tally.judge(&url, &reply, || snapshot(&emu, &root))
            },
        )
        .unwrap();

    // 4. Raw HTTP bytes, mutated before hyper parses them: an answer below
    // 500, or a closed connection; never a hang or a dead server.
    let addr = endpoint.trim_start_matches("http://").to_string();
    let raw = format!(
        "PUT /fuzz/raw HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5\r\nTransfer-Encoding: identity\r\nx-amz-date: 20250101T000000Z\r\n\r\nhello"
    );
    let raw_sent = Cell::new(0usize);
    runner(4)
        .run(&mutated(raw.into_bytes()), |bytes| {
            raw_sent.set(raw_sent.get() + 1);
            let mut stream = std::net::TcpStream::connect(&addr).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let _ = stream.write_all(&bytes);
            let _ = stream.shutdown(std::net::Shutdown::Write);
            let mut reply = Vec::new();
            let _ = stream.read_to_end(&mut reply);
            let text = String::from_utf8_lossy(&reply);
            if let Some(status) = text
                .strip_prefix("HTTP/1.1 ")
                .and_then(|t| t.get(..3))
                .and_then(|s| s.parse::<u16>().ok())
            {
                prop_assert!(
                    status < 500,
                    "raw {:?} answered {text}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            Ok(())
        })
        .unwrap();
    let _ = emu.health();
    assert_eq!(
        snapshot(&emu, &root),
        *tally.state.borrow(),
        "the state moved during the run"
    );

    write_figures(
        "reliability_fuzz",
        &serde_json::json!({
            "signedRequests": tally.sent.get(),
            "refused4xx": tally.refused.get(),
            "accepted": tally.accepted.get(),
            "rawHttpInputs": raw_sent.get(),
            "serverErrors": 0,
        }),
    );
}
