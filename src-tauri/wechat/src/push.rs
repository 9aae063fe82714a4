//! Pushes to the authorization-event URL ("授权事件接收URL"): envelope → decrypt → typed event.
//!
//! WeChat's push XML is flat (`<xml><Field>value</Field>…</xml>`), sometimes with CDATA and
//! sometimes without (doc samples omit it, real pushes use it), and a few InfoTypes nest one level
//! (`notify_third_fasteregister`'s `<info>`). So this reads elements with quick-xml's pull reader
//! into a flat `path → text` map instead of binding to fixed structs: unknown InfoTypes keep every
//! field, and a missing field gets an error that names it.
//!
//! The receiver is exposed to the internet, so DTDs (entity expansion, external entities) are
//! refused outright, bodies are capped at [`MAX_BODY`], and the flattening is bounded in depth
//! ([`MAX_DEPTH`]), leaves ([`MAX_FIELDS`]) and bytes kept ([`MAX_KEPT_BYTES`]): a body under
//! the cap nested deep with many leaves otherwise rebuilt a long path per leaf (gigabytes).

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::crypto::{CryptoError, MsgCrypto};

/// Largest body accepted. Real pushes are well under 4 KiB.
pub const MAX_BODY: usize = 1024 * 1024;

/// Deepest element nesting accepted, the root counted. Real pushes are at most 3 (`<xml>`,
/// `<info>`, a field); the margin is for InfoTypes not seen yet.
pub const MAX_DEPTH: usize = 8;

/// Most leaf elements accepted in one document (duplicates counted). Real pushes have a few
/// dozen at most.
pub const MAX_FIELDS: usize = 256;

/// Most bytes of dotted paths plus texts kept for the leaves of one document: with the depth
/// bounded, long element names repeated in every leaf's path are what remains to bound. A flat
/// document under [`MAX_BODY`] always fits.
pub const MAX_KEPT_BYTES: usize = MAX_BODY;

/// Above this, `AuthorizationCodeExpiredTime` is already a Unix timestamp (see
/// [`AuthorizationEvent::authorization_code_expired_time`]).
const TIMESTAMP_FLOOR: i64 = 1_000_000_000;

/// Which element addressed the envelope: platform events carry `AppId` (the component appid),
/// messages relayed for an authorizer carry `ToUserName` (its original id, `gh_…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "element", content = "value")]
pub enum Recipient {
    AppId(String),
    ToUserName(String),
}

/// The outer XML of an encrypted push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Envelope {
    /// `None` only for hand-trimmed pastes: WeChat always sends one of the two.
    pub to: Option<Recipient>,
    pub encrypt: String,
}

/// The query string WeChat adds to the push URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PushQuery {
    pub timestamp: String,
    pub nonce: String,
    /// Signs the Encrypt value too: the one to verify (empty when the URL had none).
    pub msg_signature: String,
    /// The plain-mode `signature` (token, timestamp, nonce only). WeChat sends it as well; it
    /// cannot vouch for the body.
    pub signature: Option<String>,
}

/// `authorized` and `updateauthorized` carry the same fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuthorizationEvent {
    /// The component appid.
    pub app_id: String,
    pub create_time: i64,
    pub authorizer_appid: String,
    pub authorization_code: String,
    /// Unix seconds. The docs call the field "expiry, in seconds", yet captured pushes carry an
    /// absolute timestamp (e.g. 1608190715, community reports; wechat-component-reference.md §3.4
    /// [CONFLICT]). So a value above 10^9 is taken as a timestamp, anything else as seconds after
    /// `CreateTime`. `None` when the push omitted it.
    pub authorization_code_expired_time: Option<i64>,
    /// Lets the push be matched to the link that was generated. Absent for authorizations that
    /// did not start from a link (e.g. the mini-program plugin flow).
    pub pre_auth_code: Option<String>,
}

