//! The aws-chunked body of S3 streaming uploads, decoded as a
//! [`std::io::Read`] over the raw request body: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`
//! (each chunk signed, the chain seeded with the request's SigV4 signature),
//! `STREAMING-UNSIGNED-PAYLOAD-TRAILER` (plain chunks then trailers such as
//! `x-amz-checksum-crc32`) and `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`
//! (signed chunks then trailers under `x-amz-trailer-signature`), as the S3
//! API reference defines them ("sigv4-streaming", "sigv4-streaming-trailers").
//!
//! Wire form: `hex-size[;chunk-signature=SIG]\r\n` data `\r\n` …, a final
//! `0[;chunk-signature=SIG]\r\n`, then either `\r\n` or trailer lines
//! `name:value\r\n` closed by an empty line. A signed chunk is held (at
//! most one, at most [`MAX_CHUNK`] bytes) until its signature is checked,
//! so no unverified byte is handed out; unsigned chunks stream through.
//!
//! Failures come out as `std::io::Error`s wrapping an [`AwsError`]
//! ([`aws_error`] gets it back) and stick: every later read repeats them.

use crate::auth::sigv4::{self, Credential};
use crate::error::{AwsError, Common, S3};
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, BufReader, Read};

/// Largest chunk accepted (the SDKs send 64 KiB to 1 MiB).
pub const MAX_CHUNK: u64 = 16 * 1024 * 1024;
/// S3's smallest chunk other than the last one.
pub const MIN_CHUNK: u64 = 8192;
/// Longest chunk-header or trailer line.
const MAX_LINE: usize = 4096;
/// Most trailer lines.
const MAX_TRAILERS: usize = 32;
/// Hex SHA-256 of the empty string.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Which aws-chunked form the body is in (from `x-amz-content-sha256`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkedMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`
    Signed,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`
    UnsignedTrailer,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`
    SignedTrailer,
}

impl ChunkedMode {
    /// The mode an `x-amz-content-sha256` value announces, if it is one.
    pub fn from_content_sha256(value: &str) -> Option<Self> {
        match value {
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" => Some(ChunkedMode::Signed),
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER" => Some(ChunkedMode::UnsignedTrailer),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" => Some(ChunkedMode::SignedTrailer),
            _ => None,
        }
    }

    /// Chunks carry `chunk-signature=`.
    pub fn is_signed(self) -> bool {
        self != ChunkedMode::UnsignedTrailer
    }

    /// Trailer lines may follow the final chunk.
    pub fn has_trailer(self) -> bool {
        self != ChunkedMode::Signed
    }
}

/// What chunk signatures are checked with: the request's signing key,
/// `X-Amz-Date`, credential scope, and its (seed) signature.
#[derive(Clone, PartialEq, Eq)]
pub struct ChunkSigning {
    pub key: Vec<u8>,
    pub amz_date: String,
    pub scope: String,
    pub seed_signature: String,
}

impl std::fmt::Debug for ChunkSigning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkSigning")
            .field("amz_date", &self.amz_date)
            .field("scope", &self.scope)
            .field("seed_signature", &self.seed_signature)
            .finish_non_exhaustive()
    }
}

impl ChunkSigning {
    /// Derives the signing key from the secret and the request's credential.
    pub fn derive(secret: &str, credential: &Credential, amz_date: &str, seed_signature: &str) -> Self {
        ChunkSigning {
            key: sigv4::signing_key(secret, credential),
            amz_date: amz_date.to_string(),
            scope: credential.scope(),
            seed_signature: seed_signature.to_ascii_lowercase(),
        }
    }

    /// The signature of one chunk (`data` empty for the final one).
    pub fn chunk_signature(&self, previous: &str, data: &[u8]) -> String {
        sigv4::sign(&self.key, &self.chunk_string_to_sign(previous, data))
    }

    fn chunk_string_to_sign(&self, previous: &str, data: &[u8]) -> String {
        format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{previous}\n{EMPTY_SHA256}\n{}",
            self.amz_date,
            self.scope,
            hex::encode(Sha256::digest(data))
        )
    }

    /// The signature of the trailer lines (`canonical`: `name:value\n` each).
    pub fn trailer_signature(&self, previous: &str, canonical: &str) -> String {
        sigv4::sign(&self.key, &self.trailer_string_to_sign(previous, canonical))
    }

    fn trailer_string_to_sign(&self, previous: &str, canonical: &str) -> String {
        format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{previous}\n{}",
            self.amz_date,
            self.scope,
            sigv4::sha256_hex(canonical.as_bytes())
        )
    }
}

