"""Schemathesis hooks for ./scripts/api-fuzz.

Registers the custom check `no_unmasked_id_number`: no API response (body or headers) may carry
a clear 居民身份证号. An 18-character run `\\d{17}[\\dXx]` counts as an ID number when it stands
alone (no letter or digit right before or after it, so UUID fragments and longer digit runs do
not count), its first two digits are a province code of GB/T 2260, its characters 7–14 are
a real birth date in 19xx/20xx and its check character is right (GB 11643 §5: every issued
number carries one; the product's own masker, `domain::codes::id_number::mask_in_text`, uses
the same test). Without the check character, public register numbers built the same way — a
建筑工程施工许可证编号 is region code + date + sequence, 18 digits — would count as ID numbers.
A 统一社会信用代码 (USCC) fails these tests: its characters 3–8 are the region and 9–17 the
organisation code, so it does not start with a province code followed by a date (and most carry
letters).

Documented exceptions, each answered with status 200 only to a caller entitled to the clear text
(counted but not failed):
- `GET /api/v1/batches/{id}/errors`: the submitter's own error report, which carries the rejected
  rows exactly as submitted (see crates/chengxin/tests/it/privacy.rs);
- `POST /api/v1/subjects/{id}/identity`, `POST /api/v1/records/{id}/free-text`,
  `POST /api/v1/applications/{id}/free-text`: the decrypt answers themselves, for a
  `personal_data_decrypt` holder within the item's regions, with a stated purpose, each one
  query-logged (docs/SECURITY.md). The session pass's credit-office account holds that permission.
"""

from __future__ import annotations

import datetime
import re

import schemathesis

# Province-level codes of GB/T 2260 (mainland provinces, Taiwan, Hong Kong, Macao).
PROVINCES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46]
    + [50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]
)

CANDIDATE = re.compile(rb"(?<![0-9A-Za-z])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")

# Operations whose 200 response may legitimately carry a clear number (see the module docstring).
ALLOWED = {
    ("GET", "/api/v1/batches/{id}/errors"),
    ("POST", "/api/v1/subjects/{id}/identity"),
    ("POST", "/api/v1/records/{id}/free-text"),
    ("POST", "/api/v1/applications/{id}/free-text"),
}

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK_CHARS = "10X98765432"


def _checksum_ok(s: str) -> bool:
    total = sum(int(c) * w for c, w in zip(s[:17], _WEIGHTS))
    return _CHECK_CHARS[total % 11] == s[17].upper()


def looks_like_id_number(s: str) -> bool:
    """True for an 18-character 居民身份证号: province, birth date and check character."""
    if len(s) != 18 or not s[:17].isdigit() or not (s[17].isdigit() or s[17] in "Xx"):
        return False
    if int(s[:2]) not in PROVINCES:
        return False
    year, month, day = int(s[6:10]), int(s[10:12]), int(s[12:14])
    if not (1900 <= year <= 2099):
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return _checksum_ok(s)


def find_id_numbers(data: bytes) -> list[str]:
    return [m.decode() for m in CANDIDATE.findall(data) if looks_like_id_number(m.decode())]


def _mask(s: str) -> str:
    # Never print the number itself: region, birth year, then stars.
    return f"{s[:6]}{s[6:10]}********"


def _request_bytes(case) -> bytes:
    parts = [repr(case.path_parameters), repr(case.query), repr(case.body)]
    return " ".join(parts).encode("utf-8", "replace")


@schemathesis.check
def no_unmasked_id_number(ctx, response, case):
    """Fail when a response carries a clear (unmasked) 居民身份证号."""
    data = response.content or b""
    headers = "\n".join(
        f"{k}: {', '.join(v) if isinstance(v, (list, tuple)) else v}"
        for k, v in response.headers.items()
    ).encode("utf-8", "replace")
    found = find_id_numbers(data) + find_id_numbers(headers)
    if not found:
        return None
    method = case.method.upper()
    if (method, case.operation.path) in ALLOWED and response.status_code == 200:
        return None
    sent = _request_bytes(case)
    details = ", ".join(
        f"{_mask(n)}{' (echoed from the request)' if n.encode() in sent else ''}"
        for n in sorted(set(found))
    )
    raise AssertionError(
        f"Response {response.status_code} to {method} {case.operation.path} carries "
        f"{len(set(found))} unmasked ID number(s): {details}"
    )