/// A decrypted push, by `InfoType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PushEvent {
    /// `component_verify_ticket`, every 10 minutes; the ticket is valid 12 h.
    VerifyTicket {
        app_id: String,
        create_time: i64,
        ticket: String,
    },
    Authorized(AuthorizationEvent),
    /// Re-authorization: the cached authorizer access token is now stale.
    UpdateAuthorized(AuthorizationEvent),
    Unauthorized {
        app_id: String,
        create_time: i64,
        authorizer_appid: String,
    },
    /// Any other InfoType (fast registration results, ICP filing, …), kept raw. Nested elements
    /// are keyed by their dotted path (`info.name`); `InfoType` itself is not repeated.
    Other {
        info_type: String,
        fields: BTreeMap<String, String>,
    },
}

/// Stable, machine-readable name of a [`PushError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PushErrorKind {
    TooLarge,
    TooComplex,
    DtdForbidden,
    Malformed,
    MissingField,
    BadField,
    NoInfoType,
    PassedUrlSignature,
    UrlSignatureMismatch,
    MissingQuery,
    Crypto,
    NotEncrypted,
    WrongAppId,
}

/// Which bound of the push XML a document went past (see [`MAX_DEPTH`], [`MAX_FIELDS`],
/// [`MAX_KEPT_BYTES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum XmlLimit {
    Depth,
    Fields,
    Bytes,
}

/// Why a push body could not be turned into a [`PushEvent`].
///
/// Serializes as `{ "kind": "<snake_case kind>", "message": "<Display text>" }`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("push body is {len} bytes, over the {max}-byte limit")]
    TooLarge { len: usize, max: usize },
    #[error("{}", too_complex_message(*limit, *max, *position))]
    TooComplex {
        limit: XmlLimit,
        max: usize,
        position: u64,
    },
    #[error("push XML contains a <!DOCTYPE> or <!ENTITY> declaration; WeChat never sends one, so it is refused")]
    DtdForbidden,
    #[error("malformed XML at byte {position}: {detail}")]
    Malformed { position: u64, detail: String },
    #[error("{}", missing_field_message(field, info_type.as_deref()))]
    MissingField {
        field: String,
        info_type: Option<String>,
    },
    #[error("field <{field}> is {value:?}, expected {expected}")]
    BadField {
        field: String,
        value: String,
        expected: String,
    },
    #[error("{}", no_info_type_message(msg_type.as_deref()))]
    NoInfoType { msg_type: Option<String> },
    #[error("msg_signature does not match, and the value given is the URL's `signature`: you passed `signature`, use `msg_signature`")]
    PassedUrlSignature,
    #[error("the URL `signature` does not match this profile's Token (plain-text push)")]
    UrlSignatureMismatch,
    #[error("the push URL has no `{param}` parameter{}", if param == "msg_signature" { " (encrypted pushes are verified with msg_signature, not signature)" } else { "" })]
    MissingQuery { param: String },
    #[error("give the callback URL, or all of timestamp, nonce and msg_signature")]
    NoQuery,
    #[error("this push is not encrypted: a third-party platform's pushes always are, so a plain-text body is not applied (it may be forged)")]
    NotEncrypted,
    #[error("the push's {place} names AppId {found:?}, not this profile's {expected:?}")]
    WrongAppId {
        place: &'static str,
        expected: String,
        found: String,
    },
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

fn too_complex_message(limit: XmlLimit, max: usize, position: u64) -> String {
    let what = match limit {
        XmlLimit::Depth => format!("nests elements more than {max} deep"),
        XmlLimit::Fields => format!("has more than {max} fields"),
        XmlLimit::Bytes => format!("has more than {max} bytes of field names and values"),
    };
    format!(
        "push XML {what} (at byte {position}): a WeChat push is a flat <xml> of a few dozen fields, \
         at most 2 levels deep, so this body is refused unread"
    )
}

fn missing_field_message(field: &str, info_type: Option<&str>) -> String {
    match info_type {
        Some(t) => format!("push (InfoType {t}) has no <{field}> element"),
        None => format!("push has no <{field}> element"),
    }
}

fn no_info_type_message(msg_type: Option<&str>) -> String {
    match msg_type {
        Some(t) => format!(
            "decrypted message has no InfoType but MsgType {t:?}: it looks like an authorizer's message push \
             (for the 消息与事件接收URL), sent to the component parser, which handles the 授权事件接收URL"
        ),
        None => "decrypted message has no InfoType: it is not a third-party platform push".to_owned(),
    }
}

