//! `multipart/form-data` as a browser POST upload sends it (RFC 7578),
//! read from the request body as a stream: the fields before the file are
//! kept (at most [`MAX_FIELDS_BYTES`] of them, as S3 limits them), the file
//! part is handed out as a reader that stops at the closing boundary, so a
//! large file goes to the object store without being held in memory. S3
//! ignores whatever follows the file ("The file or content must be the last
//! field in the form").

use memchr::memmem;
use std::io::{self, Read};

/// S3's limit on the form fields before the file (its
/// `MaxPostPreDataLengthExceededError`: "Your POST request fields preceding
/// the upload file were too large").
pub const MAX_FIELDS_BYTES: usize = 20 * 1024;

/// The most a part's header block may take.
const MAX_PART_HEADERS: usize = 8 * 1024;

/// Why a form cannot be read.
#[derive(Debug, PartialEq, Eq)]
pub enum FormError {
    /// Not well-formed multipart/form-data.
    Malformed,
    /// The fields before the file exceed [`MAX_FIELDS_BYTES`].
    FieldsTooLarge,
    /// The form has no `file` field.
    NoFile,
    /// Reading the body failed.
    Io(String),
}

impl From<io::Error> for FormError {
    fn from(e: io::Error) -> Self {
        FormError::Io(e.to_string())
    }
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 70)
    })
}

/// The fields of a form, in order, and what its file part says of itself.
#[derive(Debug, Default)]
pub struct Form {
    /// Field names as sent, with their values.
    pub fields: Vec<(String, String)>,
    /// The file part's `filename`.
    pub file_name: Option<String>,
    /// The file part's own `Content-Type`.
    pub file_content_type: Option<String>,
}

impl Form {
    /// A field's value (names compare without case, as S3 compares them).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A buffered stream with look-ahead.
struct Stream<R> {
    inner: R,
    buf: Vec<u8>,
    eof: bool,
}

impl<R: Read> Stream<R> {
    /// Reads more into the buffer; `false` at the end of the body.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let start = self.buf.len();
        self.buf.resize(start + 64 * 1024, 0);
        let read = self.inner.read(&mut self.buf[start..]);
        let n = *read.as_ref().unwrap_or(&0);
        self.buf.truncate(start + n);
        read?;
        if n == 0 {
            self.eof = true;
            return Ok(false);
        }
        Ok(true)
    }

    /// The position of `needle` in the buffer, reading until it is found
    /// within `limit` bytes; `None` when it is not.
    fn find(&mut self, needle: &[u8], limit: usize) -> io::Result<Option<usize>> {
        loop {
            if let Some(at) = memmem::find(&self.buf, needle) {
                return Ok((at <= limit).then_some(at));
            }
            if self.buf.len() > limit + needle.len() || !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// At least `n` bytes buffered, unless the body ends first.
    fn want(&mut self, n: usize) -> io::Result<()> {
        while self.buf.len() < n && self.fill()? {}
        Ok(())
    }

    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
    }
}

/// The file part's content, up to the closing boundary.
pub struct FileReader<R> {
    stream: Stream<R>,
    delimiter: Vec<u8>,
    done: bool,
}

impl<R: Read> Read for FileReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.done || out.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(at) = memmem::find(&self.stream.buf, &self.delimiter) {
                if at == 0 {
                    self.done = true;
                    return Ok(0);
                }
                return Ok(self.emit(at.min(out.len()), out));
            }
            // Whatever cannot be the start of the delimiter is content.
            let safe = self.stream.buf.len().saturating_sub(self.delimiter.len() - 1);
            if safe > 0 {
                return Ok(self.emit(safe.min(out.len()), out));
            }
            if !self.stream.fill()? {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the form ends inside its file part",
                ));
            }
        }
    }
}

impl<R> FileReader<R> {
    fn emit(&mut self, n: usize, out: &mut [u8]) -> usize {
        out[..n].copy_from_slice(&self.stream.buf[..n]);
        self.stream.buf.drain(..n);
        n
    }
}

/// One part's `Content-Disposition` name and filename, and `Content-Type`.
struct PartHeaders {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
}

fn part_headers(block: &[u8]) -> Result<PartHeaders, FormError> {
    let text = std::str::from_utf8(block).map_err(|_| FormError::Malformed)?;
    let (mut name, mut file_name, mut content_type) = (None, None, None);
    for line in text.split("\r\n") {
        let Some((header, value)) = line.split_once(':') else {
            continue;
        };
        if header.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_string());
        }
        if !header.trim().eq_ignore_ascii_case("content-disposition") {
            continue;
        }
        for param in value.split(';').skip(1) {
            let Some((key, v)) = param.split_once('=') else {
                continue;
            };
            let v = v.trim().trim_matches('"').to_string();
            match key.trim().to_ascii_lowercase().as_str() {
                "name" => name = Some(v),
                "filename" => file_name = Some(v),
                _ => {}
            }
        }
    }
    Ok(PartHeaders {
        name: name.ok_or(FormError::Malformed)?,
        file_name,
        content_type,
    })
}

