//! The deterministic cryptography of Sprig's function set, computed as Go
//! computes it so the output is Helm's byte for byte: `derivePassword`
//! (the Master Password algorithm: scrypt, then HMAC-SHA256 over the site)
//! and `decryptAES` (AES-256-CBC, the IV the first block, the last byte
//! the padding length). Random ones (`encryptAES`'s IV, keys) are not here.

use super::digest::sha256;

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sha256(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    inner.extend_from_slice(msg);
    let mut outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    outer.extend_from_slice(&sha256(&inner));
    sha256(&outer)
}

/// PBKDF2-HMAC-SHA256 with one iteration (all scrypt asks of it).
fn pbkdf2_sha256_once(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut block = 1u32;
    while out.len() < len {
        let mut msg = salt.to_vec();
        msg.extend_from_slice(&block.to_be_bytes());
        out.extend_from_slice(&hmac_sha256(password, &msg));
        block += 1;
    }
    out.truncate(len);
    out
}

/// Salsa20/8's core on one 64-byte block (16 words), in place.
fn salsa20_8(b: &mut [u32; 16]) {
    let mut x = *b;
    for _ in 0..4 {
        let mut qr = |a: usize, bb: usize, c: usize, d: usize| {
            x[bb] ^= x[a].wrapping_add(x[d]).rotate_left(7);
            x[c] ^= x[bb].wrapping_add(x[a]).rotate_left(9);
            x[d] ^= x[c].wrapping_add(x[bb]).rotate_left(13);
            x[a] ^= x[d].wrapping_add(x[c]).rotate_left(18);
        };
        // Columns, then rows.
        qr(0, 4, 8, 12);
        qr(5, 9, 13, 1);
        qr(10, 14, 2, 6);
        qr(15, 3, 7, 11);
        qr(0, 1, 2, 3);
        qr(5, 6, 7, 4);
        qr(10, 11, 8, 9);
        qr(15, 12, 13, 14);
    }
    for (o, i) in b.iter_mut().zip(x) {
        *o = o.wrapping_add(i);
    }
}

/// scrypt's BlockMix over `b` (2r blocks of 16 words), into `out`.
fn block_mix(b: &[u32], out: &mut [u32], r: usize) {
    let mut x = [0u32; 16];
    x.copy_from_slice(&b[(2 * r - 1) * 16..2 * r * 16]);
    for i in 0..2 * r {
        for (xk, bk) in x.iter_mut().zip(&b[i * 16..(i + 1) * 16]) {
            *xk ^= bk;
        }
        salsa20_8(&mut x);
        // Even blocks first, then odd ones.
        let at = (i / 2 + (i % 2) * r) * 16;
        out[at..at + 16].copy_from_slice(&x);
    }
}