/// `SignatureDoesNotMatch`, in S3's words.
pub fn signature_mismatch() -> AwsError {
    AwsError::new(Common::SignatureDoesNotMatch,
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    )
}

/// `IncompleteBody`: the framing broke off or the length is not the declared one.
pub fn incomplete_body() -> AwsError {
    AwsError::new(Common::IncompleteBody, "The request body terminated unexpectedly")
}

/// `InvalidChunkSizeError`: a chunk other than the last is below 8 KiB.
pub fn chunk_too_small() -> AwsError {
    AwsError::new(
        S3::InvalidChunkSizeError,
        "Only the last chunk is allowed to have a size less than 8192 bytes",
    )
}

fn chunk_too_large(size: u64, max: u64) -> AwsError {
    AwsError::new(
        S3::InvalidChunkSizeError,
        format!("Chunk size {size} is above the largest chunk accepted ({max} bytes)"),
    )
}

/// `MalformedTrailerError`: trailer lines that do not parse.
pub fn malformed_trailer() -> AwsError {
    AwsError::new(S3::MalformedTrailerError,
        "The request contained trailing data that was not well-formed or did not conform to our published schema.",
    )
}

/// The [`AwsError`] inside an error from [`ChunkedReader`], if it is one.
pub fn aws_error(err: &io::Error) -> Option<&AwsError> {
    err.get_ref().and_then(|e| e.downcast_ref::<AwsError>())
}

fn to_io(err: AwsError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, err)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Next comes a chunk header line.
    Header,
    /// Serving `buffer[pos..]` (a verified signed chunk).
    Buffered,
    /// Streaming an unverified chunk: this many bytes left, then `\r\n`.
    Streaming(u64),
    /// Final chunk and trailers read.
    Done,
}

/// Decodes an aws-chunked body; see the module documentation.
pub struct ChunkedReader<R> {
    inner: BufReader<R>,
    mode: ChunkedMode,
    signing: Option<ChunkSigning>,
    previous: String,
    step: Step,
    buffer: Vec<u8>,
    pos: usize,
    decoded: u64,
    expected: Option<u64>,
    /// Size of the last data chunk, while it is below the minimum.
    small_chunk: Option<u64>,
    min_chunk: u64,
    max_chunk: u64,
    trailers: Vec<(String, String)>,
    failed: Option<AwsError>,
}

impl<R> std::fmt::Debug for ChunkedReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedReader")
            .field("mode", &self.mode)
            .field("step", &self.step)
            .field("decoded", &self.decoded)
            .finish_non_exhaustive()
    }
}

impl<R: Read> ChunkedReader<R> {
    /// Chunk signatures are checked when `signing` is given and the mode is
    /// signed; without it signed chunks are decoded unchecked.
    pub fn new(inner: R, mode: ChunkedMode, signing: Option<ChunkSigning>) -> Self {
        let signing = signing.filter(|_| mode.is_signed());
        let previous = signing
            .as_ref()
            .map(|s| s.seed_signature.clone())
            .unwrap_or_default();
        ChunkedReader {
            inner: BufReader::with_capacity(64 * 1024, inner),
            mode,
            signing,
            previous,
            step: Step::Header,
            buffer: Vec::new(),
            pos: 0,
            decoded: 0,
            expected: None,
            small_chunk: None,
            min_chunk: MIN_CHUNK,
            max_chunk: MAX_CHUNK,
            trailers: Vec::new(),
            failed: None,
        }
    }

    /// The decoded length must be this (`x-amz-decoded-content-length`),
    /// else `IncompleteBody`.
    #[must_use]
    pub fn with_decoded_length(mut self, expected: Option<u64>) -> Self {
        self.expected = expected;
        self
    }

    /// Smallest size of a chunk other than the last (S3: 8192; 0 turns the check off).
    #[must_use]
    pub fn with_min_chunk(mut self, min: u64) -> Self {
        self.min_chunk = min;
        self
    }

