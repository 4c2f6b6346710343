//! A minimal HTTP/1.1 GET for the commands that ask a running emulator
//! (`health`, `policy generate`, `who-can`, `can` with `--endpoint`): its
//! admin endpoints answer on loopback in plain HTTP, so the binary needs no
//! HTTP client library.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// GETs `path` (with its query) from `endpoint` (`http://HOST:PORT`): the
/// status and the body.
pub fn get(endpoint: &str, path: &str, timeout: Duration) -> Result<(u16, String), String> {
    let authority = endpoint
        .strip_prefix("http://")
        .ok_or_else(|| format!("{endpoint}: only http:// endpoints are supported"))?
        .trim_end_matches('/');
    let address = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&address, timeout).map_err(|e| format!("{authority}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).map_err(|e| e.to_string())?;
    let reply = String::from_utf8_lossy(&reply);
    let (head, body) = reply
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{authority}: not an HTTP reply"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("{authority}: not an HTTP reply"))?;
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.contains("chunked"));
    let body = if chunked { dechunk(body) } else { body.to_string() };
    Ok((status, body))
}

/// The body of a `Transfer-Encoding: chunked` reply.
fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size_line, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size_line.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// `path?name=value&…`, percent-encoded as the admin endpoints decode it
/// (`%20` for a space: they do not read `+` as one).
pub fn with_query(path: &str, params: &[(&str, Option<&str>)]) -> String {
    let pairs: Vec<String> = params
        .iter()
        .filter_map(|(name, value)| {
            Some(format!(
                "{name}={}",
                crate::protocol::percent::uri_encode((*value)?)
            ))
        })
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        assert_eq!(dechunk("3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), "abcde");
    }

    #[test]
    fn queries_are_percent_encoded_and_skip_absent_values() {
        let path = with_query(
            "/_emulator/policy",
            &[("principal", Some("arn:aws:iam::1:user/a b")), ("since", None)],
        );
        assert_eq!(
            path,
            "/_emulator/policy?principal=arn%3Aaws%3Aiam%3A%3A1%3Auser%2Fa%20b"
        );
    }
}
