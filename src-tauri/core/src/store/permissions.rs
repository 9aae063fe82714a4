//! The stored form of an account's permissions (`func_info`): one JSON text per account in
//! `authorizer_details.permissions` (schema v4), instead of a row per permission.
//!
//! Why one text: a details sync writes every account's permissions, a dozen on average, and a
//! row each made that the dearest part of its store work (130,000 b-tree inserts for 10,000
//! accounts, ~0.17 s of CPU); the console only ever reads them an account at a time.
//!
//! Form: a JSON array sorted by funcscope id, each entry either the id alone (no confirm
//! state) or `[id, need_confirm, already_confirm, can_confirm]` with `null` for a missing
//! member, e.g. `[1,2,[23,1,0,1]]`. A repeated funcscope id keeps its last entry.

use serde_json::Value;

use super::error::StoreError;
use super::types::Permission;

/// `perms` deduplicated (the last entry of a funcscope id wins) and sorted by funcscope id.
pub fn normalize(perms: &[Permission]) -> Vec<Permission> {
    let mut out: Vec<Permission> = Vec::with_capacity(perms.len());
    for p in perms {
        match out.iter().position(|w| w.funcscope_id == p.funcscope_id) {
            Some(i) => out[i] = p.clone(),
            None => out.push(p.clone()),
        }
    }
    out.sort_by_key(|p| p.funcscope_id);
    out
}

/// The stored text of `perms` (normalized first).
pub fn encode(perms: &[Permission]) -> String {
    let entries: Vec<Value> = normalize(perms)
        .into_iter()
        .map(|p| {
            if p.need_confirm.is_none() && p.already_confirm.is_none() && p.can_confirm.is_none() {
                Value::from(p.funcscope_id)
            } else {
                Value::Array(vec![
                    Value::from(p.funcscope_id),
                    p.need_confirm.map_or(Value::Null, Value::from),
                    p.already_confirm.map_or(Value::Null, Value::from),
                    p.can_confirm.map_or(Value::Null, Value::from),
                ])
            }
        })
        .collect();
    Value::Array(entries).to_string()
}

/// Reads a stored text back (sorted by funcscope id).
pub fn decode(text: &str) -> Result<Vec<Permission>, StoreError> {
    let bad = |why: &str| StoreError::Invalid(format!("stored permissions {text:?}: {why}"));
    let Value::Array(entries) = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))? else {
        return Err(bad("not an array"));
    };
    let int = |v: &Value| -> Result<Option<i64>, StoreError> {
        match v {
            Value::Null => Ok(None),
            v => v.as_i64().map(Some).ok_or_else(|| bad("not an integer")),
        }
    };
    let mut perms = entries
        .iter()
        .map(|e| match e {
            Value::Array(parts) if parts.len() == 4 => Ok(Permission {
                funcscope_id: int(&parts[0])?.ok_or_else(|| bad("no funcscope id"))?,
                need_confirm: int(&parts[1])?,
                already_confirm: int(&parts[2])?,
                can_confirm: int(&parts[3])?,
            }),
            v => Ok(Permission {
                funcscope_id: int(v)?.ok_or_else(|| bad("no funcscope id"))?,
                need_confirm: None,
                already_confirm: None,
                can_confirm: None,
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    perms.sort_by_key(|p| p.funcscope_id);
    Ok(perms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: i64, confirm: Option<(i64, i64, i64)>) -> Permission {
        Permission {
            funcscope_id: id,
            need_confirm: confirm.map(|c| c.0),
            already_confirm: confirm.map(|c| c.1),
            can_confirm: confirm.map(|c| c.2),
        }
    }

    #[test]
    fn round_trips_sorted_and_deduplicated() {
        let perms = vec![
            p(23, Some((1, 0, 1))),
            p(1, None),
            p(15, None),
            p(1, Some((0, 0, 0))),
        ];
        let text = encode(&perms);
        assert_eq!(text, "[[1,0,0,0],15,[23,1,0,1]]");
        assert_eq!(
            decode(&text).unwrap(),
            vec![p(1, Some((0, 0, 0))), p(15, None), p(23, Some((1, 0, 1)))]
        );
        assert_eq!(encode(&[]), "[]");
        assert!(decode("[]").unwrap().is_empty());
    }

    #[test]
    fn a_partly_missing_confirm_state_keeps_its_nulls() {
        let odd = Permission {
            funcscope_id: 7,
            need_confirm: Some(1),
            already_confirm: None,
            can_confirm: None,
        };
        let text = encode(std::slice::from_ref(&odd));
        assert_eq!(text, "[[7,1,null,null]]");
        assert_eq!(decode(&text).unwrap(), vec![odd]);
    }

    #[test]
    fn a_damaged_text_is_an_error_not_a_panic() {
        for bad in ["", "{}", "[\"x\"]", "[[1,2]]", "[[null,0,0,0]]", "[1.5]"] {
            assert!(
                matches!(decode(bad), Err(StoreError::Invalid(_))),
                "{bad:?} was accepted"
            );
        }
    }
}