impl PushError {
    pub fn kind(&self) -> PushErrorKind {
        match self {
            PushError::TooLarge { .. } => PushErrorKind::TooLarge,
            PushError::TooComplex { .. } => PushErrorKind::TooComplex,
            PushError::DtdForbidden => PushErrorKind::DtdForbidden,
            PushError::Malformed { .. } => PushErrorKind::Malformed,
            PushError::MissingField { .. } => PushErrorKind::MissingField,
            PushError::BadField { .. } => PushErrorKind::BadField,
            PushError::NoInfoType { .. } => PushErrorKind::NoInfoType,
            PushError::PassedUrlSignature => PushErrorKind::PassedUrlSignature,
            PushError::UrlSignatureMismatch => PushErrorKind::UrlSignatureMismatch,
            PushError::MissingQuery { .. } | PushError::NoQuery => PushErrorKind::MissingQuery,
            PushError::Crypto(_) => PushErrorKind::Crypto,
            PushError::NotEncrypted => PushErrorKind::NotEncrypted,
            PushError::WrongAppId { .. } => PushErrorKind::WrongAppId,
        }
    }

    /// What the operator can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            PushError::Crypto(e) => e.hint(),
            PushError::PassedUrlSignature | PushError::MissingQuery { .. } | PushError::NoQuery => {
                "Copy the whole push URL (or its query string): the msg_signature parameter is the one that signs the body."
            }
            PushError::UrlSignatureMismatch => "Check the profile's Token (消息校验Token).",
            PushError::NotEncrypted => {
                "Paste the raw request body as WeChat sent it (with its <Encrypt> element) and the callback URL with msg_signature. `push decrypt` shows a plain-text body without applying it."
            }
            PushError::WrongAppId { .. } => {
                "This push is for another platform (or forged): select the profile whose component appid it names, or ignore it."
            }
            PushError::NoInfoType { .. } => {
                "Only pushes to the authorization-event URL (InfoType …) belong here; user messages and events of authorized accounts go to the message URL."
            }
            PushError::TooComplex { .. } => {
                "No WeChat push looks like this: paste the raw request body exactly as received. If it really came from WeChat, report its InfoType so the limit can be raised."
            }
            PushError::TooLarge { .. }
            | PushError::DtdForbidden
            | PushError::Malformed { .. }
            | PushError::MissingField { .. }
            | PushError::BadField { .. } => "Paste the raw request body exactly as received.",
        }
    }
}

impl Serialize for PushError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("PushError", 2)?;
        s.serialize_field("kind", &self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

impl PushQuery {
    /// Accepts a whole callback URL, a path with its query, or the bare query string (with or
    /// without the leading `?`). `timestamp` and `nonce` are required; `msg_signature` may be
    /// absent (plain-text pushes have none) and is checked by [`open_push`] when needed.
    pub fn from_url(url_or_query: &str) -> Result<Self, PushError> {
        let input = url_or_query.trim();
        let without_fragment = input.split('#').next().unwrap_or_default();
        let query = match without_fragment.split_once('?') {
            Some((_, q)) => q,
            None => without_fragment,
        };
        let mut q = PushQuery::default();
        let (mut timestamp, mut nonce) = (None, None);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "timestamp" => timestamp = Some(value),
                "nonce" => nonce = Some(value),
                "msg_signature" => q.msg_signature = value,
                "signature" => q.signature = Some(value),
                _ => {}
            }
        }
        q.timestamp = timestamp.ok_or_else(|| PushError::MissingQuery {
            param: "timestamp".into(),
        })?;
        q.nonce = nonce.ok_or_else(|| PushError::MissingQuery {
            param: "nonce".into(),
        })?;
        Ok(q)
    }
}

