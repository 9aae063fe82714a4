//! Pushes to the authorization-event URL: decrypt + verify with the profile's secrets, then
//! apply. Every push is recorded in `messages` (applied / failed / ignored, with the error).

use serde::Serialize;

use super::{now, Console, ProfileRt};
use crate::error::{CoreError, CoreResult};
use crate::secrets::SecretName;
use crate::store::messages::{MessageStatus, NewMessage};
use crate::store::tickets::TicketSource;
use crate::store::types::Status;
use wxopen_wechat::crypto::MsgCrypto;
use wxopen_wechat::error::redact_secrets;
use wxopen_wechat::push::{open_push, open_sealed_push, PushEvent, PushQuery};

/// What applying a push did.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct PushApplied {
    pub message_id: i64,
    pub info_type: String,
    pub authorizer_appid: Option<String>,
    pub status: MessageStatus,
    pub error: Option<String>,
    /// The push's `CreateTime` (Unix seconds), when it has one.
    pub created_at: Option<i64>,
    /// How long ago WeChat sent it, when the push says (0 for one stamped in the future).
    pub age_secs: Option<i64>,
}

/// The oldest push applied: a ticket is valid 12 hours, and nothing else a push carries (an auth
/// code lives 10 minutes) is worth applying later. Older ones are replays or forgotten pastes.
pub const PUSH_MAX_AGE_SECS: i64 = 12 * 3600;

/// `CreateTime` of a push, which the encryption vouches for (unlike the URL's `timestamp` of
/// a plain-text push, it is inside the sealed message).
pub fn create_time(e: &PushEvent) -> Option<i64> {
    match e {
        PushEvent::VerifyTicket { create_time, .. }
        | PushEvent::Unauthorized { create_time, .. } => Some(*create_time),
        PushEvent::Authorized(a) | PushEvent::UpdateAuthorized(a) => Some(a.create_time),
        PushEvent::Other { fields, .. } => fields.get("CreateTime")?.trim().parse().ok(),
    }
}

/// Refuses a push sent longer ago than [`PUSH_MAX_AGE_SECS`]; returns its age otherwise.
fn fresh_enough(created_at: Option<i64>, now: i64) -> CoreResult<Option<i64>> {
    let Some(created_at) = created_at else {
        return Ok(None);
    };
    let age = now.saturating_sub(created_at).max(0);
    if age > PUSH_MAX_AGE_SECS {
        return Err(CoreError::StalePush {
            created_at,
            age_secs: age,
        });
    }
    Ok(Some(age))
}

fn info_type(e: &PushEvent) -> (String, Option<String>) {
    match e {
        PushEvent::VerifyTicket { .. } => ("component_verify_ticket".into(), None),
        PushEvent::Authorized(a) => ("authorized".into(), Some(a.authorizer_appid.clone())),
        PushEvent::UpdateAuthorized(a) => {
            ("updateauthorized".into(), Some(a.authorizer_appid.clone()))
        }
        PushEvent::Unauthorized {
            authorizer_appid, ..
        } => ("unauthorized".into(), Some(authorizer_appid.clone())),
        PushEvent::Other { info_type, .. } => (info_type.clone(), None),
    }
}

/// The event as stored/shown: tickets and codes redacted.
pub fn redacted_json(e: &PushEvent) -> String {
    redact_secrets(&serde_json::to_string(e).unwrap_or_default())
}

impl Console {
    fn crypto(&self, rt: &ProfileRt) -> CoreResult<MsgCrypto> {
        let token = self.secret(rt.appid(), SecretName::Token)?;
        let key = self.secret(rt.appid(), SecretName::EncodingAesKey)?;
        Ok(MsgCrypto::new(token.expose(), key.expose(), rt.appid())?)
    }

    /// Verifies and decrypts a push (no side effects).
    pub fn push_decrypt(
        &self,
        rt: &ProfileRt,
        body: &str,
        query: &PushQuery,
    ) -> CoreResult<PushEvent> {
        Ok(open_push(&self.crypto(rt)?, body, query)?)
    }

    /// Verifies, decrypts and applies a push. Only an encrypted push addressed to this profile's
    /// appid and sent within [`PUSH_MAX_AGE_SECS`] is applied; anything else is an error and is
    /// not recorded (it may not even be ours). One that is applied is always recorded.
    pub async fn push_apply(
        &self,
        rt: &ProfileRt,
        body: &str,
        query: &PushQuery,
    ) -> CoreResult<PushApplied> {
        let event = open_sealed_push(&self.crypto(rt)?, body, query)?;
        self.apply_event(rt, event).await
    }

    pub async fn apply_event(&self, rt: &ProfileRt, event: PushEvent) -> CoreResult<PushApplied> {
        let now = now();
        let created_at = create_time(&event);
        let age_secs = fresh_enough(created_at, now)?;
        let (kind, appid) = info_type(&event);
        let result: CoreResult<MessageStatus> = match &event {
            // Stamped when WeChat sent it, so a late paste does not look fresher than it is
            // (and never later than now: a clock ahead of ours must not extend its 12 h).
            PushEvent::VerifyTicket { ticket, .. } => self
                .ticket_store(
                    rt,
                    ticket,
                    TicketSource::Push,
                    created_at.unwrap_or(now).min(now),
                )
                .map(|_| MessageStatus::Applied),
            PushEvent::Authorized(a) => self
                .complete_with_code(rt, &a.authorization_code)
                .await
                .map(|_| MessageStatus::Applied),
            PushEvent::UpdateAuthorized(a) => {
                // The permissions may have changed: the next details pass refetches this
                // account whatever its age, unless the fetch below already saved them (which
                // clears the mark).
                self.store
                    .mark_details_stale(rt.id(), &a.authorizer_appid)?;
                // Re-authorization invalidates the cached access token.
                match self
                    .invalidate_authorizer_token(rt, &a.authorizer_appid, None)
                    .await
                {
                    Ok(()) => self
                        .complete_with_code(rt, &a.authorization_code)
                        .await
                        .map(|_| MessageStatus::Applied),
                    Err(e) => Err(e),
                }
            }
            PushEvent::Unauthorized {
                authorizer_appid, ..
            } => self
                .store
                .set_authorizer_status(rt.id(), authorizer_appid, Status::Revoked)
                .map(|_| MessageStatus::Applied)
                .map_err(CoreError::from),
            PushEvent::Other { .. } => Ok(MessageStatus::Ignored),
        };
        let (status, error) = match result {
            Ok(s) => (s, None),
            Err(e) => (MessageStatus::Failed, Some(e.to_string())),
        };
        let message_id = self.store.message_insert(&NewMessage {
            profile_id: rt.id(),
            received_at: now,
            info_type: kind.clone(),
            authorizer_appid: appid.clone(),
            status,
            decoded: redacted_json(&event),
            error: error.clone(),
        })?;
        Ok(PushApplied {
            message_id,
            info_type: kind,
            authorizer_appid: appid,
            status,
            error,
            created_at,
            age_secs,
        })
    }
}