    /// Largest chunk accepted, at most [`MAX_CHUNK`] (a signed chunk is held in memory).
    #[must_use]
    pub fn with_max_chunk(mut self, max: u64) -> Self {
        self.max_chunk = max.min(MAX_CHUNK);
        self
    }

    /// Payload bytes decoded so far.
    pub fn decoded_length(&self) -> u64 {
        self.decoded
    }

    /// The whole body has been read and checked.
    pub fn is_done(&self) -> bool {
        self.step == Step::Done && self.failed.is_none()
    }

    /// Trailer headers (lower-case names, `x-amz-trailer-signature` left
    /// out), once the reader has returned end of file.
    pub fn trailers(&self) -> Vec<(String, String)> {
        self.trailers.clone()
    }

    /// The trailer `name` (any case), once done.
    pub fn trailer(&self, name: &str) -> Option<&str> {
        self.trailers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn fill(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.step {
                Step::Done => return Ok(0),
                Step::Header => self.next_chunk()?,
                Step::Buffered => {
                    if self.pos < self.buffer.len() {
                        let n = out.len().min(self.buffer.len() - self.pos);
                        out[..n].copy_from_slice(&self.buffer[self.pos..self.pos + n]);
                        self.pos += n;
                        return Ok(n);
                    }
                    self.step = Step::Header;
                }
                Step::Streaming(0) => {
                    self.expect_crlf()?;
                    self.step = Step::Header;
                }
                Step::Streaming(left) => return self.stream(out, left),
            }
        }
    }

    /// Copies unverified chunk bytes straight through.
    fn stream(&mut self, out: &mut [u8], left: u64) -> io::Result<usize> {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(out.len());
        let n = self.inner.read(&mut out[..want])?;
        if n == 0 {
            return Err(to_io(incomplete_body()));
        }
        self.step = Step::Streaming(left - n as u64);
        Ok(n)
    }

    /// Reads a chunk header and sets up what follows it.
    fn next_chunk(&mut self) -> io::Result<()> {
        let line = self.read_line()?.ok_or_else(|| to_io(incomplete_body()))?;
        let (size, signature) = parse_header(&line).ok_or_else(|| to_io(incomplete_body()))?;
        if size > self.max_chunk {
            return Err(to_io(chunk_too_large(size, self.max_chunk)));
        }
        if size > 0 && self.small_chunk.is_some() {
            return Err(to_io(chunk_too_small()));
        }
        if self
            .expected
            .is_some_and(|e| self.decoded.saturating_add(size) > e)
        {
            return Err(to_io(incomplete_body()));
        }
        let claimed = match (&self.signing, signature) {
            (Some(_), Some(sig)) => Some(sig),
            (Some(_), None) => return Err(to_io(signature_mismatch())),
            (None, _) => None,
        };
        if size == 0 {
            if let Some(claimed) = claimed {
                self.verify_chunk(&[], &claimed)?;
            }
            return self.finish();
        }
        self.small_chunk = (size < self.min_chunk).then_some(size);
        self.decoded = self.decoded.saturating_add(size);
        if let Some(claimed) = claimed {
            return self.buffer_chunk(size, &claimed);
        }
        self.step = Step::Streaming(size);
        Ok(())
    }

    /// Reads a whole signed chunk and checks its signature before serving it.
    fn buffer_chunk(&mut self, size: u64, claimed: &str) -> io::Result<()> {
        self.buffer.clear();
        // Grows as bytes arrive: a claimed size alone allocates nothing.
        let read = self.inner.by_ref().take(size).read_to_end(&mut self.buffer)?;
        if read as u64 != size {
            return Err(to_io(incomplete_body()));
        }
        self.expect_crlf()?;
        let data = std::mem::take(&mut self.buffer);
        let verified = self.verify_chunk(&data, claimed);
        self.buffer = data;
        verified?;
        self.pos = 0;
        self.step = Step::Buffered;
        Ok(())
    }

    fn verify_chunk(&mut self, data: &[u8], claimed: &str) -> io::Result<()> {
        let Some(signing) = &self.signing else {
            return Ok(());
        };
        let string_to_sign = signing.chunk_string_to_sign(&self.previous, data);
        if !sigv4::signature_matches(&signing.key, &string_to_sign, claimed) {
            return Err(to_io(signature_mismatch()));
        }
        self.previous = sigv4::sign(&signing.key, &string_to_sign);
        Ok(())
    }