impl PushQuery {
    /// The query of a pasted push, however the operator gave it: the callback URL (or its
    /// query) when there is one, else the three parameters, all of them. Blank values count as
    /// missing.
    pub fn from_parts(
        url: Option<&str>,
        timestamp: Option<&str>,
        nonce: Option<&str>,
        msg_signature: Option<&str>,
    ) -> Result<Self, PushError> {
        fn filled(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|s| !s.is_empty())
        }
        if let Some(url) = filled(url) {
            return PushQuery::from_url(url);
        }
        match (filled(timestamp), filled(nonce), filled(msg_signature)) {
            (Some(t), Some(n), Some(s)) => Ok(PushQuery {
                timestamp: t.into(),
                nonce: n.into(),
                msg_signature: s.into(),
                signature: None,
            }),
            _ => Err(PushError::NoQuery),
        }
    }
}

/// Reads the outer envelope of an encrypted push.
pub fn parse_envelope(xml: &str) -> Result<Envelope, PushError> {
    envelope_from(&flatten(xml)?)
}

/// Turns a decrypted (or plain-text) push into an event.
pub fn parse_event(plain_xml: &str) -> Result<PushEvent, PushError> {
    event_from(flatten(plain_xml)?)
}

/// Verifies, decrypts and parses one push as received: `body` is the raw POST body, `q` the URL
/// query. Plain-text bodies (no `<Encrypt>`, but an `InfoType`) are accepted for pasted
/// debugging input; their URL `signature` is checked when present, which proves only that the
/// sender knows the Token.
pub fn open_push(crypto: &MsgCrypto, body: &str, q: &PushQuery) -> Result<PushEvent, PushError> {
    let fields = flatten(body)?;
    if fields.contains_key("Encrypt") {
        return open_encrypted(crypto, &envelope_from(&fields)?, q);
    }
    if fields.contains_key("InfoType") {
        if let Some(signature) = &q.signature {
            let expected = crypto.url_signature(&q.timestamp, &q.nonce);
            let given = signature.trim().to_ascii_lowercase();
            if !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
                return Err(PushError::UrlSignatureMismatch);
            }
        }
        return event_from(fields);
    }
    if let Some(msg_type) = fields.get("MsgType") {
        return Err(PushError::NoInfoType {
            msg_type: Some(msg_type.clone()),
        });
    }
    Err(PushError::MissingField {
        field: "Encrypt".into(),
        info_type: None,
    })
}

/// Verifies, decrypts and parses a push that is about to change something (store a ticket,
/// redeem an auth code, revoke an account). Stricter than [`open_push`]: a third-party
/// platform's pushes are always encrypted, so a plain-text body is refused however it is signed
/// (its URL `signature` covers only timestamp and nonce, never the body, so anyone who saw one
/// signed URL can replay it with a forged body), and every AppId the push names must be this
/// platform's (the AES trailer is checked by the decryption; the envelope and the decrypted
/// `AppId` are checked here).
pub fn open_sealed_push(
    crypto: &MsgCrypto,
    body: &str,
    q: &PushQuery,
) -> Result<PushEvent, PushError> {
    let fields = flatten(body)?;
    if !fields.contains_key("Encrypt") {
        return Err(PushError::NotEncrypted);
    }
    let envelope = envelope_from(&fields)?;
    if let Some(Recipient::AppId(to)) = &envelope.to {
        check_app_id(crypto, "envelope", to)?;
    }
    let event = open_encrypted(crypto, &envelope, q)?;
    let named = match &event {
        PushEvent::VerifyTicket { app_id, .. } | PushEvent::Unauthorized { app_id, .. } => {
            Some(app_id.as_str())
        }
        PushEvent::Authorized(a) | PushEvent::UpdateAuthorized(a) => Some(a.app_id.as_str()),
        PushEvent::Other { fields, .. } => fields.get("AppId").map(String::as_str),
    };
    if let Some(app_id) = named {
        check_app_id(crypto, "decrypted message", app_id)?;
    }
    Ok(event)
}

fn check_app_id(crypto: &MsgCrypto, place: &'static str, found: &str) -> Result<(), PushError> {
    if found.trim() == crypto.appid() {
        return Ok(());
    }
    Err(PushError::WrongAppId {
        place,
        expected: crypto.appid().to_owned(),
        found: found.to_owned(),
    })
}

