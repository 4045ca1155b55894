//! The deterministic cryptography of Sprig's function set, computed as Go
//! computes it so the output is Helm's byte for byte: `derivePassword`
//! (the Master Password algorithm: scrypt, then HMAC-SHA256 over the site)
//! and `decryptAES` (AES-256-CBC, the IV the first block, the last byte
//! the padding length). Random ones (`encryptAES`'s IV, keys) are not here.
//! The primitives (HMAC, scrypt, AES-256-CBC) are the RustCrypto crates';
//! what is Sprig's own (templates, key padding, unpadding) is here.

use aes::Aes256;
use cbc::cipher::block_padding::{NoPadding, Pkcs7};
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> Result<[u8; 32], String> {
    // HMAC takes a key of any length: the error is never seen.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|e| e.to_string())?;
    mac.update(msg);
    Ok(mac.finalize().into_bytes().into())
}

/// scrypt (RFC 7914), as `golang.org/x/crypto/scrypt.Key(password, salt,
/// 1<<log_n, r, p, len)`; `len` is 10..=64 (Sprig asks for 64).
fn scrypt(
    password: &[u8],
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
    len: usize,
) -> Result<Vec<u8>, String> {
    let params = scrypt::Params::new(log_n, r, p, len).map_err(|e| e.to_string())?;
    let mut key = vec![0u8; len];
    scrypt::scrypt(password, salt, &params, &mut key).map_err(|e| e.to_string())?;
    Ok(key)
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
    let seed = hmac_sha256(&key, &msg)?;
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
    // N = 32768 = 1 << 15.
    let key = scrypt(password.as_bytes(), &salt, 15, 8, 2, 64)?;
    keys.lock()
        .map_err(|e| e.to_string())?
        .insert(wanted, key.clone());
    Ok(key)
}

/// AES-256 decryption of whole 16-byte blocks in CBC mode, no padding
/// removed (Sprig drops it itself, as the last byte says).
fn aes256_cbc_decrypt(key: &[u8; 32], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, String> {
    cbc::Decryptor::<Aes256>::new(key.into(), iv.into())
        .decrypt_padded_vec_mut::<NoPadding>(data)
        .map_err(|_| "crypto/cipher: input not full blocks".to_owned())
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
    let iv = [0u8; 16];
    let mut out = iv.to_vec();
    out.extend(
        cbc::Encryptor::<Aes256>::new(&aes_key(password).into(), &iv.into())
            .encrypt_padded_vec_mut::<Pkcs7>(text),
    );
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
    let mut iv16 = [0u8; 16];
    iv16.copy_from_slice(iv);
    let plain = aes256_cbc_decrypt(&key, &iv16, body)?;
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

/// Sprig's `parsePrivateKeyPEM`: the first PEM block's type and DER, once
/// read as a key (PKCS#8 as `PRIVATE KEY`, or an `RSA`/`EC`/`DSA PRIVATE
/// KEY`); the DER is checked for shape, not parsed as Go's x509 parses it.
/// The errors are Sprig's, without the caller's prefix.
pub(crate) fn parse_private_key_pem(key: &[u8]) -> Result<(String, Vec<u8>), String> {
    let (kind, der) = pem_decode(key).ok_or("no PEM data in input")?;
    let tags = der_sequence_tags(&der);
    let integer_first = tags.as_ref().is_some_and(|t| t.first() == Some(&0x02));
    if kind == "PRIVATE KEY" {
        if !integer_first {
            return Err("decoding PEM as PKCS#8: asn1: structure error".into());
        }
    } else {
        let Some(algo) = kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {kind}"));
        };
        if !matches!(algo, "RSA" | "EC" | "DSA") {
            return Err(format!("invalid private key type {kind}"));
        }
        if !integer_first {
            return Err(format!(
                "parsing {algo} private key from PEM: asn1: structure error"
            ));
        }
    }
    Ok((kind, der))
}

/// Whether a certificate's DER has X.509's outer shape (a SEQUENCE of the
/// signed part, the algorithm and the signature).
pub(crate) fn certificate_shape(der: &[u8]) -> bool {
    der_sequence_tags(der)
        .is_some_and(|t| t.len() == 3 && t[0] == 0x30 && t[1] == 0x30 && t[2] == 0x03)
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
    if !certificate_shape(&der) {
        return Err(
            "error parsing certificate: decodedCert.Bytes: x509: malformed certificate".into(),
        );
    }
    parse_private_key_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
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
        let key = scrypt(b"", b"", 4, 1, 1, 64).unwrap();
        assert_eq!(
            super::super::digest::hex(&key),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        let mac = hmac_sha256(&[0x0b; 20], b"Hi There").unwrap();
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
        let pt = aes256_cbc_decrypt(&k, &[0; 16], &ct).unwrap();
        assert_eq!(
            super::super::digest::hex(&pt),
            "00112233445566778899aabbccddeeff"
        );
        let mut again = pt.clone();
        let sealed = cbc::Encryptor::<Aes256>::new(&k.into(), &[0; 16].into())
            .encrypt_padded_mut::<NoPadding>(&mut again, 16)
            .unwrap();
        assert_eq!(sealed, ct);
        let sealed = encrypt_aes("key", "héllo, sixteen+ bytes".as_bytes());
        let crypt = super::super::digest::b64decode_strict(&sealed).unwrap();
        assert_eq!(
            decrypt_aes("key", &crypt).unwrap(),
            "héllo, sixteen+ bytes".as_bytes()
        );
    }
}
