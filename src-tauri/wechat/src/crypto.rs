//! WeChat message crypto ("WXBizMsgCrypt"): the signature and AES envelope of every push.
//!
//! Algorithm (wechat-component-reference.md §4, checked against the official samples in
//! `tests/fixtures/official-crypto-vectors.json`):
//! key = base64(EncodingAESKey + "="), IV = key[..16], AES-256-CBC, PKCS#7 padding to **32**-byte
//! blocks, plaintext = 16 random bytes ‖ u32 BE length ‖ msg ‖ appid,
//! msg_signature = hex(sha1(concat(sorted([token, timestamp, nonce, encrypt])))).
//!
//! Every way a decrypt can fail has its own [`CryptoError`] variant, because each one points the
//! operator at a different fix (wrong key, wrong token, wrong appid, mangled paste).

use std::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use serde::Serialize;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;

/// WeChat pads to 32-byte blocks, not AES's 16, so the stock PKCS#7 unpadder (which rejects pad
/// values 17..=32) cannot be used.
const PAD_BLOCK: usize = 32;
const RANDOM_LEN: usize = 16;
const HEADER_LEN: usize = RANDOM_LEN + 4;
const KEY_CHARS: usize = 43;

/// Most real EncodingAESKeys are non-canonical base64 (the 43rd character's two unused bits are
/// set, e.g. the official sample key ending in `G`); the `base64` crate's default engines reject
/// those, so both the key and the ciphertext go through this lenient engine.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Stable, machine-readable name of a [`CryptoError`] (what the UI and tests match on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CryptoErrorKind {
    KeyLength,
    KeyAlphabet,
    Base64,
    CiphertextLength,
    SignatureMismatch,
    Padding,
    Length,
    AppidMismatch,
    Utf8,
}

/// Why a key was refused or a message could not be opened.
///
/// Serializes as `{ "kind": "<snake_case kind>", "message": "<Display text>" }`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The official samples call this IllegalAesKey (-40004).
    #[error("EncodingAESKey must be 43 characters, got {len}")]
    KeyLength { len: usize },
    /// WeChat generates keys from `[A-Za-z0-9]` (reference §4.1); `+` and `/` are accepted too,
    /// because every key of the independent wechatpy-made vectors (tests/fixtures/
    /// crypto-vectors.json) contains them and they decode fine.
    #[error("EncodingAESKey has a character outside the base64 alphabet at position {position}: {found:?}")]
    KeyAlphabet { position: usize, found: char },
    /// -40010 DecodeBase64Error.
    #[error("Encrypt is not valid base64: {detail}{}", restored_note(*restored_spaces))]
    Base64 {
        detail: String,
        restored_spaces: bool,
    },
    /// A ciphertext must be a non-empty whole number of AES blocks; anything else was cut short.
    #[error("Encrypt decodes to {len} bytes, not a non-empty multiple of 16 (truncated or not a WeChat ciphertext){}", restored_note(*restored_spaces))]
    CiphertextLength { len: usize, restored_spaces: bool },
    /// -40001 ValidateSignatureError: wrong token, or a different timestamp/nonce/Encrypt than
    /// WeChat signed.
    #[error("msg_signature does not match (check the Token, and that timestamp, nonce and Encrypt are exactly what WeChat sent){}", restored_note(*restored_spaces))]
    SignatureMismatch { restored_spaces: bool },
    /// Almost always a wrong EncodingAESKey (garbage decrypts to a random pad byte).
    #[error("bad padding byte {pad} after decryption (expected 1..=32 repeated): the EncodingAESKey is probably wrong")]
    Padding { pad: u8 },
    /// -40008 IllegalBuffer. Checked before any slicing, so a garbage length cannot allocate.
    #[error("{}", length_message(*declared, *available))]
    Length {
        declared: Option<u32>,
        available: usize,
    },
    /// -40005 ValidateAppidError: the message was encrypted for another platform.
    #[error("message was encrypted for appid {found:?}, expected {expected:?} (check the profile's component appid, or whether this push is for another platform)")]
    AppidMismatch { expected: String, found: String },
    #[error("decrypted message is not valid UTF-8 (invalid byte at offset {valid_up_to})")]
    Utf8 { valid_up_to: usize },
}

fn restored_note(restored: bool) -> &'static str {
    if restored {
        " (note: the Encrypt value contained spaces, which were restored to '+' — it was probably URL-decoded on the way)"
    } else {
        ""
    }
}