    /// After the final chunk: trailers (if the mode has them), then the length check.
    fn finish(&mut self) -> io::Result<()> {
        if self.mode.has_trailer() {
            self.read_trailers()?;
        } else {
            self.read_end()?;
        }
        if self.expected.is_some_and(|e| e != self.decoded) {
            return Err(to_io(incomplete_body()));
        }
        self.step = Step::Done;
        Ok(())
    }

    /// Without trailers the final chunk is followed by `\r\n` (or nothing) and the end.
    fn read_end(&mut self) -> io::Result<()> {
        match self.read_line()? {
            None => Ok(()),
            Some(line) if line.is_empty() && self.at_eof()? => Ok(()),
            Some(_) => Err(to_io(incomplete_body())),
        }
    }

    fn read_trailers(&mut self) -> io::Result<()> {
        let mut lines = Vec::new();
        let mut first = true;
        while let Some(line) = self.read_trailer_line()? {
            if line.is_empty() {
                // Some clients put an empty line between the final chunk and the trailers.
                if first && !self.at_eof()? {
                    first = false;
                    continue;
                }
                break;
            }
            first = false;
            if lines.len() == MAX_TRAILERS {
                return Err(to_io(malformed_trailer()));
            }
            lines.push(parse_trailer(&line).ok_or_else(|| to_io(malformed_trailer()))?);
        }
        if !self.at_eof()? {
            return Err(to_io(malformed_trailer()));
        }
        let signature = take_signature(&mut lines);
        self.verify_trailers(&lines, signature.as_deref())?;
        self.trailers = lines;
        Ok(())
    }

    fn verify_trailers(&mut self, trailers: &[(String, String)], claimed: Option<&str>) -> io::Result<()> {
        let Some(signing) = &self.signing else {
            return Ok(());
        };
        if self.mode != ChunkedMode::SignedTrailer {
            return Ok(());
        }
        let claimed = claimed.ok_or_else(|| to_io(malformed_trailer()))?;
        // Canonical order is by name; accept the order sent as well.
        let mut sorted = trailers.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        for order in [&sorted[..], trailers] {
            let string_to_sign = signing.trailer_string_to_sign(&self.previous, &canonical_trailers(order));
            if sigv4::signature_matches(&signing.key, &string_to_sign, claimed) {
                return Ok(());
            }
        }
        Err(to_io(signature_mismatch()))
    }

    fn expect_crlf(&mut self) -> io::Result<()> {
        let mut crlf = [0u8; 2];
        self.inner.read_exact(&mut crlf).map_err(eof_is_incomplete)?;
        if &crlf == b"\r\n" {
            Ok(())
        } else {
            Err(to_io(incomplete_body()))
        }
    }

    fn at_eof(&mut self) -> io::Result<bool> {
        Ok(self.inner.fill_buf()?.is_empty())
    }

    /// A `\r\n`-terminated line without its terminator; `None` at end of input.
    fn read_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        match read_raw_line(&mut self.inner)? {
            None => Ok(None),
            Some((line, true)) => Ok(Some(line)),
            Some((_, false)) => Err(to_io(incomplete_body())),
        }
    }

    /// A trailer line; the last one may lack its `\r\n`.
    fn read_trailer_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        match read_raw_line(&mut self.inner) {
            Ok(line) => Ok(line.map(|(l, _)| l)),
            Err(e) if aws_error(&e).is_some() => Err(to_io(malformed_trailer())),
            Err(e) => Err(e),
        }
    }
}

impl<R: Read> Read for ChunkedReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(err) = &self.failed {
            return Err(to_io(err.clone()));
        }
        if out.is_empty() {
            return Ok(0);
        }
        let result = self.fill(out);
        if let Err(e) = &result {
            if let Some(aws) = aws_error(e) {
                self.failed = Some(aws.clone());
            }
        }
        result
    }
}

fn eof_is_incomplete(err: io::Error) -> io::Error {
    if err.kind() == io::ErrorKind::UnexpectedEof {
        to_io(incomplete_body())
    } else {
        err
    }
}