/// Reads the form's fields up to its `file` part, and returns them with a
/// reader of the file's content.
pub fn read<R: Read>(body: R, boundary: &str) -> Result<(Form, FileReader<R>), FormError> {
    let mut stream = Stream {
        inner: body,
        buf: Vec::new(),
        eof: false,
    };
    let dash = format!("--{boundary}").into_bytes();
    let first = stream
        .find(&dash, MAX_PART_HEADERS)?
        .ok_or(FormError::Malformed)?;
    stream.consume(first + dash.len());
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut form = Form::default();
    let mut fields_bytes = 0usize;
    loop {
        // After a delimiter: `--` closes the form, CRLF starts a part.
        stream.want(2)?;
        match stream.buf.get(..2) {
            Some(b"\r\n") => stream.consume(2),
            Some(b"--") => return Err(FormError::NoFile),
            _ => return Err(FormError::Malformed),
        }
        let end = stream
            .find(b"\r\n\r\n", MAX_PART_HEADERS)?
            .ok_or(FormError::Malformed)?;
        let headers = part_headers(&stream.buf[..end])?;
        stream.consume(end + 4);
        if headers.name.eq_ignore_ascii_case("file") {
            form.file_name = headers.file_name;
            form.file_content_type = headers.content_type;
            let file = FileReader {
                stream,
                delimiter,
                done: false,
            };
            return Ok((form, file));
        }
        let room = MAX_FIELDS_BYTES.saturating_sub(fields_bytes);
        let Some(len) = stream.find(&delimiter, room)? else {
            return Err(if stream.eof {
                FormError::Malformed
            } else {
                FormError::FieldsTooLarge
            });
        };
        fields_bytes += len + headers.name.len();
        if fields_bytes > MAX_FIELDS_BYTES {
            return Err(FormError::FieldsTooLarge);
        }
        let value = String::from_utf8(stream.buf[..len].to_vec()).map_err(|_| FormError::Malformed)?;
        form.fields.push((headers.name, value));
        stream.consume(len + delimiter.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(parts: &[(&str, Option<&str>, &[u8])], boundary: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, file, value) in parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file {
                Some(f) => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n")
                        .as_bytes(),
                ),
                None => out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }

    /// Hands out the body a few bytes at a time, as a slow network does.
    struct Trickle(Vec<u8>, usize);

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = out.len().min(7).min(self.0.len() - self.1);
            out[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }

    #[test]
    fn fields_then_the_file_streamed_to_its_boundary() {
        // Content that holds the boundary's prefix and CRLFs, but not the delimiter.
        let mut content = b"line\r\n--bound not yet\r\n-".repeat(5000);
        content.extend_from_slice(b"\r\n--boundar");
        let raw = body(
            &[
                ("key", None, b"uploads/${filename}"),
                ("Content-Type", None, b"image/png"),
                ("file", Some("cat.png"), &content),
                ("after", None, b"ignored"),
            ],
            "boundary",
        );
        let (form, mut file) = read(Trickle(raw, 0), "boundary").unwrap();
        assert_eq!(form.field("KEY"), Some("uploads/${filename}"));
        assert_eq!(form.field("content-type"), Some("image/png"));
        assert_eq!(form.file_name.as_deref(), Some("cat.png"));
        let mut read_back = Vec::new();
        file.read_to_end(&mut read_back).unwrap();
        assert_eq!(read_back, content);
    }

    #[test]
    fn a_form_without_a_file_or_with_huge_fields_is_refused() {
        let raw = body(&[("key", None, b"k")], "b");
        assert_eq!(read(&raw[..], "b").err(), Some(FormError::NoFile));
        let big = vec![b'x'; MAX_FIELDS_BYTES + 1];
        let raw = body(&[("key", None, &big), ("file", Some("f"), b"x")], "b");
        assert_eq!(read(&raw[..], "b").err(), Some(FormError::FieldsTooLarge));
        assert_eq!(
            read(&b"no boundary here"[..], "b").err(),
            Some(FormError::Malformed)
        );
        let cut = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\nunterminated";
        let (_, mut file) = read(&cut[..], "b").unwrap();
        assert!(file.read_to_end(&mut Vec::new()).is_err());
    }

    #[test]
    fn boundaries_come_from_the_content_type() {
        assert_eq!(
            boundary("multipart/form-data; boundary=----WebKitFormBoundaryX").as_deref(),
            Some("----WebKitFormBoundaryX")
        );
        assert_eq!(
            boundary("multipart/form-data; boundary=\"q\"").as_deref(),
            Some("q")
        );
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