fn length_message(declared: Option<u32>, available: usize) -> String {
    match declared {
        None => format!(
            "decrypted buffer is {available} bytes, too short for the 20-byte header: the EncodingAESKey is probably wrong"
        ),
        Some(n) => format!(
            "decrypted length field says {n} bytes but only {available} follow the header: the EncodingAESKey is probably wrong"
        ),
    }
}

impl CryptoError {
    pub fn kind(&self) -> CryptoErrorKind {
        match self {
            CryptoError::KeyLength { .. } => CryptoErrorKind::KeyLength,
            CryptoError::KeyAlphabet { .. } => CryptoErrorKind::KeyAlphabet,
            CryptoError::Base64 { .. } => CryptoErrorKind::Base64,
            CryptoError::CiphertextLength { .. } => CryptoErrorKind::CiphertextLength,
            CryptoError::SignatureMismatch { .. } => CryptoErrorKind::SignatureMismatch,
            CryptoError::Padding { .. } => CryptoErrorKind::Padding,
            CryptoError::Length { .. } => CryptoErrorKind::Length,
            CryptoError::AppidMismatch { .. } => CryptoErrorKind::AppidMismatch,
            CryptoError::Utf8 { .. } => CryptoErrorKind::Utf8,
        }
    }

    /// What the operator can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            CryptoError::KeyLength { .. } | CryptoError::KeyAlphabet { .. } => {
                "Copy the EncodingAESKey (消息加解密Key) again from the platform's 开发资料 page: it is exactly 43 letters and digits."
            }
            CryptoError::Base64 { .. } | CryptoError::CiphertextLength { .. } => {
                "Paste the <Encrypt> value exactly as received (raw request body, not a URL-decoded or truncated copy)."
            }
            CryptoError::SignatureMismatch { .. } => {
                "Check the profile's Token (消息校验Token) and use the msg_signature (not signature) URL parameter of the same request."
            }
            CryptoError::Padding { .. } | CryptoError::Length { .. } | CryptoError::Utf8 { .. } => {
                "Check the EncodingAESKey; if it was changed recently, try the previous key too."
            }
            CryptoError::AppidMismatch { .. } => {
                "Check the profile's component appid: the message belongs to the platform named in the error."
            }
        }
    }
}

impl Serialize for CryptoError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("CryptoError", 2)?;
        s.serialize_field("kind", &self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

/// A complete push as WeChat would send it to the authorization-event URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SealedPush {
    /// `<xml><AppId><![CDATA[..]]></AppId><Encrypt><![CDATA[..]]></Encrypt></xml>`
    pub body: String,
    pub msg_signature: String,
    pub timestamp: String,
    pub nonce: String,
    pub encrypt: String,
}

/// The crypto context of one platform: token, AES key and the component appid every message ends
/// with (also for messages relayed for authorizers).
#[derive(Clone)]
pub struct MsgCrypto {
    token: String,
    key: [u8; 32],
    appid: String,
}

impl fmt::Debug for MsgCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MsgCrypto")
            .field("token", &"<redacted>")
            .field("key", &"<redacted>")
            .field("appid", &self.appid)
            .finish()
    }
}

impl MsgCrypto {
    /// Surrounding whitespace of the token and key is ignored (neither can contain any, and pasted
    /// values often carry a newline).
    pub fn new(token: &str, encoding_aes_key: &str, appid: &str) -> Result<Self, CryptoError> {
        Ok(MsgCrypto {
            token: token.trim().to_owned(),
            key: decode_key(encoding_aes_key.trim())?,
            appid: appid.trim().to_owned(),
        })
    }

    /// The appid messages are sealed with and checked against.
    pub fn appid(&self) -> &str {
        &self.appid
    }

    /// `msg_signature` over (token, timestamp, nonce, encrypt).
    pub fn signature(&self, timestamp: &str, nonce: &str, encrypt: &str) -> String {
        sha1_sorted(&[&self.token, timestamp, nonce, encrypt])
    }

    /// The URL `signature` parameter (no Encrypt) for this token.
    pub fn url_signature(&self, timestamp: &str, nonce: &str) -> String {
        url_signature(&self.token, timestamp, nonce)
    }

    /// Encrypts with 16 fresh random bytes.
    pub fn encrypt(&self, msg: &str) -> String {
        let random: [u8; RANDOM_LEN] = rand::random();
        self.encrypt_with_random(&random, msg)
    }

