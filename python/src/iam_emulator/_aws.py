"""Just enough of an AWS client, with the standard library only: SigV4
signing of Query (IAM, STS) and S3 REST requests, the admin endpoints'
JSON, and AWS-shaped errors. boto3 is not needed for the ``Emulator``
methods; it is used only by ``Emulator.session`` / ``Emulator.client``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, Tuple

#: API versions of the Query services.
_VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}


@dataclass(frozen=True)
class Credentials:
    """An access key: a root's or user's (long-term), or an STS session's
    (with its ``session_token``)."""

    access_key_id: str
    secret_access_key: str
    session_token: Optional[str] = None


class EmulatorError(Exception):
    """An error reply of the emulator: its HTTP ``status``, AWS error
    ``code`` (``AccessDenied``, ``NoSuchBucket``, …) and ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def send(method: str, url: str, body: bytes = b"", headers: Optional[Mapping[str, str]] = None,
         timeout: float = 30.0) -> Reply:
    """One HTTP request; any status is a reply (errors are not raised)."""
    request = urllib.request.Request(url, data=body if body or method in ("POST", "PUT") else None,
                                     method=method, headers=dict(headers or {}))
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Reply(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers.items()), error.read())


# No proxies: the emulator is on this machine, whatever HTTP_PROXY says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def admin(endpoint: str, method: str, path: str, payload: Any = None,
          query: Optional[Mapping[str, Any]] = None) -> Reply:
    """An admin endpoint (no auth); a JSON body when ``payload`` is given."""
    url = endpoint + path
    if query:
        url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    body = b"" if payload is None else json.dumps(payload).encode()
    headers = {"content-type": "application/json"} if payload is not None else {}
    return send(method, url, body, headers)


def admin_json(endpoint: str, method: str, path: str, payload: Any = None,
               query: Optional[Mapping[str, Any]] = None) -> Any:
    """:func:`admin`'s JSON answer; an :class:`EmulatorError` for any status but 200."""
    reply = admin(endpoint, method, path, payload, query)
    if reply.status != 200:
        raise _admin_error(reply)
    return reply.json()


def _admin_error(reply: Reply) -> EmulatorError:
    try:
        answer = reply.json()
    except ValueError:
        answer = None
    if isinstance(answer, dict):
        message = answer.get("error") or answer.get("message") or reply.text()
        code = answer.get("code") or answer.get("field") or "AdminError"
        return EmulatorError(reply.status, str(code), str(message))
    return EmulatorError(reply.status, "AdminError", reply.text())


class Signer:
    """SigV4 requests to one emulator with one access key."""

    def __init__(self, endpoint: str, credentials: Credentials, region: str) -> None:
        self.endpoint = endpoint
        self.credentials = credentials
        self.region = region
        self.host = urllib.parse.urlsplit(endpoint).netloc

    def query(self, service: str, action: str, params: Optional[Mapping[str, str]] = None) -> ElementTree.Element:
        """A Query API call (IAM, STS): the reply's XML, or an :class:`EmulatorError`."""
        form = {"Action": action, "Version": _VERSIONS[service], **(params or {})}
        body = urllib.parse.urlencode(form).encode()
        headers = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
        reply = self.send(service, "POST", "/", [], headers, body)
        return _xml_or_raise(reply)

    def s3(self, method: str, path: str, query: Sequence[Tuple[str, str]] = (), body: bytes = b"",
           headers: Optional[Mapping[str, str]] = None) -> Reply:
        """An S3 REST call (path-style); an :class:`EmulatorError` for an error reply."""
        reply = self.send("s3", method, path, list(query), dict(headers or {}), body)
        if reply.status >= 300:
            raise _error_of(reply)
        return reply

    def send(self, service: str, method: str, path: str, query: Sequence[Tuple[str, str]],
             headers: Mapping[str, str], body: bytes) -> Reply:
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date = now.strftime("%Y%m%dT%H%M%SZ")
        payload_hash = hashlib.sha256(body).hexdigest()
        all_headers = {k.lower(): v for k, v in headers.items()}
        all_headers.update({"host": self.host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash})
        if self.credentials.session_token:
            all_headers["x-amz-security-token"] = self.credentials.session_token
        signed = sorted(all_headers)
        canonical_query = "&".join(
            f"{_quote(k)}={_quote(v)}" for k, v in sorted((k, v) for k, v in query))
        canonical_path = _quote(path, safe="/") if service == "s3" else _quote(_quote(path, safe="/"), safe="/")
        canonical = "\n".join([
            method,
            canonical_path,
            canonical_query,
            "".join(f"{k}:{' '.join(str(all_headers[k]).split())}\n" for k in signed),
            ";".join(signed),
            payload_hash,
        ])
        scope = f"{amz_date[:8]}/{self.region}/{service}/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + self.credentials.secret_access_key).encode()
        for part in (amz_date[:8], self.region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        all_headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={self.credentials.access_key_id}/{scope}, "
            f"SignedHeaders={';'.join(signed)}, Signature={signature}")
        url = self.endpoint + _quote(path, safe="/")
        if canonical_query:
            url += "?" + canonical_query
        del all_headers["host"]
        return send(method, url, body, all_headers)


def _quote(text: str, safe: str = "") -> str:
    """URI-encoding as SigV4 wants it (RFC 3986 unreserved characters kept)."""
    return urllib.parse.quote(text, safe=safe + "-_.~")


def _xml_or_raise(reply: Reply) -> ElementTree.Element:
    if reply.status >= 300:
        raise _error_of(reply)
    return _strip_namespaces(ElementTree.fromstring(reply.body))


def _error_of(reply: Reply) -> EmulatorError:
    try:
        root = _strip_namespaces(ElementTree.fromstring(reply.body))
    except ElementTree.ParseError:
        return EmulatorError(reply.status, "Unknown", reply.text())
    code = root.findtext(".//Code") or "Unknown"
    message = root.findtext(".//Message") or ""
    return EmulatorError(reply.status, code, message)


def _strip_namespaces(root: ElementTree.Element) -> ElementTree.Element:
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def credentials_of(element: ElementTree.Element) -> Credentials:
    """The ``AccessKey`` (CreateAccessKey) or ``Credentials`` (STS) in a reply."""
    found = element.find(".//Credentials")
    if found is None:
        found = element.find(".//AccessKey")
    if found is None:
        raise EmulatorError(500, "MalformedReply", "no credentials in the reply")
    return Credentials(
        access_key_id=found.findtext("AccessKeyId") or "",
        secret_access_key=found.findtext("SecretAccessKey") or "",
        session_token=found.findtext("SessionToken"),
    )