/// Reads up to `\n` (at most [`MAX_LINE`] bytes): the line without `\r\n`
/// and whether it ended with `\r\n`; `None` when nothing is left.
fn read_raw_line<R: Read>(inner: &mut BufReader<R>) -> io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    loop {
        let available = inner.fill_buf()?;
        if available.is_empty() {
            return Ok((!line.is_empty()).then_some((line, false)));
        }
        let (taken, found) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        line.extend_from_slice(&available[..taken]);
        inner.consume(taken);
        if line.len() > MAX_LINE + 2 {
            return Err(to_io(incomplete_body()));
        }
        if found {
            line.pop();
            let crlf = line.last() == Some(&b'\r');
            if crlf {
                line.pop();
            }
            return Ok(Some((line, crlf)));
        }
    }
}

/// `hex-size[;chunk-signature=SIG]` → size and signature.
fn parse_header(line: &[u8]) -> Option<(u64, Option<String>)> {
    let text = std::str::from_utf8(line).ok()?;
    let (size, extensions) = text.split_once(';').unwrap_or((text, ""));
    let size = size.trim_matches([' ', '\t']);
    if size.is_empty() || size.len() > 16 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let size = u64::from_str_radix(size, 16).ok()?;
    let signature = extensions
        .split(';')
        .filter_map(|ext| ext.trim().split_once('='))
        .find(|(name, _)| name.trim() == "chunk-signature")
        .map(|(_, value)| value.trim().to_string());
    Some((size, signature))
}

/// `name:value` → lower-case name and trimmed value.
fn parse_trailer(line: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(line).ok()?;
    let (name, value) = text.split_once(':')?;
    let name = name.trim();
    let valid = !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic());
    valid.then(|| (name.to_ascii_lowercase(), value.trim().to_string()))
}

fn take_signature(lines: &mut Vec<(String, String)>) -> Option<String> {
    let index = lines.iter().position(|(n, _)| n == "x-amz-trailer-signature")?;
    Some(lines.remove(index).1)
}