    /// Deterministic encryption, for reproducing the official vectors and for tests.
    pub fn encrypt_with_random(&self, random: &[u8; 16], msg: &str) -> String {
        let msg = msg.as_bytes();
        let len = u32::try_from(msg.len()).expect("a WeChat message fits in 4 GiB");
        let mut plain = Vec::with_capacity(HEADER_LEN + msg.len() + self.appid.len() + PAD_BLOCK);
        plain.extend_from_slice(random);
        plain.extend_from_slice(&len.to_be_bytes());
        plain.extend_from_slice(msg);
        plain.extend_from_slice(self.appid.as_bytes());
        let pad = PAD_BLOCK - plain.len() % PAD_BLOCK;
        plain.resize(plain.len() + pad, pad as u8);
        let cipher = Aes256CbcEnc::new(&self.key.into(), self.iv().into())
            .encrypt_padded_vec_mut::<NoPadding>(&plain);
        base64::engine::general_purpose::STANDARD.encode(cipher)
    }

    /// Decrypts without looking at any signature (for pasted bodies whose query was lost).
    pub fn decrypt(&self, encrypt: &str) -> Result<String, CryptoError> {
        let (encrypt, restored) = restore_spaces(encrypt);
        self.decrypt_normalized(&encrypt, restored)
    }

    /// Checks `msg_signature` (in constant time), then decrypts.
    pub fn verify_and_decrypt(
        &self,
        msg_signature: &str,
        timestamp: &str,
        nonce: &str,
        encrypt: &str,
    ) -> Result<String, CryptoError> {
        let (encrypt, restored) = restore_spaces(encrypt);
        // A genuine Encrypt never contains spaces, so signing the restored value is what WeChat
        // signed whenever the damage was only '+' → ' '.
        let computed = self.signature(timestamp, nonce, &encrypt);
        let given = msg_signature.trim().to_ascii_lowercase();
        if !bool::from(computed.as_bytes().ct_eq(given.as_bytes())) {
            return Err(CryptoError::SignatureMismatch {
                restored_spaces: restored,
            });
        }
        self.decrypt_normalized(&encrypt, restored)
    }

    /// Encrypts `msg` into a full push body addressed to this platform, with its msg_signature.
    pub fn seal_push(&self, msg: &str, timestamp: &str, nonce: &str) -> SealedPush {
        let encrypt = self.encrypt(msg);
        self.seal_encrypted(encrypt, timestamp, nonce)
    }

    /// [`Self::seal_push`] with fixed random bytes (reproducible tests).
    pub fn seal_push_with_random(
        &self,
        random: &[u8; 16],
        msg: &str,
        timestamp: &str,
        nonce: &str,
    ) -> SealedPush {
        let encrypt = self.encrypt_with_random(random, msg);
        self.seal_encrypted(encrypt, timestamp, nonce)
    }

    fn seal_encrypted(&self, encrypt: String, timestamp: &str, nonce: &str) -> SealedPush {
        let body = format!(
            "<xml><AppId><![CDATA[{}]]></AppId><Encrypt><![CDATA[{}]]></Encrypt></xml>",
            self.appid, encrypt
        );
        SealedPush {
            body,
            msg_signature: self.signature(timestamp, nonce, &encrypt),
            timestamp: timestamp.to_owned(),
            nonce: nonce.to_owned(),
            encrypt,
        }
    }

    fn iv(&self) -> &[u8; 16] {
        self.key[..16].try_into().expect("key is 32 bytes")
    }

    fn decrypt_normalized(&self, encrypt: &str, restored: bool) -> Result<String, CryptoError> {
        let cipher = LENIENT.decode(encrypt).map_err(|e| CryptoError::Base64 {
            detail: e.to_string(),
            restored_spaces: restored,
        })?;
        if cipher.is_empty() || cipher.len() % 16 != 0 {
            return Err(CryptoError::CiphertextLength {
                len: cipher.len(),
                restored_spaces: restored,
            });
        }
        let plain = Aes256CbcDec::new(&self.key.into(), self.iv().into())
            .decrypt_padded_vec_mut::<NoPadding>(&cipher)
            .map_err(|_| CryptoError::CiphertextLength {
                len: cipher.len(),
                restored_spaces: restored,
            })?;
        let body = strip_padding(&plain)?;
        let (msg, appid) = split_body(body)?;
        if appid != self.appid.as_bytes() {
            return Err(CryptoError::AppidMismatch {
                expected: self.appid.clone(),
                found: printable(appid),
            });
        }
        String::from_utf8(msg.to_vec()).map_err(|e| CryptoError::Utf8 {
            valid_up_to: e.utf8_error().valid_up_to(),
        })
    }
}