fn open_encrypted(
    crypto: &MsgCrypto,
    envelope: &Envelope,
    q: &PushQuery,
) -> Result<PushEvent, PushError> {
    if q.msg_signature.trim().is_empty() {
        return Err(PushError::MissingQuery {
            param: "msg_signature".into(),
        });
    }
    let plain = crypto
        .verify_and_decrypt(&q.msg_signature, &q.timestamp, &q.nonce, &envelope.encrypt)
        .map_err(|e| explain_signature_mix_up(crypto, q, e))?;
    parse_event(&plain)
}

/// A signature failure where the given msg_signature is really the URL `signature` (same
/// request, wrong parameter) gets its own error: it is the most common mistake.
fn explain_signature_mix_up(crypto: &MsgCrypto, q: &PushQuery, e: CryptoError) -> PushError {
    if let CryptoError::SignatureMismatch { .. } = e {
        let given = q.msg_signature.trim().to_ascii_lowercase();
        let same_as_param = q
            .signature
            .as_deref()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case(&given));
        if same_as_param || crypto.url_signature(&q.timestamp, &q.nonce) == given {
            return PushError::PassedUrlSignature;
        }
    }
    PushError::Crypto(e)
}

fn envelope_from(fields: &BTreeMap<String, String>) -> Result<Envelope, PushError> {
    let encrypt = fields
        .get("Encrypt")
        .ok_or_else(|| PushError::MissingField {
            field: "Encrypt".into(),
            info_type: fields.get("InfoType").cloned(),
        })?;
    let to = match (fields.get("AppId"), fields.get("ToUserName")) {
        (Some(app_id), _) => Some(Recipient::AppId(app_id.clone())),
        (None, Some(to_user)) => Some(Recipient::ToUserName(to_user.clone())),
        (None, None) => None,
    };
    Ok(Envelope {
        to,
        encrypt: encrypt.clone(),
    })
}

fn event_from(mut fields: BTreeMap<String, String>) -> Result<PushEvent, PushError> {
    let Some(info_type) = fields.remove("InfoType") else {
        return Err(PushError::NoInfoType {
            msg_type: fields.get("MsgType").cloned(),
        });
    };
    let f = Fields {
        map: &fields,
        info_type: &info_type,
    };
    let event = match info_type.to_ascii_lowercase().as_str() {
        "component_verify_ticket" => PushEvent::VerifyTicket {
            app_id: f.text("AppId")?,
            create_time: f.int("CreateTime")?,
            ticket: f.text("ComponentVerifyTicket")?,
        },
        "authorized" => PushEvent::Authorized(f.authorization()?),
        "updateauthorized" => PushEvent::UpdateAuthorized(f.authorization()?),
        "unauthorized" => PushEvent::Unauthorized {
            app_id: f.text("AppId")?,
            create_time: f.int("CreateTime")?,
            authorizer_appid: f.text("AuthorizerAppid")?,
        },
        _ => PushEvent::Other { info_type, fields },
    };
    Ok(event)
}

struct Fields<'a> {
    map: &'a BTreeMap<String, String>,
    info_type: &'a str,
}

impl Fields<'_> {
    fn optional(&self, name: &str) -> Option<String> {
        self.map.get(name).filter(|v| !v.is_empty()).cloned()
    }

    fn text(&self, name: &str) -> Result<String, PushError> {
        self.optional(name).ok_or_else(|| PushError::MissingField {
            field: name.into(),
            info_type: Some(self.info_type.to_owned()),
        })
    }

    fn parse_int(name: &str, value: &str) -> Result<i64, PushError> {
        value.trim().parse().map_err(|_| PushError::BadField {
            field: name.into(),
            value: value.into(),
            expected: "an integer (Unix seconds)".into(),
        })
    }

    fn int(&self, name: &str) -> Result<i64, PushError> {
        Self::parse_int(name, &self.text(name)?)
    }

    fn authorization(&self) -> Result<AuthorizationEvent, PushError> {
        let create_time = self.int("CreateTime")?;
        let expired = match self.optional("AuthorizationCodeExpiredTime") {
            None => None,
            Some(v) => {
                let n = Self::parse_int("AuthorizationCodeExpiredTime", &v)?;
                Some(if n > TIMESTAMP_FLOOR {
                    n
                } else {
                    create_time.saturating_add(n)
                })
            }
        };
        Ok(AuthorizationEvent {
            app_id: self.text("AppId")?,
            create_time,
            authorizer_appid: self.text("AuthorizerAppid")?,
            authorization_code: self.text("AuthorizationCode")?,
            authorization_code_expired_time: expired,
            pre_auth_code: self.optional("PreAuthCode"),
        })
    }
}

