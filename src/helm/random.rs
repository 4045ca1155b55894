//! Sprig's random functions, deterministic: one seeded generator per render.
//!
//! Helm draws `randAlphaNum`, `randInt`, `uuidv4`, `shuffle`, `bcrypt`'s
//! salt and every generated key and certificate from `crypto/rand`; two
//! renders differ. caplevel's output must be reproducible (same input,
//! same bytes), yet a chart can tell when two draws are equal: two hook
//! Jobs named `migrate-{{ randAlphaNum 5 | lower }}` are one object when
//! both draws agree, and `eq (randAlphaNum 8) (randAlphaNum 8)` picks a
//! branch. So every draw comes from one generator, reseeded with the same
//! constant when a render starts (never from the clock): successive draws
//! differ as Helm's do, and the same chart and values give the same bytes.
//! Keys and certificates are placeholders with the shape Helm's have (PEM
//! armour, the DER structure of their type, close to their size), so
//! `buildCustomCert` and `genSignedCert` read them back as Sprig reads
//! real ones; they are not usable keys.

use std::cell::Cell;

/// The seed every render starts from ("caplevel").
const SEED: u64 = 0x6361_706c_6576_656c;

thread_local! {
    static STATE: Cell<u64> = const { Cell::new(SEED) };
}

/// Restarts the sequence: called when a render starts.
pub(crate) fn reset() {
    STATE.with(|s| s.set(SEED));
}

/// The next 64 random bits (SplitMix64).
pub(crate) fn next_u64() -> u64 {
    STATE.with(|s| {
        let x = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        s.set(x);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}

/// A draw in `0..n` (`n > 0`), without modulo bias.
pub(crate) fn below(n: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = next_u64();
        if x < zone {
            return x % n;
        }
    }
}

/// `n` random bytes.
pub(crate) fn bytes(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let x = next_u64().to_le_bytes();
        out.extend_from_slice(&x[..(n - out.len()).min(8)]);
    }
    out
}

/// `n` characters drawn from `alphabet` (goutils' `CryptoRandom`).
pub(crate) fn string(n: usize, alphabet: &[u8]) -> String {
    (0..n)
        .map(|_| char::from(alphabet[usize::try_from(below(alphabet.len() as u64)).unwrap_or(0)]))
        .collect()
}