/// The URL `signature` parameter: hex(sha1(concat(sorted([token, timestamp, nonce])))).
pub fn url_signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sha1_sorted(&[token, timestamp, nonce])
}

fn sha1_sorted(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    let mut hasher = Sha1::new();
    for part in sorted {
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

fn decode_key(key: &str) -> Result<[u8; 32], CryptoError> {
    let len = key.chars().count();
    if len != KEY_CHARS {
        return Err(CryptoError::KeyLength { len });
    }
    if let Some((position, found)) = key
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '+' || *c == '/'))
    {
        return Err(CryptoError::KeyAlphabet { position, found });
    }
    let bytes = LENIENT
        .decode(format!("{key}="))
        .expect("43 base64-alphabet characters plus '=' always decode leniently");
    Ok(bytes
        .try_into()
        .expect("43 base64 characters decode to 32 bytes"))
}

/// Restores '+' that URL decoding turned into spaces, and drops line breaks of wrapped pastes.
fn restore_spaces(encrypt: &str) -> (String, bool) {
    let trimmed = encrypt.trim_matches(|c: char| c == '\r' || c == '\n' || c == '\t');
    let restored = trimmed.contains(' ');
    let fixed = trimmed
        .chars()
        .filter(|c| *c != '\r' && *c != '\n')
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    (fixed, restored)
}

fn strip_padding(plain: &[u8]) -> Result<&[u8], CryptoError> {
    let pad = *plain.last().ok_or(CryptoError::Padding { pad: 0 })?;
    let n = usize::from(pad);
    if n == 0
        || n > PAD_BLOCK
        || n > plain.len()
        || plain[plain.len() - n..].iter().any(|b| *b != pad)
    {
        return Err(CryptoError::Padding { pad });
    }
    Ok(&plain[..plain.len() - n])
}

/// Splits `random ‖ len ‖ msg ‖ appid` into (msg, appid), bounding `len` by the buffer first.
fn split_body(body: &[u8]) -> Result<(&[u8], &[u8]), CryptoError> {
    if body.len() < HEADER_LEN {
        return Err(CryptoError::Length {
            declared: None,
            available: body.len(),
        });
    }
    let declared = u32::from_be_bytes(body[RANDOM_LEN..HEADER_LEN].try_into().expect("4 bytes"));
    let rest = &body[HEADER_LEN..];
    let len = usize::try_from(declared).unwrap_or(usize::MAX);
    if len > rest.len() {
        return Err(CryptoError::Length {
            declared: Some(declared),
            available: rest.len(),
        });
    }
    Ok(rest.split_at(len))
}

/// A found appid for error messages: lossy UTF-8, control characters escaped, bounded length
/// (with a wrong appid it is usually readable; with garbage it must not flood the log).
fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64)]);
    let mut out: String = text.chars().flat_map(char::escape_default).collect();
    if bytes.len() > 64 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_token_and_key() {
        let c = MsgCrypto::new(
            "secret-token",
            "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
            "wx1",
        )
        .unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("secret-token"), "{dbg}");
        assert!(dbg.contains("<redacted>") && dbg.contains("wx1"), "{dbg}");
    }

    #[test]
    fn non_canonical_key_is_accepted() {
        // The official sample key: its last character 'G' has non-zero unused bits.
        assert!(MsgCrypto::new("t", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx").is_ok());
    }

    #[test]
    fn length_field_is_bounded_before_slicing() {
        let mut body = vec![0u8; 24];
        body[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            split_body(&body),
            Err(CryptoError::Length {
                declared: Some(u32::MAX),
                available: 4
            })
        );
        assert!(matches!(
            split_body(&[0; 5]),
            Err(CryptoError::Length { declared: None, .. })
        ));
    }

    #[test]
    fn padding_values_up_to_32_are_stripped() {
        let mut buf = vec![7u8; 8];
        buf.extend(std::iter::repeat_n(32u8, 32));
        assert_eq!(strip_padding(&buf).unwrap(), &[7u8; 8]);
        assert_eq!(
            strip_padding(&[1, 2, 33]),
            Err(CryptoError::Padding { pad: 33 })
        );
        assert_eq!(
            strip_padding(&[1, 2, 0]),
            Err(CryptoError::Padding { pad: 0 })
        );
        assert_eq!(
            strip_padding(&[1, 3, 2]),
            Err(CryptoError::Padding { pad: 2 })
        );
    }
}
