//! Time-based one-time passwords as a virtual MFA device computes them
//! (RFC 6238: HMAC-SHA1, six digits, 30-second steps), written out here
//! so that tests check the emulator's codes with code of their own.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use iam_harness::{Client, Emulator};

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 Base32 without padding, as `Base32StringSeed` shows a seed.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = String::new();
    for b in bytes {
        bits = (bits << 8) | u64::from(*b);
        count += 8;
        while count >= 5 {
            count -= 5;
            out.push(char::from(
                ALPHABET[usize::try_from((bits >> count) & 31).unwrap_or_default()],
            ));
        }
    }
    if count > 0 {
        out.push(char::from(
            ALPHABET[usize::try_from((bits << (5 - count)) & 31).unwrap_or_default()],
        ));
    }
    out
}

/// RFC 4648 Base32 (no padding), as `Base32StringSeed` is written.
pub fn base32_decode(text: &str) -> Vec<u8> {
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|a| *a == c).expect("Base32 character");
        bits = (bits << 5) | value as u64;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push(u8::try_from((bits >> count) & 0xff).unwrap_or_default());
        }
    }
    out
}

/// The six-digit code of `seed` at Unix time `at` (RFC 6238, 30 s steps;
/// RFC 4226 §5.3 dynamic truncation).
pub fn code_at(seed: &[u8], at: u64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(seed).expect("any key length");
    mac.update(&(at / 30).to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let number = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!("{:06}", number % 1_000_000)
}

/// The emulator's clock, in Unix seconds (tests advance it).
pub fn emulator_now(emu: &Emulator) -> u64 {
    let offset = emu.clock()["offset_seconds"].as_i64().unwrap_or_default();
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    wall.saturating_add_signed(offset)
}

/// CreateVirtualMFADevice: the serial number and the seed.
pub fn new_device(client: &Client, name: &str) -> (String, Vec<u8>) {
    let reply = crate::iam::ok(
        client,
        &[
            ("Action", "CreateVirtualMFADevice"),
            ("VirtualMFADeviceName", name),
        ],
    );
    let b64 = base64::engine::general_purpose::STANDARD;
    // Both are blobs in the model: Base64 on the wire.
    let seed = b64
        .decode(reply.text("Base32StringSeed").expect("seed"))
        .expect("Base64");
    let png = b64
        .decode(reply.text("QRCodePNG").expect("QR code"))
        .expect("Base64");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG image");
    let seed = base32_decode(std::str::from_utf8(&seed).expect("Base32 text"));
    assert_eq!(seed.len(), 40, "AWS's seeds are 40 bytes");
    (reply.text("SerialNumber").expect("serial"), seed)
}