/// The trailers as signed: `name:value\n` each.
pub fn canonical_trailers(trailers: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in trailers {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out
}

/// Encodes `payload` in aws-chunked form (for tests and tools): chunks of
/// `chunk` bytes, signed when `signing` is given, trailers appended when the
/// mode has them.
pub fn encode(
    payload: &[u8],
    chunk: usize,
    mode: ChunkedMode,
    signing: Option<&ChunkSigning>,
    trailers: &[(String, String)],
) -> Vec<u8> {
    let signing = signing.filter(|_| mode.is_signed());
    let mut previous = signing.map(|s| s.seed_signature.clone()).unwrap_or_default();
    let mut out = Vec::new();
    let pieces = payload.chunks(chunk.max(1)).chain(std::iter::once(&[][..]));
    for piece in pieces {
        out.extend_from_slice(format!("{:x}", piece.len()).as_bytes());
        if let Some(signing) = signing {
            previous = signing.chunk_signature(&previous, piece);
            out.extend_from_slice(format!(";chunk-signature={previous}").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(piece);
        if !piece.is_empty() {
            out.extend_from_slice(b"\r\n");
        }
    }
    if mode.has_trailer() {
        out.extend_from_slice(canonical_trailers(trailers).replace('\n', "\r\n").as_bytes());
        if let (Some(signing), ChunkedMode::SignedTrailer) = (signing, mode) {
            let signature = signing.trailer_signature(&previous, &canonical_trailers(trailers));
            out.extend_from_slice(format!("x-amz-trailer-signature:{signature}\r\n").as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AWS example credentials, 20130524, us-east-1, s3.
    fn example_signing(seed: &str) -> ChunkSigning {
        let credential = Credential {
            access_key: "AKIAIOSFODNN7EXAMPLE".into(),
            date: "20130524".into(),
            region: "us-east-1".into(),
            service: "s3".into(),
        };
        ChunkSigning::derive(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            &credential,
            "20130524T000000Z",
            seed,
        )
    }

    fn chunk(size: usize, signature: &str) -> Vec<u8> {
        let mut out = format!("{size:x};chunk-signature={signature}\r\n").into_bytes();
        out.extend(std::iter::repeat_n(b'a', size));
        out.extend_from_slice(b"\r\n");
        out
    }

    const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    const SIG1: &str = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
    const SIG2: &str = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
    const SIG3: &str = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

    /// The body of the S3 "sigv4-streaming" example: 66560 bytes of 'a' as
    /// a 65536-byte chunk, a 1024-byte chunk and the final empty chunk.
    fn aws_example_body() -> Vec<u8> {
        let mut body = chunk(65536, SIG1);
        body.extend(chunk(1024, SIG2));
        body.extend(chunk(0, SIG3));
        body
    }

    fn decode(reader: &mut impl Read) -> Result<Vec<u8>, AwsError> {
        let mut out = Vec::new();
        reader
            .read_to_end(&mut out)
            .map_err(|e| aws_error(&e).cloned().expect("an AwsError"))?;
        Ok(out)
    }

    #[test]
    fn aws_signed_example_decodes_and_verifies() {
        let signing = example_signing(SEED);
        assert_eq!(signing.chunk_signature(SEED, &vec![b'a'; 65536]), SIG1);
        let body = aws_example_body();
        let mut reader = ChunkedReader::new(&body[..], ChunkedMode::Signed, Some(signing.clone()))
            .with_decoded_length(Some(66560));
        assert_eq!(decode(&mut reader), Ok(vec![b'a'; 66560]));
        assert!(reader.is_done());
        assert_eq!(reader.decoded_length(), 66560);
        // And encode() reproduces the example byte for byte.
        assert_eq!(
            encode(
                &vec![b'a'; 66560],
                65536,
                ChunkedMode::Signed,
                Some(&signing),
                &[]
            ),
            body
        );
    }

    #[test]
    fn aws_signed_example_with_a_changed_byte_is_refused() {
        let mut body = aws_example_body();
        let at = body.len() - 300; // inside the 1024-byte chunk
        body[at] = b'b';
        let mut reader = ChunkedReader::new(&body[..], ChunkedMode::Signed, Some(example_signing(SEED)));
        let mut first = vec![0u8; 65536];
        reader.read_exact(&mut first).unwrap();
        let err = decode(&mut reader).unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (403, "SignatureDoesNotMatch"));
        // The error sticks.
        assert_eq!(decode(&mut reader).unwrap_err().code, "SignatureDoesNotMatch");
    }

    #[test]
    fn wrong_seed_or_final_signature_is_refused() {
        let body = aws_example_body();
        let other_seed = SIG3;
        let mut reader =
            ChunkedReader::new(&body[..], ChunkedMode::Signed, Some(example_signing(other_seed)));
        assert_eq!(decode(&mut reader).unwrap_err().code, "SignatureDoesNotMatch");
        let mut body = chunk(65536, SIG1);
        body.extend(chunk(1024, SIG2));
        body.extend(chunk(0, SIG1));
        let mut reader = ChunkedReader::new(&body[..], ChunkedMode::Signed, Some(example_signing(SEED)));
        assert_eq!(decode(&mut reader).unwrap_err().code, "SignatureDoesNotMatch");
    }

    #[test]
    fn signed_chunks_decode_without_signing_when_not_checked() {
        let body = aws_example_body();
        let mut reader = ChunkedReader::new(&body[..], ChunkedMode::Signed, None);
        assert_eq!(decode(&mut reader).map(|d| d.len()), Ok(66560));
    }

    /// The S3 "sigv4-streaming-trailers" example: the same 66560 bytes,
    /// with the trailer x-amz-checksum-crc32c:sOO8/Q== and its signature.
    #[test]
    fn aws_signed_trailer_example_decodes_and_verifies() {
        let seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
        let mut body = chunk(
            65536,
            "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
        );
        body.extend(chunk(
            1024,
            "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
        ));
        body.extend_from_slice(
            b"0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n",
        );
        let trailer = b"x-amz-checksum-crc32c:sOO8/Q==\r\n\
            x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n";
        body.extend_from_slice(trailer);
        let mut reader =
            ChunkedReader::new(&body[..], ChunkedMode::SignedTrailer, Some(example_signing(seed)))
                .with_decoded_length(Some(66560));
        assert_eq!(decode(&mut reader).map(|d| d.len()), Ok(66560));
        assert_eq!(
            reader.trailers(),
            vec![("x-amz-checksum-crc32c".to_string(), "sOO8/Q==".to_string())]
        );
        assert_eq!(reader.trailer("X-Amz-Checksum-Crc32c"), Some("sOO8/Q=="));

        // The same with an empty line before the trailers, as some clients send it.
        let mut spaced = body[..body.len() - trailer.len()].to_vec();
        spaced.extend_from_slice(b"\r\n");
        spaced.extend_from_slice(trailer);
        let mut reader = ChunkedReader::new(
            &spaced[..],
            ChunkedMode::SignedTrailer,
            Some(example_signing(seed)),
        );
        assert_eq!(decode(&mut reader).map(|d| d.len()), Ok(66560));

        // A changed trailer value no longer matches its signature.
        let tampered = String::from_utf8_lossy(&body).replace("sOO8/Q==", "sOO8/Q=A");
        let mut reader = ChunkedReader::new(
            tampered.as_bytes(),
            ChunkedMode::SignedTrailer,
            Some(example_signing(seed)),
        );
        assert_eq!(decode(&mut reader).unwrap_err().code, "SignatureDoesNotMatch");

        // Without its trailer signature the trailer is malformed.
        let unsigned = String::from_utf8_lossy(&body).replace(
            "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n",
            "",
        );
        let mut reader = ChunkedReader::new(
            unsigned.as_bytes(),
            ChunkedMode::SignedTrailer,
            Some(example_signing(seed)),
        );
        assert_eq!(decode(&mut reader).unwrap_err().code, "MalformedTrailerError");
    }

    /// What botocore 1.43 (AwsChunkedWrapper, chunk_size 10, Crc32Checksum)
    /// sends for b"hello aws-chunked world" as STREAMING-UNSIGNED-PAYLOAD-TRAILER.
    const BOTOCORE_UNSIGNED: &[u8] =
        b"a\r\nhello aws-\r\na\r\nchunked wo\r\n3\r\nrld\r\n0\r\nx-amz-checksum-crc32:BUkbhQ==\r\n\r\n";

    #[test]
    fn botocore_unsigned_trailer_decodes() {
        let mut reader = ChunkedReader::new(BOTOCORE_UNSIGNED, ChunkedMode::UnsignedTrailer, None)
            .with_min_chunk(0)
            .with_decoded_length(Some(23));
        assert_eq!(decode(&mut reader), Ok(b"hello aws-chunked world".to_vec()));
        let crc = crate::checksum::ChecksumAlgorithm::Crc32.checksum(b"hello aws-chunked world");
        assert_eq!(crc, "BUkbhQ==");
        assert_eq!(reader.trailers(), vec![("x-amz-checksum-crc32".to_string(), crc)]);
        // With S3's 8 KiB minimum, the 10-byte chunks are refused.
        let mut reader = ChunkedReader::new(BOTOCORE_UNSIGNED, ChunkedMode::UnsignedTrailer, None);
        let err = decode(&mut reader).unwrap_err();
        assert_eq!((err.status, err.code.as_str()), (403, "InvalidChunkSizeError"));
    }

    #[test]
    fn unsigned_trailer_without_trailers() {
        // botocore without a checksum: b"5\r\nhello\r\n0\r\n\r\n".
        let mut reader = ChunkedReader::new(
            &b"5\r\nhello\r\n0\r\n\r\n"[..],
            ChunkedMode::UnsignedTrailer,
            None,
        );
        assert_eq!(decode(&mut reader), Ok(b"hello".to_vec()));
        assert!(reader.trailers().is_empty());
    }

    #[test]
    fn decoded_length_must_match() {
        let body = b"3\r\nabc\r\n0\r\n\r\n";
        for expected in [2, 4] {
            let mut reader = ChunkedReader::new(&body[..], ChunkedMode::UnsignedTrailer, None)
                .with_decoded_length(Some(expected));
            let err = decode(&mut reader).unwrap_err();
            assert_eq!(
                (err.status, err.code.as_str()),
                (400, "IncompleteBody"),
                "{expected}"
            );
        }
    }

    #[test]
    fn broken_framing_is_incomplete_body() {
        for body in [
            &b""[..],
            b"3\r\nab",
            b"3\r\nabcX\r\n0\r\n\r\n",
            b"zz\r\nabc\r\n0\r\n\r\n",
            b"3\r\nabc\r\n",
            b"3\nabc\r\n0\r\n\r\n",
            b"3\r\nabc\r\n0\r\n\r\n5\r\nextra\r\n",
            b"10000000000000000\r\n",
        ] {
            let mut reader = ChunkedReader::new(body, ChunkedMode::Signed, None);
            let err = decode(&mut reader).unwrap_err();
            assert_eq!(err.code, "IncompleteBody", "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn malformed_trailers_are_refused() {
        for tail in [
            &b"no colon here\r\n\r\n"[..],
            b":empty-name\r\n\r\n",
            b"a:b\r\n\r\ntrailing",
        ] {
            let mut body = b"3\r\nabc\r\n0\r\n".to_vec();
            body.extend_from_slice(tail);
            let mut reader = ChunkedReader::new(&body[..], ChunkedMode::UnsignedTrailer, None);
            let err = decode(&mut reader).unwrap_err();
            assert_eq!((err.status, err.code.as_str()), (400, "MalformedTrailerError"));
        }
    }

    #[test]
    fn oversized_chunk_is_refused_before_reading_it() {
        let mut reader = ChunkedReader::new(&b"1000001\r\n"[..], ChunkedMode::UnsignedTrailer, None);
        assert_eq!(decode(&mut reader).unwrap_err().code, "InvalidChunkSizeError");
    }

    #[test]
    fn missing_chunk_signature_is_refused_when_checking() {
        let body = b"3\r\nabc\r\n0\r\n\r\n";
        let mut reader = ChunkedReader::new(&body[..], ChunkedMode::Signed, Some(example_signing(SEED)));
        assert_eq!(decode(&mut reader).unwrap_err().code, "SignatureDoesNotMatch");
    }

    #[test]
    fn signed_trailer_round_trip_with_several_trailers() {
        let signing = example_signing(SEED);
        let payload: Vec<u8> = (0..40_000u32).map(|i| (i % 253) as u8).collect();
        let trailers = vec![
            (
                "x-amz-checksum-sha256".to_string(),
                crate::checksum::ChecksumAlgorithm::Sha256.checksum(&payload),
            ),
            ("x-amz-meta-a".to_string(), "1".to_string()),
        ];
        let body = encode(
            &payload,
            9000,
            ChunkedMode::SignedTrailer,
            Some(&signing),
            &trailers,
        );
        let mut reader = ChunkedReader::new(&body[..], ChunkedMode::SignedTrailer, Some(signing))
            .with_decoded_length(Some(payload.len() as u64));
        assert_eq!(decode(&mut reader), Ok(payload));
        assert_eq!(reader.trailers(), trailers);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..512), mode in 0..3u8, checked in proptest::bool::ANY) {
            let mode = [ChunkedMode::Signed, ChunkedMode::UnsignedTrailer, ChunkedMode::SignedTrailer][usize::from(mode)];
            let signing = checked.then(|| example_signing(SEED));
            let mut reader = ChunkedReader::new(&body[..], mode, signing).with_min_chunk(0);
            let mut out = Vec::new();
            match reader.read_to_end(&mut out) {
                Ok(_) => proptest::prop_assert!(reader.is_done()),
                Err(e) => proptest::prop_assert!(aws_error(&e).is_some()),
            }
        }

        #[test]
        fn encode_then_decode_round_trips(
            payload in proptest::collection::vec(proptest::num::u8::ANY, 0..3000),
            chunk in 1usize..700,
            mode in 0..3u8,
            read_size in 1usize..100,
        ) {
            let mode = [ChunkedMode::Signed, ChunkedMode::UnsignedTrailer, ChunkedMode::SignedTrailer][usize::from(mode)];
            let signing = example_signing(SEED);
            let trailers = vec![("x-amz-checksum-crc32".to_string(), crate::checksum::ChecksumAlgorithm::Crc32.checksum(&payload))];
            let body = encode(&payload, chunk, mode, Some(&signing), &trailers);
            let mut reader = ChunkedReader::new(&body[..], mode, Some(signing))
                .with_min_chunk(0)
                .with_decoded_length(Some(payload.len() as u64));
            let mut out = Vec::new();
            let mut buf = vec![0u8; read_size];
            loop {
                let n = reader.read(&mut buf).unwrap();
                if n == 0 { break; }
                out.extend_from_slice(&buf[..n]);
            }
            proptest::prop_assert_eq!(out, payload);
            if mode.has_trailer() {
                proptest::prop_assert_eq!(reader.trailers(), trailers);
            }
        }
    }
}