/// scrypt (RFC 7914), as `golang.org/x/crypto/scrypt.Key`.
pub(crate) fn scrypt(
    password: &[u8],
    salt: &[u8],
    n: usize,
    r: usize,
    p: usize,
    len: usize,
) -> Vec<u8> {
    let words = 32 * r;
    let mut b = pbkdf2_sha256_once(password, salt, p * 128 * r);
    let mut v = vec![0u32; n * words];
    let mut x = vec![0u32; words];
    let mut y = vec![0u32; words];
    for chunk in b.chunks_mut(128 * r) {
        for (w, bytes) in x.iter_mut().zip(chunk.chunks(4)) {
            *w = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        for i in 0..n {
            v[i * words..(i + 1) * words].copy_from_slice(&x);
            block_mix(&x, &mut y, r);
            std::mem::swap(&mut x, &mut y);
        }
        for _ in 0..n {
            // Integerify: the first word of the last block (n is a power
            // of two, so its low bits are the index).
            let j = x[(2 * r - 1) * 16] as usize & (n - 1);
            for (xk, vk) in x.iter_mut().zip(&v[j * words..(j + 1) * words]) {
                *xk ^= vk;
            }
            block_mix(&x, &mut y, r);
            std::mem::swap(&mut x, &mut y);
        }
        for (bytes, w) in chunk.chunks_mut(4).zip(&x) {
            bytes.copy_from_slice(&w.to_le_bytes());
        }
    }
    pbkdf2_sha256_once(password, &b, len)
}

const MASTER_PASSWORD_SEED: &[u8] = b"com.lyndir.masterpassword";

/// Sprig's password templates, by type.
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters a template letter stands for.
fn template_characters(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// Sprig's `derivePassword counter type password user site`: the Master
/// Password (v3) site password; an unknown type is Sprig's message.
pub(crate) fn derive_password(
    counter: u32,
    kind: &str,
    password: &str,
    user: &str,
    site: &str,
) -> Result<String, String> {
    let Some(templates) = password_templates(kind) else {
        return Ok(format!("cannot find password template {kind}"));
    };
    let len32 = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes();
    let key = master_key(password, user)?;
    let mut msg = MASTER_PASSWORD_SEED.to_vec();
    msg.extend_from_slice(&len32(site));
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let seed = hmac_sha256(&key, &msg);
    let template = templates[usize::from(seed[0]) % templates.len()];
    Ok(template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_characters(c);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect())
}

/// Most distinct master keys (scrypt with 32 MiB and 2×32768 rounds each)
/// one run derives: a bound against hostile charts, far above real use.
const MAX_MASTER_KEYS: usize = 64;

/// The master key of `password` and `user` (scrypt, N=32768, r=8, p=2),
/// computed once per pair: the site, counter and type only feed the HMAC.
fn master_key(password: &str, user: &str) -> Result<Vec<u8>, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Keys = Mutex<HashMap<(String, String), Vec<u8>>>;
    static KEYS: OnceLock<Keys> = OnceLock::new();
    let keys = KEYS.get_or_init(Mutex::default);
    let wanted = (password.to_owned(), user.to_owned());
    if let Some(key) = keys.lock().map_err(|e| e.to_string())?.get(&wanted) {
        return Ok(key.clone());
    }
    if keys.lock().map_err(|e| e.to_string())?.len() >= MAX_MASTER_KEYS {
        return Err(format!(
            "more than {MAX_MASTER_KEYS} distinct password/user pairs (caplevel's limit on scrypt work)"
        ));
    }
    let len32 = |s: &str| u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes();
    let mut salt = MASTER_PASSWORD_SEED.to_vec();
    salt.extend_from_slice(&len32(user));
    salt.extend_from_slice(user.as_bytes());
    let key = scrypt(password.as_bytes(), &salt, 32768, 8, 2, 64);
    keys.lock()
        .map_err(|e| e.to_string())?
        .insert(wanted, key.clone());
    Ok(key)
}

/// Multiplication in GF(2^8) modulo AES's polynomial.
fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let hi = a & 0x80;
        a <<= 1;
        if hi != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

/// AES's S-box and its inverse, computed (multiplicative inverse, then
/// the affine map).
fn sboxes() -> ([u8; 256], [u8; 256]) {
    let mut sbox = [0u8; 256];
    let mut inv = [0u8; 256];
    for x in 0..=255u8 {
        let mut y = 0u8;
        if x != 0 {
            // x^254 is x's inverse.
            let mut r = 1u8;
            let mut base = x;
            let mut e = 254u32;
            while e > 0 {
                if e & 1 != 0 {
                    r = gmul(r, base);
                }
                base = gmul(base, base);
                e >>= 1;
            }
            y = r;
        }
        let s =
            y ^ y.rotate_left(1) ^ y.rotate_left(2) ^ y.rotate_left(3) ^ y.rotate_left(4) ^ 0x63;
        sbox[usize::from(x)] = s;
        inv[usize::from(s)] = x;
    }
    (sbox, inv)
}

/// AES-256's 15 round keys (60 words) from `key`.
fn expand_key(key: &[u8; 32], sbox: &[u8; 256]) -> [[u8; 4]; 60] {
    let mut w = [[0u8; 4]; 60];
    for (i, word) in w.iter_mut().take(8).enumerate() {
        word.copy_from_slice(&key[4 * i..4 * i + 4]);
    }
    let mut rcon = 1u8;
    for i in 8..60 {
        let mut t = w[i - 1];
        if i % 8 == 0 {
            t = [
                sbox[usize::from(t[1])] ^ rcon,
                sbox[usize::from(t[2])],
                sbox[usize::from(t[3])],
                sbox[usize::from(t[0])],
            ];
            rcon = gmul(rcon, 2);
        } else if i % 8 == 4 {
            t = t.map(|b| sbox[usize::from(b)]);
        }
        for k in 0..4 {
            w[i][k] = w[i - 8][k] ^ t[k];
        }
    }
    w
}

/// Adds round key `r` to the state (column-major: `s[4c + row]`).
fn add_round_key(w: &[[u8; 4]; 60], r: usize, s: &mut [u8; 16]) {
    for c in 0..4 {
        for k in 0..4 {
            s[4 * c + k] ^= w[4 * r + c][k];
        }
    }
}

/// AES-256 encryption of whole 16-byte blocks in CBC mode.
fn aes256_cbc_encrypt(key: &[u8; 32], iv: &[u8], data: &[u8]) -> Vec<u8> {
    let (sbox, _) = sboxes();
    let w = expand_key(key, &sbox);
    let mut out = Vec::with_capacity(data.len());
    let mut prev = [0u8; 16];
    prev.copy_from_slice(&iv[..16]);
    for block in data.chunks_exact(16) {
        let mut s = prev;
        for (b, p) in s.iter_mut().zip(block) {
            *b ^= p;
        }
        add_round_key(&w, 0, &mut s);
        for round in 1..=14 {
            for b in &mut s {
                *b = sbox[usize::from(*b)];
            }
            // ShiftRows: row r moves r columns left.
            let t = s;
            for c in 0..4 {
                for row in 0..4 {
                    s[4 * c + row] = t[4 * ((c + row) % 4) + row];
                }
            }
            if round < 14 {
                for c in 0..4 {
                    let a = [s[4 * c], s[4 * c + 1], s[4 * c + 2], s[4 * c + 3]];
                    for row in 0..4 {
                        s[4 * c + row] = gmul(a[row], 2)
                            ^ gmul(a[(row + 1) % 4], 3)
                            ^ a[(row + 2) % 4]
                            ^ a[(row + 3) % 4];
                    }
                }
            }
            add_round_key(&w, round, &mut s);
        }
        out.extend_from_slice(&s);
        prev = s;
    }
    out
}

/// AES-256 decryption of whole 16-byte blocks in CBC mode.
fn aes256_cbc_decrypt(key: &[u8; 32], iv: &[u8], data: &[u8]) -> Vec<u8> {
    let (sbox, inv) = sboxes();
    let w = expand_key(key, &sbox);
    let round_key = |r: usize, s: &mut [u8; 16]| add_round_key(&w, r, s);
    let mut out = Vec::with_capacity(data.len());
    let mut prev: Vec<u8> = iv.to_vec();
    for block in data.chunks_exact(16) {
        let mut s = [0u8; 16];
        s.copy_from_slice(block);
        round_key(14, &mut s);
        for round in (0..14).rev() {
            // Inverse ShiftRows (state column-major: s[4c + row]).
            let t = s;
            for c in 0..4 {
                for row in 0..4 {
                    s[4 * ((c + row) % 4) + row] = t[4 * c + row];
                }
            }
            for b in &mut s {
                *b = inv[usize::from(*b)];
            }
            round_key(round, &mut s);
            if round > 0 {
                for c in 0..4 {
                    let a = [s[4 * c], s[4 * c + 1], s[4 * c + 2], s[4 * c + 3]];
                    for row in 0..4 {
                        s[4 * c + row] = gmul(a[row], 14)
                            ^ gmul(a[(row + 1) % 4], 11)
                            ^ gmul(a[(row + 2) % 4], 13)
                            ^ gmul(a[(row + 3) % 4], 9);
                    }
                }
            }
        }
        for (b, p) in s.iter_mut().zip(&prev) {
            *b ^= p;
        }
        out.extend_from_slice(&s);
        prev = block.to_vec();
    }
    out
}

/// The key Sprig makes of a password: its bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

/// Sprig's `encryptAES password text`: PKCS#7 padding, AES-256-CBC, the
/// IV first, base64. Sprig's IV is random; this one is fixed (zeros) so the
/// output is reproducible, and `decryptAES` reads it back as Sprig would.
/// An empty text is "".
pub(crate) fn encrypt_aes(password: &str, text: &[u8]) -> String {
    if text.is_empty() {
        return String::new();
    }
    let pad = 16 - text.len() % 16;
    let mut content = text.to_vec();
    content.extend(std::iter::repeat_n(u8::try_from(pad).unwrap_or(16), pad));
    let iv = [0u8; 16];
    let mut out = iv.to_vec();
    out.extend(aes256_cbc_encrypt(&aes_key(password), &iv, &content));
    super::digest::b64encode(&out)
}

/// Sprig's `decryptAES password base64`: the key the password's bytes
/// padded with zeros (or cut) to 32, the IV the first block, the last
/// byte the count of padding bytes dropped. Go's panics (too short, not
/// whole blocks, a padding longer than the text) are its runtime errors.
pub(crate) fn decrypt_aes(password: &str, crypt: &[u8]) -> Result<Vec<u8>, String> {
    let key = aes_key(password);
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let plain = aes256_cbc_decrypt(&key, iv, body);
    let Some(&last) = plain.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    let keep = plain.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        ));
    }
    Ok(plain[..usize::try_from(keep).unwrap_or(0)].to_vec())
}

