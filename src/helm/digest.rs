//! Small digests and encodings Sprig exposes (`sha256sum`, `sha1sum`,
//! `adler32sum`, `b64enc`/`b64dec`), written out to avoid three crates.

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(crate) fn b64encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base64.StdEncoding.DecodeString`: padding required, `\r`/`\n`
/// skipped; the error is the input offset Go reports.
pub(crate) fn b64decode_strict(text: &str) -> Result<Vec<u8>, usize> {
    let bytes: Vec<(usize, u8)> = text
        .bytes()
        .enumerate()
        .filter(|(_, c)| *c != b'\r' && *c != b'\n')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let mut chunks = bytes.chunks(4).peekable();
    while let Some(q) = chunks.next() {
        let last = chunks.peek().is_none();
        let mut vals = [0u32; 4];
        let mut n = 0;
        for (j, &(pos, c)) in q.iter().enumerate() {
            if c == b'=' {
                // Padding: only at the third or fourth place of the last
                // quantum, and only padding after it.
                if j < 2 || !last || q[j..].iter().any(|&(_, c)| c != b'=') || q.len() != 4 {
                    return Err(pos);
                }
                if j == 2 && q[3].1 != b'=' {
                    return Err(q[3].0);
                }
                break;
            }
            let v = B64.iter().position(|&x| x == c).ok_or(pos)?;
            vals[j] = u32::try_from(v).unwrap_or(0);
            n = j + 1;
        }
        if q.len() < 4 && n == q.len() {
            // Input ends inside a quantum: Go's decodeQuantum has read to
            // the end (line breaks included) and blames the offset that
            // many characters before it.
            return Err(text.len() - q.len());
        }
        let acc = (vals[0] << 18) | (vals[1] << 12) | (vals[2] << 6) | vals[3];
        let b = acc.to_be_bytes();
        out.extend_from_slice(&b[1..=n.saturating_sub(1).min(3)]);
    }
    Ok(out)
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// The digests are the RustCrypto crates' (sha1, sha2): Helm's sha1sum,
// sha256sum and sha512sum are Go's crypto package, and these compute the same
// bytes.

/// SHA-256.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

/// SHA-512 (Helm's `sha512sum`).
pub(crate) fn sha512(data: &[u8]) -> [u8; 64] {
    use sha2::Digest;
    sha2::Sha512::digest(data).into()
}

/// SHA-1.
pub(crate) fn sha1(data: &[u8]) -> [u8; 20] {
    use sha1::Digest;
    sha1::Sha1::digest(data).into()
}

/// Adler-32.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&sha512(b"abc")),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(b64encode(b"hello"), "aGVsbG8=");
        assert_eq!(b64decode_strict("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(b64decode_strict("aGVsbG8"), Err(4));
        assert_eq!(b64decode_strict("aGk="), Ok(b"hi".to_vec()));
        assert_eq!(adler32(b"Wikipedia"), 300_286_872);
    }
}