/// A version 4 UUID (google/uuid's `NewRandom`).
pub(crate) fn uuidv4() -> String {
    let mut b = bytes(16);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = super::digest::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// xstrings' `Shuffle`: the runes in a random order (Fisher–Yates).
pub(crate) fn shuffle(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for i in (1..chars.len()).rev() {
        let j = usize::try_from(below(i as u64 + 1)).unwrap_or(0);
        chars.swap(i, j);
    }
    chars.into_iter().collect()
}

/// A bcrypt hash's shape (`$2a$10$`, 22 characters of salt, 31 of hash,
/// bcrypt's base64 alphabet): 60 characters, as Go's `bcrypt` gives.
pub(crate) fn bcrypt_hash() -> String {
    const ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    format!("$2a$10${}", string(53, ALPHABET))
}

/// A DER element: tag, length, contents.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let be = len.to_be_bytes();
        let skip = be.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | u8::try_from(be.len() - skip).unwrap_or(0));
        out.extend_from_slice(&be[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A positive DER INTEGER of `n` random bytes (top bit set, as a key's
/// numbers are, so a zero byte leads).
fn integer(n: usize) -> Vec<u8> {
    let mut b = bytes(n);
    b[0] |= 0x80;
    b.insert(0, 0);
    der(0x02, &b)
}

fn sequence(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// Go's `pem.EncodeToMemory`: base64 in lines of 64.
pub(crate) fn pem(kind: &str, data: &[u8]) -> String {
    let b64 = super::digest::b64encode(data);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// The private-key types `genPrivateKey` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyType {
    /// RSA of this many bits (`RSA PRIVATE KEY`, PKCS#1).
    Rsa(usize),
    /// DSA L1024N160 (`DSA PRIVATE KEY`).
    Dsa,
    /// ECDSA P-256 (`EC PRIVATE KEY`, SEC 1).
    Ecdsa,
    /// Ed25519 (`PRIVATE KEY`, PKCS#8).
    Ed25519,
}

/// A placeholder private key of `kind` in PEM: its type's PEM block and DER
/// structure with random numbers.
pub(crate) fn private_key(kind: KeyType) -> String {
    match kind {
        KeyType::Rsa(bits) => {
            let n = bits / 8;
            let der = sequence(&[
                der(0x02, &[0]),
                integer(n),
                der(0x02, &[1, 0, 1]),
                integer(n - 1),
                integer(n / 2),
                integer(n / 2),
                integer(n / 2 - 1),
                integer(n / 2 - 1),
                integer(n / 2 - 1),
            ]);
            pem("RSA PRIVATE KEY", &der)
        }
        KeyType::Dsa => {
            let der = sequence(&[
                der(0x02, &[0]),
                integer(128),
                integer(20),
                integer(127),
                integer(127),
                integer(19),
            ]);
            pem("DSA PRIVATE KEY", &der)
        }
        KeyType::Ecdsa => {
            let mut point = vec![0, 4];
            point.extend(bytes(64));
            let der = sequence(&[
                der(0x02, &[1]),
                der(0x04, &bytes(32)),
                der(
                    0xa0,
                    &der(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
                ),
                der(0xa1, &der(0x03, &point)),
            ]);
            pem("EC PRIVATE KEY", &der)
        }
        KeyType::Ed25519 => {
            let der = sequence(&[
                der(0x02, &[0]),
                sequence(&[der(0x06, &[0x2b, 0x65, 0x70])]),
                der(0x04, &der(0x04, &bytes(32))),
            ]);
            pem("PRIVATE KEY", &der)
        }
    }
}

/// A placeholder certificate in PEM for common name `cn`: X.509's outer
/// structure (the signed part naming `cn`, sha256WithRSAEncryption, a
/// signature), a random serial and signature, close to the size of the
/// RSA-2048 certificates Sprig makes.
pub(crate) fn certificate(cn: &str) -> String {
    let mut serial = bytes(16);
    serial[0] &= 0x7f;
    let name = sequence(&[der(
        0x31,
        &sequence(&[der(0x06, &[0x55, 0x04, 0x03]), der(0x0c, cn.as_bytes())]),
    )]);
    let tbs = sequence(&[
        der(0xa0, &der(0x02, &[2])),
        der(0x02, &serial),
        sequence(&[der(
            0x06,
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
        )]),
        name.clone(),
        name,
        // Not a real public key: the placeholder's own words and random
        // bytes of an RSA-2048 key's size.
        der(0x04, b"caplevel placeholder: not a real certificate"),
        der(0x04, &bytes(270)),
    ]);
    let mut signature = vec![0];
    signature.extend(bytes(256));
    let der = sequence(&[
        tbs,
        sequence(&[der(
            0x06,
            &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b],
        )]),
        der(0x03, &signature),
    ]);
    pem("CERTIFICATE", &der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ_and_restart_with_each_render() {
        reset();
        let a = string(8, b"abc0123");
        let b = string(8, b"abc0123");
        assert_ne!(a, b);
        reset();
        assert_eq!(string(8, b"abc0123"), a);
        assert_eq!(bcrypt_hash().len(), 60);
        let u = uuidv4();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        let mut s: Vec<char> = shuffle("abcdefgh").chars().collect();
        s.sort_unstable();
        assert_eq!(s.into_iter().collect::<String>(), "abcdefgh");
    }

    #[test]
    fn placeholders_read_back_as_sprig_reads_keys_and_certificates() {
        for (kind, header) in [
            (KeyType::Rsa(2048), "RSA PRIVATE KEY"),
            (KeyType::Dsa, "DSA PRIVATE KEY"),
            (KeyType::Ecdsa, "EC PRIVATE KEY"),
            (KeyType::Ed25519, "PRIVATE KEY"),
        ] {
            let key = private_key(kind);
            let (got, _) = super::super::crypto::parse_private_key_pem(key.as_bytes()).unwrap();
            assert_eq!(got, header);
        }
        // Helm's RSA-2048 key is 1675..1679 characters, its RSA-4096 3243..3247.
        let rsa = private_key(KeyType::Rsa(2048)).len();
        assert!((1600..1720).contains(&rsa), "{rsa}");
        let rsa = private_key(KeyType::Rsa(4096)).len();
        assert!((3150..3300).contains(&rsa), "{rsa}");
        let cert = certificate("x");
        let (kind, der) = super::super::crypto::pem_decode(cert.as_bytes()).unwrap();
        assert_eq!(kind, "CERTIFICATE");
        assert!(super::super::crypto::certificate_shape(&der));
    }
}