/// One DER element: its tag, its contents and what follows it.
fn der_element(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The elements of a DER SEQUENCE that is all of `data`, by tag.
fn der_sequence_tags(data: &[u8]) -> Option<Vec<u8>> {
    let (tag, mut body, rest) = der_element(data)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let mut tags = Vec::new();
    while !body.is_empty() {
        let (t, _, next) = der_element(body)?;
        tags.push(t);
        body = next;
    }
    Some(tags)
}

/// Go's `pem.Decode`, for the first block: its type and bytes.
pub(crate) fn pem_decode(data: &[u8]) -> Option<(String, Vec<u8>)> {
    let text = String::from_utf8_lossy(data);
    let mut from = 0;
    while let Some(at) = text[from..].find("-----BEGIN ") {
        let start = from + at;
        from = start + 1;
        if start > 0 && !text[..start].ends_with('\n') {
            continue;
        }
        let after = &text[start + "-----BEGIN ".len()..];
        let Some(line_end) = after.find('\n') else {
            continue;
        };
        let Some(kind) = after[..line_end]
            .trim_end_matches('\r')
            .strip_suffix("-----")
        else {
            continue;
        };
        let body = &after[line_end + 1..];
        let end_marker = format!("-----END {kind}-----");
        let Some(end) = body.find(&end_marker) else {
            continue;
        };
        let body = &body[..end];
        // Headers (`Key: value` lines up to a blank one) are skipped.
        let body = match body.find("\n\n") {
            Some(blank) if body[..blank].lines().all(|l| l.contains(':')) => &body[blank + 2..],
            _ => body,
        };
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        if let Ok(bytes) = super::digest::b64decode_strict(&b64) {
            return Some((kind.to_owned(), bytes));
        }
    }
    None
}

/// Sprig's `buildCustomCert b64cert b64key`: the certificate and key as
/// given, once base64, PEM and their DER structure read (a certificate:
/// a SEQUENCE of the signed part, algorithm and signature; a key: PKCS#8
/// as `PRIVATE KEY`, or an `RSA`/`EC`/`DSA PRIVATE KEY`). The DER inside
/// is checked for shape, not parsed as Go's x509 parses it.
pub(crate) fn build_custom_cert(b64cert: &str, b64key: &str) -> Result<(String, String), String> {
    let cert = super::digest::b64decode_strict(b64cert)
        .map_err(|_| "unable to decode base64 certificate".to_owned())?;
    let key = super::digest::b64decode_strict(b64key)
        .map_err(|_| "unable to decode base64 private key".to_owned())?;
    let (_, der) = pem_decode(&cert).ok_or("unable to decode certificate")?;
    if der_sequence_tags(&der)
        .is_none_or(|t| t.len() != 3 || t[0] != 0x30 || t[1] != 0x30 || t[2] != 0x03)
    {
        return Err(
            "error parsing certificate: decodedCert.Bytes: x509: malformed certificate".into(),
        );
    }
    let (kind, der) = pem_decode(&key).ok_or("error parsing private key: no PEM data in input")?;
    let tags = der_sequence_tags(&der);
    let integer_first = tags.as_ref().is_some_and(|t| t.first() == Some(&0x02));
    if kind == "PRIVATE KEY" {
        if !integer_first {
            return Err(
                "error parsing private key: decoding PEM as PKCS#8: asn1: structure error".into(),
            );
        }
    } else {
        let Some(algo) = kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!(
                "error parsing private key: no private key data in PEM block of type {kind}"
            ));
        };
        if !matches!(algo, "RSA" | "EC" | "DSA") {
            return Err(format!(
                "error parsing private key: invalid private key type {kind}"
            ));
        }
        if !integer_first {
            return Err(format!(
                "error parsing private key: parsing {algo} private key from PEM: asn1: structure error"
            ));
        }
    }
    Ok((
        String::from_utf8_lossy(&cert).into_owned(),
        String::from_utf8_lossy(&key).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrypt_matches_rfc_7914() {
        // RFC 7914 section 12, the first vector (the golden
        // `sprig-crypto` case checks Sprig's N=32768 through Helm).
        let key = scrypt(b"", b"", 16, 1, 1, 64);
        assert_eq!(
            super::super::digest::hex(&key),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        let mac = hmac_sha256(&[0x0b; 20], b"Hi There");
        assert_eq!(
            super::super::digest::hex(&mac),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
    }

    #[test]
    fn aes256_matches_fips_197() {
        // FIPS-197 C.3: one block, CBC with a zero IV is the block cipher.
        let key: Vec<u8> = (0u8..32).collect();
        let mut k = [0u8; 32];
        k.copy_from_slice(&key);
        let ct = [
            0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf, 0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49,
            0x60, 0x89,
        ];
        let pt = aes256_cbc_decrypt(&k, &[0; 16], &ct);
        assert_eq!(
            super::super::digest::hex(&pt),
            "00112233445566778899aabbccddeeff"
        );
        assert_eq!(aes256_cbc_encrypt(&k, &[0; 16], &pt), ct);
        let sealed = encrypt_aes("key", "héllo, sixteen+ bytes".as_bytes());
        let crypt = super::super::digest::b64decode_strict(&sealed).unwrap();
        assert_eq!(
            decrypt_aes("key", &crypt).unwrap(),
            "héllo, sixteen+ bytes".as_bytes()
        );
    }
}