/// Reads an XML document into `path → trimmed text` for every leaf element below the root
/// (paths joined with '.'; the root's name is left out). Later duplicates win.
fn flatten(xml: &str) -> Result<BTreeMap<String, String>, PushError> {
    if xml.len() > MAX_BODY {
        return Err(PushError::TooLarge {
            len: xml.len(),
            max: MAX_BODY,
        });
    }
    if contains_ignore_case(xml, "<!DOCTYPE") || contains_ignore_case(xml, "<!ENTITY") {
        return Err(PushError::DtdForbidden);
    }
    let mut reader = Reader::from_str(xml);
    let mut tree = Flattener::default();
    loop {
        let event = reader.read_event().map_err(|e| syntax(&reader, e))?;
        let step = match event {
            Event::Start(start) => {
                tree.open(String::from_utf8_lossy(start.name().as_ref()).into_owned())
            }
            Event::Empty(empty) => tree.empty(&String::from_utf8_lossy(empty.name().as_ref())),
            Event::End(_) => tree.close(),
            Event::Text(text) => {
                let decoded = text
                    .decode()
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                tree.text(&decoded, true)
            }
            Event::CData(cdata) => {
                let decoded = cdata
                    .decode()
                    .map_err(|e| malformed(&reader, e.to_string()))?;
                tree.text(&decoded, false)
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reader, &reference)?;
                tree.text(&resolved, false)
            }
            Event::DocType(_) => return Err(PushError::DtdForbidden),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => Ok(()),
            Event::Eof => break,
        };
        step.map_err(|refusal| match refusal {
            Refusal::Malformed(detail) => malformed(&reader, detail),
            Refusal::TooComplex { limit, max } => PushError::TooComplex {
                limit,
                max,
                position: reader.buffer_position(),
            },
        })?;
    }
    tree.finish(xml.len())
}

/// Problems found by us are at the end of the last event.
fn malformed(reader: &Reader<&[u8]>, detail: String) -> PushError {
    PushError::Malformed {
        position: reader.buffer_position(),
        detail,
    }
}

/// Syntax errors found by quick-xml are reported at the start of the offending markup.
fn syntax(reader: &Reader<&[u8]>, e: quick_xml::Error) -> PushError {
    PushError::Malformed {
        position: reader.error_position(),
        detail: e.to_string(),
    }
}

/// `&#…;` and the five predefined entities; anything else is an error (no DTD, no others).
fn resolve_reference(
    reader: &Reader<&[u8]>,
    reference: &quick_xml::events::BytesRef<'_>,
) -> Result<String, PushError> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        Ok(None) => {
            let name = reference
                .decode()
                .map_err(|e| malformed(reader, e.to_string()))?;
            quick_xml::escape::resolve_predefined_entity(&name)
                .map(str::to_owned)
                .ok_or_else(|| malformed(reader, format!("unknown entity &{name};")))
        }
        Err(e) => Err(syntax(reader, e)),
    }
}

/// Why [`Flattener`] stopped; [`flatten`] adds the position.
enum Refusal {
    Malformed(String),
    TooComplex { limit: XmlLimit, max: usize },
}

impl From<String> for Refusal {
    fn from(detail: String) -> Self {
        Refusal::Malformed(detail)
    }
}

/// An element being read: its text so far, and whether it has children (then it is no leaf).
struct Open {
    name: String,
    text: String,
    has_children: bool,
}

/// The state of [`flatten`]: the open elements and the leaves found.
#[derive(Default)]
struct Flattener {
    stack: Vec<Open>,
    fields: BTreeMap<String, String>,
    saw_root: bool,
    /// Leaves recorded so far, duplicates included (each one cost a path).
    leaves: usize,
    /// Bytes of paths and texts recorded so far, duplicates included.
    kept: usize,
}

impl Flattener {
    fn open(&mut self, name: String) -> Result<(), Refusal> {
        if self.stack.is_empty() && self.saw_root {
            return Err("more than one root element".to_owned().into());
        }
        self.check_depth()?;
        self.saw_root = true;
        if let Some(parent) = self.stack.last_mut() {
            parent.has_children = true;
        }
        self.stack.push(Open {
            name,
            text: String::new(),
            has_children: false,
        });
        Ok(())
    }

    fn empty(&mut self, name: &str) -> Result<(), Refusal> {
        if self.stack.is_empty() {
            if self.saw_root {
                return Err("more than one root element".to_owned().into());
            }
            self.saw_root = true;
            return Ok(());
        }
        self.check_depth()?;
        if let Some(parent) = self.stack.last_mut() {
            parent.has_children = true;
        }
        self.leaf(name, "")
    }

    /// An element opened now would be at depth `stack.len() + 1`.
    fn check_depth(&self) -> Result<(), Refusal> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Refusal::TooComplex {
                limit: XmlLimit::Depth,
                max: MAX_DEPTH,
            });
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), Refusal> {
        let open = self.stack.pop().expect("quick-xml checks end names");
        if open.has_children {
            return Ok(());
        }
        self.leaf(&open.name, &open.text)
    }

    /// Text inside the current element; `strict`: text outside the root is an error (CDATA and
    /// references there are ignored, as before).
    fn text(&mut self, text: &str, strict: bool) -> Result<(), Refusal> {
        match self.stack.last_mut() {
            Some(open) => open.text.push_str(text),
            None if !strict || text.trim().is_empty() => {}
            None => return Err("text outside the root element".to_owned().into()),
        }
        Ok(())
    }

    /// Records one leaf, refusing before its path is built when a bound would be passed.
    fn leaf(&mut self, name: &str, text: &str) -> Result<(), Refusal> {
        if self.stack.is_empty() {
            return Ok(()); // the root itself
        }
        let ancestors = &self.stack[1..];
        let text = text.trim();
        let path_len = ancestors.iter().map(|o| o.name.len() + 1).sum::<usize>() + name.len();
        self.leaves += 1;
        self.kept = self.kept.saturating_add(path_len + text.len());
        if self.leaves > MAX_FIELDS {
            return Err(Refusal::TooComplex {
                limit: XmlLimit::Fields,
                max: MAX_FIELDS,
            });
        }
        if self.kept > MAX_KEPT_BYTES {
            return Err(Refusal::TooComplex {
                limit: XmlLimit::Bytes,
                max: MAX_KEPT_BYTES,
            });
        }
        let mut path = String::with_capacity(path_len);
        for open in ancestors {
            path.push_str(&open.name);
            path.push('.');
        }
        path.push_str(name);
        self.fields.insert(path, text.to_owned());
        Ok(())
    }

    fn finish(self, len: usize) -> Result<BTreeMap<String, String>, PushError> {
        if let Some(open) = self.stack.last() {
            return Err(PushError::Malformed {
                position: len as u64,
                detail: format!("element <{}> is not closed", open.name),
            });
        }
        if !self.saw_root {
            return Err(PushError::Malformed {
                position: 0,
                detail: "no XML element found (empty body?)".into(),
            });
        }
        Ok(self.fields)
    }
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_nested_and_mixed_text() {
        let xml = "<xml><A><![CDATA[ x ]]></A><B>1 &amp; 2&#33;</B><info><name>n</name><code/></info></xml>";
        let f = flatten(xml).unwrap();
        assert_eq!(f["A"], "x");
        assert_eq!(f["B"], "1 & 2!");
        assert_eq!(f["info.name"], "n");
        assert_eq!(f["info.code"], "");
        assert!(!f.contains_key("info"));
    }
}
